// The baseline program: every stack that is not a tenant stack (index.ts). It reads the stack config once
// (validated before anything is registered), wires the components and exports the outputs contract documented in
// the README. With kube-baseline:tenants it also keeps the registry of tenant stacks and exports it (tenancy).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { Identity } from "../components/identity";
import { CalicoBgp, Cni, KubeProxy, NodeKernel } from "../components/network";
import { ControlPlane } from "../components/controlPlane";
import { DEFAULT_SANDBOX_DIR } from "../lib/config/cluster";
import { readStackConfigValues } from "../lib/config/configValues";
import { loadStackConfig } from "../lib/config/stackConfig";
import { bgpOutput, cniOutput, namespacesOutput, tenancyOutput, tokenUsersOutput } from "../lib/outputs";
import { announceRenewals } from "./certificateRenewals";
import { readAdminKubeconfig, readSshPrivateKey } from "./credentials";

const config = new pulumi.Config("kube-baseline");
const sandboxDir = process.env.KUBE_BASELINE_SANDBOX_DIR ?? DEFAULT_SANDBOX_DIR;
// Every kube-baseline:* key, so a misspelt one is an error; secret values are withheld from validation.
const stackConfig = loadStackConfig(
    readStackConfigValues(pulumi.runtime.allConfig()),
    dir => fs.readFileSync(path.join(dir, "sandbox.json"), "utf8"),
    sandboxDir,
);
for (const warning of stackConfig.warnings) pulumi.log.warn(warning);

const { cluster, credentials } = stackConfig.cluster;
// Secrets: from the sandbox's files (mode 0600) or from secret stack config; never plaintext in state.
const adminKubeconfig = readAdminKubeconfig(credentials);
const sshPrivateKey = readSshPrivateKey(credentials);
const clusterCaKeyPem = config.getSecret("clusterCaKey");

const provider = new k8s.Provider("cluster", { kubeconfig: adminKubeconfig, enableServerSideApply: true });
const k8sOpts = { provider };

// Network plane: kernel settings first (the CNI and kube-proxy modes need them), then the CNI and
// kube-proxy, then Calico's BGP topology on top of a running Calico.
const { network } = stackConfig;
const kernelSettings = network.nodeKernel && new NodeKernel("node-kernel", {
    nodes: cluster.nodes,
    sshPrivateKey,
    cni: network.cni,
    kubeProxy: network.kubeProxy,
    kernel: network.nodeKernel,
});
const afterKernel = kernelSettings ? [kernelSettings] : [];
// kubectl steps (Flannel's removal, kube-proxy's original config) run on the first control-plane node.
const controlPlaneNode = cluster.nodes.find(n => n.roles.includes("control-plane"));
const cniInstall = network.cni && new Cni("cni", {
    config: network.cni,
    nodes: cluster.nodes,
    controlPlaneNode,
    sshPrivateKey,
}, { ...k8sOpts, dependsOn: afterKernel });
const kubeProxy = network.kubeProxy && new KubeProxy("kube-proxy", {
    config: network.kubeProxy,
    controlPlaneNode: requireControlPlaneNode(),
    sshPrivateKey,
}, { ...k8sOpts, dependsOn: afterKernel });
const calicoBgp = network.bgp && new CalicoBgp("calico-bgp", {
    config: network.bgp,
    calicoNamespace: network.cni?.calico?.namespace,
}, { ...k8sOpts, dependsOn: cniInstall ? [cniInstall] : [] });

// Identity and access.
const identity = new Identity("identity", {
    config: stackConfig.identity,
    cluster: { name: cluster.name, apiServerUrl: cluster.apiServerUrl, caCertificatePem: cluster.caCertificatePem },
    controlPlaneNodes: cluster.nodes.filter(n => n.roles.includes("control-plane")),
    sshPrivateKey,
    clusterCaKeyPem,
    cni: network.cni?.kind,
}, { ...k8sOpts, dependsOn: cniInstall ? [cniInstall] : [] });

// Control plane: hardening and the static-token file, one patch on every control-plane node. It restarts the
// apiservers, so it comes after every API call of the other components (and is undone before them on destroy).
const controlPlaneNodes = cluster.nodes.filter(n => n.roles.includes("control-plane"));
const tokens = identity.staticTokens;
const controlPlane = (stackConfig.controlPlane.settings.enabled || tokens) ? new ControlPlane("control-plane", {
    nodes: controlPlaneNodes,
    sshPrivateKey,
    config: stackConfig.controlPlane,
    staticTokens: tokens && { tokenFile: tokens.tokenFile, tokenCsv: tokens.tokenCsv, legacy: { parent: tokens, namePrefix: tokens.legacyApplyPrefix } },
}, { dependsOn: [identity, ...[cniInstall, kubeProxy, calicoBgp].filter((r): r is NonNullable<typeof r> => !!r)] }) : undefined;

// The outputs contract (README "Outputs"). Kubeconfigs are secret; tokens are never exported.
export const apiServerUrl = cluster.apiServerUrl;
export const clusterCaCertificate = cluster.caCertificatePem;
// A token user's kubeconfig is worth handing out once every apiserver has the token file.
export const userKubeconfigs = pulumi.secret(pulumi.all([identity.kubeconfigs, controlPlane?.ready ?? ""]).apply(([k]) => k));
export const certificateExpiry = identity.certificateExpiry;
// User name -> why this update reissues that user's certificate (empty when none is due).
export const certificateRenewals = announceRenewals(stackConfig.identity.users);
export const tokenUsers = tokenUsersOutput(stackConfig.identity.users);
export const namespaces = namespacesOutput(stackConfig.identity.namespaces);
export const cni = cniOutput(network.cni, cluster.podCidr);
export const bgp = bgpOutput(network.bgp);
export const nodeKernel = kernelSettings ? kernelSettings.effective : {};
export const kubeProxyMode = kubeProxy ? kubeProxy.mode : "unmanaged";
// The CIS checks (kube-bench numbering) computed from the live control-plane manifests after the up; null when the
// control plane is not managed.
export const cisChecks = controlPlane ? controlPlane.cisChecks : null;

// Tenant stacks (kube-baseline:tenants): the registry they read through a StackReference, with what else they need
// of the cluster. Undefined, so not an output at all (index.ts drops it), on a stack without tenants.
export const tenancy = stackConfig.tenants && tenancyOutput({
    clusterName: cluster.name,
    tenants: stackConfig.tenants,
    baselineNamespaces: stackConfig.identity.namespaces,
    dns: stackConfig.identity.networkPolicy.dns,
    maxCertificateValidityHours: stackConfig.identity.certificates.maxValidityHours,
    csrApprovalNode: controlPlaneNode,
});

function requireControlPlaneNode() {
    // The cluster config is validated to have one; this only narrows the type.
    if (controlPlaneNode === undefined) throw new Error("kube-baseline:cluster: no node has the control-plane role");
    return controlPlaneNode;
}
