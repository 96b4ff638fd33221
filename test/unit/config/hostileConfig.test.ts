// Hostile configuration: one-change variants of the example production stack (Pulumi.prod.yaml), each a
// mistake or an attack that could harm a node or leak a secret. Every one must be refused before anything
// runs, by an error that names the exact key path of the bad value and never prints a secret.

import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigError } from "../../../lib/config/configError";
import { readStackConfigValues } from "../../../lib/config/configValues";
import { loadStackConfig } from "../../../lib/config/stackConfig";
import { fakePem } from "../fakeSecrets";

type Config = Record<string, any>;

const repo = path.resolve(__dirname, "../../..");
const prod: Config = (YAML.parse(fs.readFileSync(path.join(repo, "Pulumi.prod.yaml"), "utf8")) as { config: Config }).config;

// Secrets a user could paste into the wrong place. None of their text may ever appear in an error.
const PASSWORD = "hunter2-Correct-Horse-Battery";
const PRIVATE_KEY = fakePem("OPENSSH PRIVATE KEY", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ");
const TOKEN = "abcdef.0123456789abcdef";
const KUBECONFIG = "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-key-data: c2VjcmV0LWNsaWVudC1rZXk=\n";
const SECRET_TEXT = [PASSWORD, "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", "0123456789abcdef", "c2VjcmV0LWNsaWVudC1rZXk", "hunter2"];

/** The secret keys are set with `pulumi config set --secret`: validation only learns that they are set. */
const SECRETS = { "kube-baseline:adminKubeconfig": KUBECONFIG, "kube-baseline:sshPrivateKey": PRIVATE_KEY };

const HOST_KEY_CP1 = prod["kube-baseline:cluster"].nodes[0].ssh.hostKey as string;

interface Case {
    /** What the change is. */
    name: string;
    /** The one change, applied to a copy of the prod config (full "kube-baseline:<key>" keys). */
    change: (c: Config) => void;
    /** The exact key path the error must name. */
    key: string;
    /** More that the error line for `key` must say (the reason, a suggestion, both values). */
    says?: RegExp;
}

const cluster = (c: Config) => c["kube-baseline:cluster"];
const node = (c: Config, i: number) => cluster(c).nodes[i];
const tokens = (c: Config) => c["kube-baseline:staticTokens"];
const set = (key: string, value: unknown) => (c: Config) => { c[`kube-baseline:${key}`] = value; };

const CLASSES: Record<string, Case[]> = {
    "destructive paths": [
        { name: "token directory /etc", change: c => { tokens(c).directory = "/etc"; }, key: "kube-baseline:staticTokens.directory", says: /system directory/ },
        { name: "token directory /", change: c => { tokens(c).directory = "/"; }, key: "kube-baseline:staticTokens.directory", says: /system directory/ },
        { name: "token directory /usr", change: c => { tokens(c).directory = "/usr"; }, key: "kube-baseline:staticTokens.directory" },
        { name: "token directory /var", change: c => { tokens(c).directory = "/var"; }, key: "kube-baseline:staticTokens.directory" },
        { name: "token directory /root", change: c => { tokens(c).directory = "/root"; }, key: "kube-baseline:staticTokens.directory" },
        { name: "token directory /home", change: c => { tokens(c).directory = "/home"; }, key: "kube-baseline:staticTokens.directory" },
        { name: "token directory /etc/kubernetes", change: c => { tokens(c).directory = "/etc/kubernetes"; }, key: "kube-baseline:staticTokens.directory" },
        { name: "token directory /etc/kubernetes/ (trailing slash)", change: c => { tokens(c).directory = "/etc/kubernetes/"; }, key: "kube-baseline:staticTokens.directory", says: /system directory/ },
        { name: "token directory /etc//kubernetes", change: c => { tokens(c).directory = "/etc//kubernetes"; }, key: "kube-baseline:staticTokens.directory", says: /system directory/ },
        { name: "token directory /etc/kubernetes//manifests", change: c => { tokens(c).directory = "/etc/kubernetes//manifests"; }, key: "kube-baseline:staticTokens.directory", says: /static pod manifest directory/ },
        { name: "token directory /etc/kubernetes/./manifests/auth", change: c => { tokens(c).directory = "/etc/kubernetes/./manifests/auth"; }, key: "kube-baseline:staticTokens.directory", says: /static pod manifest directory/ },
        { name: "backup directory /etc/kubernetes//manifests", change: c => { tokens(c).backupDirectory = "/etc/kubernetes//manifests"; }, key: "kube-baseline:staticTokens.backupDirectory", says: /kubelet would treat its files as pods/ },
        { name: "backup directory /etc/kubernetes/./manifests/", change: c => { tokens(c).backupDirectory = "/etc/kubernetes/./manifests/"; }, key: "kube-baseline:staticTokens.backupDirectory", says: /kubelet/ },
        { name: "token directory /etc/kubernetes/pki", change: c => { tokens(c).directory = "/etc/kubernetes/pki"; }, key: "kube-baseline:staticTokens.directory", says: /kubeadm owns/ },
        { name: "token directory inside /etc/kubernetes/pki", change: c => { tokens(c).directory = "/etc/kubernetes/pki/auth"; }, key: "kube-baseline:staticTokens.directory", says: /kubeadm owns/ },
        { name: "backup directory /etc/kubernetes/admin.conf", change: c => { tokens(c).backupDirectory = "/etc/kubernetes/admin.conf"; }, key: "kube-baseline:staticTokens.backupDirectory", says: /kubeadm owns/ },
        { name: "token directory with ..", change: c => { tokens(c).directory = "/etc/kubernetes/auth/../manifests"; }, key: "kube-baseline:staticTokens.directory", says: /'\.\.'/ },
        { name: "token directory in volatile /tmp", change: c => { tokens(c).directory = "/tmp/auth"; }, key: "kube-baseline:staticTokens.directory", says: /inside \/tmp/ },
        { name: "token directory inside kubelet's state", change: c => { tokens(c).directory = "/var/lib/kubelet/auth"; }, key: "kube-baseline:staticTokens.directory" },
        { name: "token directory inside /etc/ssh", change: c => { tokens(c).directory = "/etc/ssh/auth"; }, key: "kube-baseline:staticTokens.directory" },
        { name: "backup directory inside the token directory", change: c => { tokens(c).backupDirectory = "/etc/kubernetes/auth/backup"; }, key: "kube-baseline:staticTokens.backupDirectory", says: /must not be inside staticTokens\.directory/ },
        { name: "a relative token directory", change: c => { tokens(c).directory = "etc/kubernetes/auth"; }, key: "kube-baseline:staticTokens.directory", says: /absolute path/ },
        { name: "shell syntax in the token directory", change: c => { tokens(c).directory = "/etc/kubernetes/$(reboot)"; }, key: "kube-baseline:staticTokens.directory", says: /absolute path/ },
        { name: "manifest path that is a directory", change: c => { tokens(c).manifestPath = "/etc/kubernetes/manifests"; }, key: "kube-baseline:staticTokens.manifestPath" },
        { name: "manifest directly in /etc", change: c => { tokens(c).manifestPath = "/etc/kube-apiserver.yaml"; }, key: "kube-baseline:staticTokens.manifestPath", says: /system directory \/etc/ },
        { name: "token file name with a path", change: c => { tokens(c).fileName = "../token.csv"; }, key: "kube-baseline:staticTokens.fileName" },
        { name: "token file name that is an option", change: c => { tokens(c).fileName = "-rf"; }, key: "kube-baseline:staticTokens.fileName" },
    ],
    "secrets echoed": [
        { name: "an unknown top-level key holding a password", change: set("dbPassword", PASSWORD), key: "kube-baseline:dbPassword", says: /not a known setting/ },
        { name: "a misspelt secret key holding a private key", change: set("sshPrivatekey", PRIVATE_KEY), key: "kube-baseline:sshPrivatekey", says: /did you mean sshPrivateKey\?/ },
        { name: "an unknown top-level key holding a token", change: set("token", TOKEN), key: "kube-baseline:token" },
        { name: "a password under an unknown SSH key", change: c => { node(c, 0).ssh.password = PASSWORD; }, key: "kube-baseline:cluster.nodes[0].ssh.password", says: /not a known setting/ },
        { name: "a private key under an unknown SSH key", change: c => { node(c, 0).ssh.privateKey = PRIVATE_KEY; }, key: "kube-baseline:cluster.nodes[0].ssh.privateKey" },
        { name: "a password under an unknown user key", change: c => { c["kube-baseline:users"][0].password = PASSWORD; }, key: "kube-baseline:users[0].password" },
        { name: "a private key pasted into a user name", change: c => { c["kube-baseline:users"][0].name = PRIVATE_KEY; }, key: "kube-baseline:users[0].name", says: /masked/ },
        { name: "a kubeconfig pasted into the CA certificate", change: c => { cluster(c).caCertificate = KUBECONFIG; }, key: "kube-baseline:cluster.caCertificate", says: /masked/ },
        { name: "a private key pasted into the CA certificate", change: c => { cluster(c).caCertificate = `${cluster(c).caCertificate}${PRIVATE_KEY}`; }, key: "kube-baseline:cluster.caCertificate", says: /holds a private key/ },
        { name: "a password as a BGP Secret data key", change: c => { c["kube-baseline:bgp"].externalPeers = [{ peerIP: "192.0.2.1", asNumber: 64600, passwordSecret: { name: "bgp", key: `${PASSWORD}!` } }]; }, key: "kube-baseline:bgp.externalPeers[0].passwordSecret.key", says: /masked/ },
        { name: "a private key appended to a host key", change: c => { node(c, 0).ssh.hostKey = `${HOST_KEY_CP1} ${PRIVATE_KEY.split("\n")[1]}`; }, key: "kube-baseline:cluster.nodes[0].ssh.hostKey", says: /masked/ },
        { name: "a token in a csr user's uid", change: c => { c["kube-baseline:users"][0].uid = TOKEN; }, key: "kube-baseline:users[0].uid", says: /masked/ },
        { name: "BGP refused under Flannel shows no parent object", change: c => { c["kube-baseline:cni"] = { kind: "flannel" }; }, key: "kube-baseline:bgp", says: /= \(an object\): needs cni\.kind calico/ },
    ],
    "credentials in URLs": [
        { name: "apiServerUrl with a user and password", change: c => { cluster(c).apiServerUrl = `https://admin:${PASSWORD}@192.0.2.10:6443`; }, key: "kube-baseline:cluster.apiServerUrl", says: /masked/ },
        { name: "manifest URL with a user and password", change: c => { c["kube-baseline:cni"].manifest = { url: `https://ci:${PASSWORD}@example.com/calico.yaml` }; }, key: "kube-baseline:cni.manifest.url", says: /must not carry a user or password/ },
        { name: "readyz URL with a user and password", change: c => { tokens(c).readyzUrl = `https://admin:${PASSWORD}@127.0.0.1:6443/readyz`; }, key: "kube-baseline:staticTokens.readyzUrl", says: /masked/ },
    ],
    "silent typos": [
        { name: "nameSpaces", change: c => { c["kube-baseline:nameSpaces"] = c["kube-baseline:namespaces"]; delete c["kube-baseline:namespaces"]; }, key: "kube-baseline:nameSpaces", says: /did you mean namespaces\?/ },
        { name: "kubeproxy", change: c => { c["kube-baseline:kubeproxy"] = c["kube-baseline:kubeProxy"]; delete c["kube-baseline:kubeProxy"]; }, key: "kube-baseline:kubeproxy", says: /did you mean kubeProxy\?/ },
        { name: "user", change: c => { c["kube-baseline:user"] = c["kube-baseline:users"]; delete c["kube-baseline:users"]; }, key: "kube-baseline:user", says: /did you mean users\?/ },
        { name: "certificate", change: c => { c["kube-baseline:certificate"] = c["kube-baseline:certificates"]; delete c["kube-baseline:certificates"]; }, key: "kube-baseline:certificate", says: /did you mean certificates\?/ },
        { name: "networkPolicies", change: c => { c["kube-baseline:networkPolicies"] = c["kube-baseline:networkPolicy"]; delete c["kube-baseline:networkPolicy"]; }, key: "kube-baseline:networkPolicies", says: /did you mean networkPolicy\?/ },
        { name: "node-kernel", change: c => { c["kube-baseline:node-kernel"] = c["kube-baseline:nodeKernel"]; delete c["kube-baseline:nodeKernel"]; }, key: "kube-baseline:node-kernel", says: /did you mean nodeKernel\?/ },
        { name: "clusterCAkey", change: set("clusterCAkey", PRIVATE_KEY), key: "kube-baseline:clusterCAkey", says: /did you mean clusterCaKey\?/ },
        { name: "users[].validityHour", change: c => { c["kube-baseline:users"][1].validityHour = 8; }, key: "kube-baseline:users[1].validityHour", says: /did you mean validityHours\?/ },
        { name: "ssh.hostkey", change: c => { node(c, 0).ssh.hostkey = node(c, 0).ssh.hostKey; delete node(c, 0).ssh.hostKey; }, key: "kube-baseline:cluster.nodes[0].ssh.hostkey", says: /did you mean hostKey\?/ },
        { name: "podSecurity.enforced", change: c => { c["kube-baseline:namespaces"][2].podSecurity.enforced = "baseline"; }, key: "kube-baseline:namespaces[2].podSecurity.enforced", says: /did you mean enforce\?/ },
        { name: "rbac.roleBinding", change: c => { c["kube-baseline:rbac"].roleBinding = []; }, key: "kube-baseline:rbac.roleBinding", says: /did you mean roleBindings\?/ },
        { name: "bgp.routeReflector", change: c => { c["kube-baseline:bgp"].routeReflector = {}; }, key: "kube-baseline:bgp.routeReflector", says: /did you mean routeReflectors\?/ },
        { name: "pool.ipIpMode", change: c => { c["kube-baseline:cni"].calico.pool.ipIpMode = "Always"; }, key: "kube-baseline:cni.calico.pool.ipIpMode", says: /did you mean ipipMode\?/ },
        { name: "kubeProxy.strictArp", change: c => { c["kube-baseline:kubeProxy"].strictArp = true; }, key: "kube-baseline:kubeProxy.strictArp", says: /did you mean strictARP\?/ },
        { name: "certificates.renewBeforeHour", change: c => { c["kube-baseline:certificates"].renewBeforeHour = 4; }, key: "kube-baseline:certificates.renewBeforeHour", says: /did you mean renewBeforeHours\?/ },
        { name: "nodeKernel.sysctl", change: c => { c["kube-baseline:nodeKernel"].sysctl = {}; }, key: "kube-baseline:nodeKernel.sysctl", says: /did you mean sysctls\?/ },
        { name: "a key nothing resembles", change: set("fooBarBaz", "x"), key: "kube-baseline:fooBarBaz", says: /known here: cluster, certificates/ },
    ],
    "wildcards and escalation": [
        { name: "'*' verbs on '*' resources bound by a plain RoleBinding", change: c => { c["kube-baseline:rbac"].clusterRoles[0] = { name: "pods-viewer", rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] }; }, key: "kube-baseline:rbac.roleBindings[0].roleRef.name", says: /'\*' verbs on '\*' grant every right.*breakGlass\.clusterAdminBindings/ },
        { name: "'*' verbs on pods", change: c => { c["kube-baseline:rbac"].clusterRoles[0] = { name: "pods-viewer", rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }] }; }, key: "kube-baseline:rbac.roleBindings[0].roleRef.name", says: /'\*' covers escalate, bind and impersonate/ },
        { name: "explicit escalate", change: c => { c["kube-baseline:rbac"].clusterRoles[0] = { name: "pods-viewer", rules: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["get", "escalate"] }] }; }, key: "kube-baseline:rbac.roleBindings[0].roleRef.name", says: /verbs\[1\]: escalate/ },
        { name: "explicit bind", change: c => { c["kube-baseline:rbac"].clusterRoles[0] = { name: "pods-viewer", rules: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["bind"] }] }; }, key: "kube-baseline:rbac.roleBindings[0].roleRef.name" },
        { name: "explicit impersonate", change: c => { c["kube-baseline:rbac"].clusterRoles[0] = { name: "pods-viewer", rules: [{ apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"] }] }; }, key: "kube-baseline:rbac.roleBindings[0].roleRef.name" },
        { name: "a privileged ClusterRole nothing binds deliberately", change: c => { c["kube-baseline:rbac"].clusterRoles.push({ name: "impersonator", rules: [{ apiGroups: [""], resources: ["users"], verbs: ["impersonate"] }] }); }, key: "kube-baseline:rbac.clusterRoles[1].rules[0].verbs[0]", says: /none binds ClusterRole "impersonator"/ },
        { name: "a ClusterRoleBinding to cluster-admin", change: c => { c["kube-baseline:rbac"].clusterRoleBindings = [{ name: "sre-admin", roleRef: { kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "Group", name: "sre" }] }]; }, key: "kube-baseline:rbac.clusterRoleBindings[0].roleRef.name", says: /break-glass/ },
        { name: "a RoleBinding to cluster-admin", change: c => { c["kube-baseline:rbac"].roleBindings[2].roleRef.name = "cluster-admin"; }, key: "kube-baseline:rbac.roleBindings[2].roleRef.name", says: /break-glass/ },
        { name: "a verb in the wrong case", change: c => { c["kube-baseline:rbac"].clusterRoles[0] = { name: "pods-viewer", rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["Get"] }] }; }, key: "kube-baseline:rbac.clusterRoles[0].rules[0].verbs[0]" },
        { name: "binding the group system:masters", change: c => { c["kube-baseline:rbac"].roleBindings[0].subjects[0] = { kind: "Group", name: "system:masters" }; }, key: "kube-baseline:rbac.roleBindings[0].subjects[0].name" },
        { name: "a user in system:masters without break-glass", change: c => { c["kube-baseline:users"][0].groups = ["system:masters"]; }, key: "kube-baseline:users[0].groups[0]", says: /systemMastersUsers/ },
        { name: "a break-glass entry for a binding that does not exist", change: c => { c["kube-baseline:breakGlass"].clusterAdminBindings = ["ghost"]; }, key: "kube-baseline:breakGlass.clusterAdminBindings[0]" },
        { name: "a break-glass entry for a user that does not exist", change: c => { c["kube-baseline:breakGlass"].systemMastersUsers = ["ghost"]; }, key: "kube-baseline:breakGlass.systemMastersUsers[0]" },
    ],
    "cluster URL": [
        { name: "spaces in the host", change: c => { cluster(c).apiServerUrl = "https://192.0.2 .10:6443"; }, key: "kube-baseline:cluster.apiServerUrl" },
        { name: "plain http", change: c => { cluster(c).apiServerUrl = "http://192.0.2.10:6443"; }, key: "kube-baseline:cluster.apiServerUrl" },
        { name: "a path after the port", change: c => { cluster(c).apiServerUrl = "https://192.0.2.10:6443/api"; }, key: "kube-baseline:cluster.apiServerUrl" },
        { name: "a port out of range", change: c => { cluster(c).apiServerUrl = "https://192.0.2.10:99999"; }, key: "kube-baseline:cluster.apiServerUrl", says: /port 99999/ },
        { name: "a query", change: c => { cluster(c).apiServerUrl = "https://192.0.2.10:6443?x=1"; }, key: "kube-baseline:cluster.apiServerUrl" },
        { name: "a host that starts with '-'", change: c => { cluster(c).apiServerUrl = "https://-evil.example.com:6443"; }, key: "kube-baseline:cluster.apiServerUrl" },
        { name: "no host", change: c => { cluster(c).apiServerUrl = "https://"; }, key: "kube-baseline:cluster.apiServerUrl" },
        { name: "a bad IPv6 literal", change: c => { cluster(c).apiServerUrl = "https://[::g]:6443"; }, key: "kube-baseline:cluster.apiServerUrl" },
        { name: "an octet above 255", change: c => { cluster(c).apiServerUrl = "https://192.0.2.300:6443"; }, key: "kube-baseline:cluster.apiServerUrl" },
    ],
    "CIDRs": [
        { name: "service CIDR prefix /40", change: c => { cluster(c).serviceCidr = "10.96.0.0/40"; }, key: "kube-baseline:cluster.serviceCidr" },
        { name: "pod CIDR prefix /40", change: c => { cluster(c).podCidr = "10.244.0.0/40"; }, key: "kube-baseline:cluster.podCidr" },
        { name: "service CIDR overlapping the pod CIDR", change: c => { cluster(c).serviceCidr = "10.244.128.0/17"; }, key: "kube-baseline:cluster.serviceCidr", says: /overlaps the pod CIDR 10\.244\.0\.0\/16/ },
        { name: "service CIDR containing the pod CIDR", change: c => { cluster(c).serviceCidr = "10.240.0.0/12"; }, key: "kube-baseline:cluster.serviceCidr", says: /overlaps/ },
        { name: "service CIDR larger than the apiserver allows", change: c => { cluster(c).serviceCidr = "172.0.0.0/8"; }, key: "kube-baseline:cluster.serviceCidr", says: /between \/12 and \/28/ },
        { name: "pod CIDR with host bits", change: c => { cluster(c).podCidr = "10.244.1.0/16"; }, key: "kube-baseline:cluster.podCidr", says: /did you mean 10\.244\.0\.0\/16/ },
        { name: "pod CIDR without a prefix", change: c => { cluster(c).podCidr = "10.244.0.0"; }, key: "kube-baseline:cluster.podCidr" },
        { name: "pod CIDR of /4", change: c => { cluster(c).podCidr = "0.0.0.0/4"; }, key: "kube-baseline:cluster.podCidr" },
        { name: "IPv6 service CIDR", change: c => { cluster(c).serviceCidr = "fd00::/108"; }, key: "kube-baseline:cluster.serviceCidr" },
        { name: "a leading zero", change: c => { cluster(c).podCidr = "010.244.0.0/16"; }, key: "kube-baseline:cluster.podCidr" },
    ],
    "nodes": [
        { name: "duplicate node IP", change: c => { node(c, 1).ip = node(c, 0).ip; }, key: "kube-baseline:cluster.nodes[1].ip", says: /duplicate node IP/ },
        { name: "duplicate node name", change: c => { node(c, 1).name = node(c, 0).name; }, key: "kube-baseline:cluster.nodes[1].name", says: /duplicate node name/ },
        { name: "uppercase node name", change: c => { node(c, 0).name = "CP1"; }, key: "kube-baseline:cluster.nodes[0].name" },
        { name: "underscore in a node name", change: c => { node(c, 0).name = "cp_1"; }, key: "kube-baseline:cluster.nodes[0].name" },
        { name: "node name starting with '-'", change: c => { node(c, 0).name = "-cp1"; }, key: "kube-baseline:cluster.nodes[0].name" },
        { name: "node name with a space", change: c => { node(c, 0).name = "cp 1"; }, key: "kube-baseline:cluster.nodes[0].name" },
        { name: "node IP with an octet above 255", change: c => { node(c, 0).ip = "192.0.2.300"; }, key: "kube-baseline:cluster.nodes[0].ip" },
        { name: "node IP inside the pod CIDR", change: c => { node(c, 0).ip = "10.244.0.5"; }, key: "kube-baseline:cluster.nodes[0].ip", says: /inside the pod CIDR/ },
        { name: "node IP inside the service CIDR", change: c => { node(c, 0).ip = "10.96.0.10"; }, key: "kube-baseline:cluster.nodes[0].ip", says: /inside the service CIDR/ },
        { name: "two nodes at one SSH endpoint", change: c => { node(c, 1).ssh.host = node(c, 0).ssh.host; }, key: "kube-baseline:cluster.nodes[1].ssh.host", says: /duplicate SSH endpoint/ },
        { name: "SSH user that is an ssh option", change: c => { node(c, 0).ssh.user = "-oProxyCommand=sh"; }, key: "kube-baseline:cluster.nodes[0].ssh.user" },
        { name: "SSH user with shell syntax", change: c => { node(c, 0).ssh.user = "root;reboot"; }, key: "kube-baseline:cluster.nodes[0].ssh.user" },
        { name: "SSH host that is an ssh option", change: c => { node(c, 0).ssh.host = "-oProxyCommand=x"; }, key: "kube-baseline:cluster.nodes[0].ssh.host" },
        { name: "SSH port 0", change: c => { node(c, 0).ssh.port = 0; }, key: "kube-baseline:cluster.nodes[0].ssh.port" },
        { name: "no roles", change: c => { node(c, 0).roles = []; }, key: "kube-baseline:cluster.nodes[0].roles" },
        { name: "a role twice", change: c => { node(c, 3).roles = ["worker", "worker"]; }, key: "kube-baseline:cluster.nodes[3].roles[1]" },
        { name: "an unknown role", change: c => { node(c, 0).roles = ["master"]; }, key: "kube-baseline:cluster.nodes[0].roles[0]" },
        { name: "no nodes", change: c => { cluster(c).nodes = []; }, key: "kube-baseline:cluster.nodes" },
        { name: "an SSH block without user", change: c => { delete node(c, 0).ssh.user; }, key: "kube-baseline:cluster.nodes[0].ssh.user", says: /is required/ },
    ],
    "host keys": [
        { name: "a comment after the key", change: c => { node(c, 0).ssh.hostKey = `${HOST_KEY_CP1} ops@cp1`; }, key: "kube-baseline:cluster.nodes[0].ssh.hostKey" },
        { name: "shell syntax after the key", change: c => { node(c, 0).ssh.hostKey = `${HOST_KEY_CP1}; rm -rf /`; }, key: "kube-baseline:cluster.nodes[0].ssh.hostKey" },
        { name: "a second key on another line", change: c => { node(c, 0).ssh.hostKey = `${HOST_KEY_CP1}\n${HOST_KEY_CP1}`; }, key: "kube-baseline:cluster.nodes[0].ssh.hostKey" },
        { name: "a type that disagrees with the key data", change: c => { node(c, 0).ssh.hostKey = HOST_KEY_CP1.replace("ssh-ed25519", "ssh-rsa"); }, key: "kube-baseline:cluster.nodes[0].ssh.hostKey", says: /disagree/ },
        { name: "an unsupported type", change: c => { node(c, 0).ssh.hostKey = HOST_KEY_CP1.replace("ssh-ed25519", "ssh-dss"); }, key: "kube-baseline:cluster.nodes[0].ssh.hostKey" },
        { name: "an empty host key", change: c => { node(c, 0).ssh.hostKey = ""; }, key: "kube-baseline:cluster.nodes[0].ssh.hostKey" },
        { name: "shell syntax inside the base64", change: c => { node(c, 0).ssh.hostKey = "ssh-ed25519 AAAA$(id)"; }, key: "kube-baseline:cluster.nodes[0].ssh.hostKey" },
    ],
    "leading dashes in names node commands receive": [
        { name: "kernel module -r", change: c => { c["kube-baseline:nodeKernel"].modules = ["-r"]; }, key: "kube-baseline:nodeKernel.modules[0]" },
        { name: "kernel module with an option after it", change: c => { c["kube-baseline:nodeKernel"].modules = ["br_netfilter -r"]; }, key: "kube-baseline:nodeKernel.modules[0]" },
        { name: "sysctl key -w.net", change: c => { c["kube-baseline:nodeKernel"].sysctls = { "-w.net.core.somaxconn": "1" }; }, key: "kube-baseline:nodeKernel.sysctls.-w.net.core.somaxconn" },
        { name: "sysctl key with shell syntax", change: c => { c["kube-baseline:nodeKernel"].sysctls = { "net.core.somaxconn;reboot": "1" }; }, key: "kube-baseline:nodeKernel.sysctls.net.core.somaxconn;reboot" },
        { name: "calico namespace -n", change: c => { c["kube-baseline:cni"].calico.namespace = "-n"; }, key: "kube-baseline:cni.calico.namespace" },
        { name: "route reflector node -w1", change: c => { c["kube-baseline:bgp"].routeReflectors.nodes = ["-w1", "w2"]; }, key: "kube-baseline:bgp.routeReflectors.nodes[0]" },
    ],
    "multi-line values": [
        { name: "a two-line sysctl value", change: c => { c["kube-baseline:nodeKernel"].sysctls = { "net.core.somaxconn": "4096\n8192" }; }, key: "kube-baseline:nodeKernel.sysctls.net.core.somaxconn", says: /must be one line/ },
        { name: "a sysctl value with a carriage return", change: c => { c["kube-baseline:nodeKernel"].sysctls = { "net.core.somaxconn": "4096\r" }; }, key: "kube-baseline:nodeKernel.sysctls.net.core.somaxconn" },
        { name: "a two-line group", change: c => { c["kube-baseline:users"][0].groups = ["dev\nsystem:masters"]; }, key: "kube-baseline:users[0].groups[0]", says: /single line/ },
        { name: "a two-line exemption reason", change: c => { c["kube-baseline:namespaces"][2].podSecurity.exemptionReason = "vendor agent\nruns as root"; }, key: "kube-baseline:namespaces[2].podSecurity.exemptionReason" },
        { name: "a two-line cluster name", change: c => { cluster(c).name = "prod\nx"; }, key: "kube-baseline:cluster.name" },
        { name: "a two-line verb", change: c => { c["kube-baseline:rbac"].clusterRoles[0] = { name: "pods-viewer", rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get\nlist"] }] }; }, key: "kube-baseline:rbac.clusterRoles[0].rules[0].verbs[0]" },
        { name: "a two-line token directory", change: c => { tokens(c).directory = "/etc/kubernetes/auth\n/etc"; }, key: "kube-baseline:staticTokens.directory" },
        { name: "a two-line label value", change: c => { c["kube-baseline:namespaces"][0].labels = { team: "payments\nowner" }; }, key: "kube-baseline:namespaces[0].labels.team" },
    ],
    "upper bounds": [
        { name: "a ten-year certificate ceiling", change: c => { c["kube-baseline:certificates"].maxValidityHours = 87600; }, key: "kube-baseline:certificates.maxValidityHours", says: /between 1 and 8760/ },
        { name: "a million-hour default validity", change: c => { c["kube-baseline:certificates"].defaultValidityHours = 1e6; }, key: "kube-baseline:certificates.defaultValidityHours" },
        { name: "a user valid for eleven years", change: c => { c["kube-baseline:users"][1].validityHours = 100000; }, key: "kube-baseline:users[1].validityHours" },
        { name: "a readiness timeout of 30 years", change: c => { tokens(c).readyTimeoutSeconds = 1e9; }, key: "kube-baseline:staticTokens.readyTimeoutSeconds" },
        { name: "a trillion conntrack entries", change: c => { c["kube-baseline:nodeKernel"].conntrackMax = 1e12; }, key: "kube-baseline:nodeKernel.conntrackMax" },
        { name: "an AS number beyond 32 bits", change: c => { c["kube-baseline:bgp"].asNumber = 1e10; }, key: "kube-baseline:bgp.asNumber" },
        { name: "a block size of 64", change: c => { c["kube-baseline:cni"].calico.pool.blockSize = 64; }, key: "kube-baseline:cni.calico.pool.blockSize" },
        { name: "an SSH port of a million", change: c => { node(c, 0).ssh.port = 1e6; }, key: "kube-baseline:cluster.nodes[0].ssh.port" },
        { name: "a policy order of 1e12", change: c => { c["kube-baseline:networkPolicy"].calicoGlobalDefaultDeny.order = 1e12; }, key: "kube-baseline:networkPolicy.calicoGlobalDefaultDeny.order" },
        { name: "a million-bit RSA key", change: c => { c["kube-baseline:certificates"].defaultKey = { algorithm: "RSA", rsaBits: 1048576 }; }, key: "kube-baseline:certificates.defaultKey.rsaBits" },
        { name: "fractional hours", change: c => { c["kube-baseline:users"][1].validityHours = 7.5; }, key: "kube-baseline:users[1].validityHours", says: /whole number/ },
    ],
    "renewal window": [
        { name: "renewBeforeHours equal to a user's validity", change: c => { c["kube-baseline:certificates"].renewBeforeHours = 8; }, key: "kube-baseline:certificates.renewBeforeHours", says: /user "bob" \(users\[1\]\.validityHours\) is valid for 8 hours, and renewing 8 hours before expiry/ },
        { name: "renewBeforeHours above the default validity", change: c => { c["kube-baseline:certificates"].renewBeforeHours = 30; }, key: "kube-baseline:certificates.renewBeforeHours", says: /user "alice" .* valid for 24 hours/ },
        { name: "renewBeforeHours of 0", change: c => { c["kube-baseline:certificates"].renewBeforeHours = 0; }, key: "kube-baseline:certificates.renewBeforeHours" },
    ],
    "settings that would silently do nothing": [
        { name: "rsaBits on an Ed25519 key", change: c => { c["kube-baseline:users"][0].key = { algorithm: "ED25519", rsaBits: 4096 }; }, key: "kube-baseline:users[0].key.rsaBits", says: /only applies to RSA keys/ },
        { name: "a curve on an RSA key", change: c => { c["kube-baseline:certificates"].defaultKey = { algorithm: "RSA", ecdsaCurve: "P384" }; }, key: "kube-baseline:certificates.defaultKey.ecdsaCurve" },
        { name: "a uid on a certificate user", change: c => { c["kube-baseline:users"][0].uid = "1001"; }, key: "kube-baseline:users[0].uid" },
        { name: "a group listed twice", change: c => { c["kube-baseline:users"][0].groups = ["payments-dev", "payments-dev"]; }, key: "kube-baseline:users[0].groups[1]", says: /listed twice/ },
        { name: "an invalid label key", change: c => { c["kube-baseline:namespaces"][0].labels = { "bad label!": "x" }; }, key: "kube-baseline:namespaces[0].labels.bad label!", says: /= "x": the label key is invalid/ },
    ],
    "missing secrets": [
        { name: "no admin kubeconfig for an explicit cluster", change: c => { delete c["kube-baseline:adminKubeconfig"]; }, key: "kube-baseline:adminKubeconfig", says: /= \(unset\): required for an explicit cluster/ },
        { name: "no SSH private key for an explicit cluster", change: c => { delete c["kube-baseline:sshPrivateKey"]; }, key: "kube-baseline:sshPrivateKey", says: /pulumi config set --secret/ },
    ],
};

const cases = Object.entries(CLASSES).flatMap(([cls, list]) => list.map(c => ({ cls, ...c })));

function loadVariant(change: (c: Config) => void): unknown {
    const config: Config = structuredClone({ ...prod, ...SECRETS });
    change(config);
    try {
        loadStackConfig(readStackConfigValues(config), () => { throw new Error("prod does not read the sandbox"); });
    } catch (err) {
        return err;
    }
    return undefined;
}

test("the unchanged prod config (with its secrets set) is accepted", () => {
    expect(loadVariant(() => {})).toBeUndefined();
});

test(`the suite has at least 100 hostile cases (${cases.length}, in ${Object.keys(CLASSES).length} classes)`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
});

describe.each(Object.keys(CLASSES))("%s", cls => {
    test.each(cases.filter(c => c.cls === cls).map(c => [c.name, c] as const))("%s", (_, c) => {
        const error = loadVariant(c.change);
        expect(error).toBeInstanceOf(ConfigError);
        const message = (error as Error).message;
        expect(message).toMatch(/^invalid stack configuration \(\d+ problems?\):\n/);
        // The exact key path, as a line of its own.
        const line = message.split("\n").find(l => l.startsWith(`  - ${c.key} = `));
        if (line === undefined) throw new Error(`no line for ${c.key} in:\n${message}`);
        if (c.says) expect(line).toMatch(c.says);
        // No secret, anywhere in the message.
        for (const secret of SECRET_TEXT) expect(message).not.toContain(secret);
    });
});
