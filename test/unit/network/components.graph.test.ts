// Graph tests of the network components with Pulumi mocks: which resources are registered, with what
// inputs, under which parent and after which dependencies. yaml/v2 ConfigGroups are not expanded by
// mocks, so their `objs` input is checked instead.

import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { byName, captureGraph, installMocks, isSecret, plain, settle, valueOf } from "./pulumiMocks";

const KUBEADM_KUBE_PROXY = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
ipvs:
  scheduler: ""
  strictARP: false
kind: KubeProxyConfiguration
mode: ""
`;

const registered = installMocks(args => {
    if (args.type === "kubernetes:core/v1:ConfigMap" && args.id !== undefined) {
        return { data: { "config.conf": KUBEADM_KUBE_PROXY } };
    }
    if (args.type === "command:remote:Command") {
        const node = args.name.split("-").pop();
        if (args.name.endsWith("flannel-cleanup-cluster")) {
            return { stdout: JSON.stringify({ node: "cp1", daemonSets: ["kube-flannel/kube-flannel-ds"], configMaps: ["kube-flannel/kube-flannel-cfg"] }) };
        }
        if (args.name.endsWith("-original")) {
            const host = plain(args.inputs.connection).host;
            return { stdout: JSON.stringify({ node: nodes.find(n => n.ssh.host === host)?.name, backup: "saved", sha256: "a".repeat(64) }) };
        }
        if (args.name.includes("flannel-cleanup")) {
            return { stdout: JSON.stringify({ node, removedConfig: true, removedLink: false }) };
        }
        return { stdout: `some log line\n${JSON.stringify({ node, modules: { br_netfilter: "loaded", vxlan: "builtin" }, sysctls: { "net.ipv4.ip_forward": "1" } })}\n` };
    }
    return undefined;
});

// Imported after the mocks are installed.
import { CalicoBgp, Cni, KubeProxy, NodeKernel, SshNode } from "../../../components/network";
import { ConfigError } from "../../../lib/config/configError";
import { BgpConfig, CniConfig, validateNetworkConfig } from "../../../lib/config/network";
import { NET_CONF_HASH_ANNOTATION } from "../../../lib/network/cniManifest";
import { sha256Hex } from "../../../lib/hash";

const FIXTURES = path.join(__dirname, "../../fixtures/cni");
const flannelYaml = fs.readFileSync(path.join(FIXTURES, "kube-flannel.yml"), "utf8");
const calicoYaml = fs.readFileSync(path.join(FIXTURES, "calico.yaml"), "utf8");
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
const nodes: SshNode[] = [
    { name: "cp1", ssh: { host: "10.0.0.11", port: 22, user: "root", hostKey: HOST_KEY } },
    { name: "node1", ssh: { host: "10.0.0.12", port: 22, user: "ops", hostKey: HOST_KEY } },
];
const cluster = { podCidr: "10.244.0.0/16", nodeNames: nodes.map(n => n.name) };

function validated(raw: unknown) {
    const result = validateNetworkConfig(raw, cluster);
    if (result.config === undefined) throw new Error(JSON.stringify(result.issues));
    return result.config;
}

const since = () => registered.length;
const registeredSince = (start: number) => registered.slice(start);

describe("Cni with Flannel", () => {
    test("one ConfigGroup with the tuned manifest; the DaemonSet carries the net-conf hash", async () => {
        const start = since();
        const graph = captureGraph();
        const cni = validated({ cni: { kind: "flannel", flannel: { backend: { type: "host-gw" } } } }).cni as CniConfig;
        const component = new Cni("net", { config: cni, manifestYaml: flannelYaml }, { transformations: [graph.transformation] });
        const netConf = await valueOf(component.netConf!);
        await settle();

        expect(JSON.parse(netConf).Backend).toEqual({ Type: "host-gw" });
        const mine = registeredSince(start);
        expect(mine.map(r => r.type)).toEqual(["kube-baseline:network:Cni", "kubernetes:yaml/v2:ConfigGroup"]);
        const objs = byName(mine, "net-flannel").inputs.objs as any[];
        const configMap = objs.find(o => o.kind === "ConfigMap" && o.metadata.name === "kube-flannel-cfg");
        expect(configMap.data["net-conf.json"]).toBe(netConf);
        const ds = objs.find(o => o.kind === "DaemonSet");
        expect(ds.spec.template.metadata.annotations[NET_CONF_HASH_ANNOTATION]).toBe(sha256Hex(netConf));
        expect(graph.captured.find(c => c.name === "net-flannel")?.parent).toBe("net");
    });
});

describe("Cni with Calico", () => {
    const calicoConfig = (extra: object = {}) => validated({
        cni: { kind: "calico", calico: { pool: { blockSize: 24, ipipMode: "CrossSubnet", ...extra } } },
    }).cni as CniConfig;

    test("Flannel off the cluster, then off every node, then CRDs, then the IPPool, then calico-node", async () => {
        const start = since();
        const graph = captureGraph();
        const component = new Cni("net", {
            config: calicoConfig(), manifestYaml: calicoYaml, nodes, controlPlaneNode: nodes[0], sshPrivateKey: pulumi.secret("KEY"),
        }, { transformations: [graph.transformation] });
        expect(await valueOf(component.ipPool!)).toEqual({ cidr: "10.244.0.0/16", blockSize: 24 });
        await settle();

        const dependsOn = (name: string) => graph.captured.find(c => c.name === name)?.dependsOn;
        // depending on the FlannelCleanup component means waiting for every command under it
        expect(graph.captured.filter(c => c.parent === "net-flannel-cleanup").map(c => c.name).sort())
            .toEqual(["net-flannel-cleanup-cluster", "net-flannel-cleanup-cp1", "net-flannel-cleanup-node1"]);
        expect(dependsOn("net-flannel-cleanup-cluster")).toEqual([]);
        expect(dependsOn("net-flannel-cleanup-cp1")).toEqual(["net-flannel-cleanup-cluster"]);
        expect(dependsOn("net-flannel-cleanup-node1")).toEqual(["net-flannel-cleanup-cluster"]);
        expect(dependsOn("net-calico-crds")).toEqual(["net-flannel-cleanup"]);
        expect(dependsOn("net-ippool")).toEqual(["net-calico-crds"]);
        expect(dependsOn("net-calico")).toEqual(["net-flannel-cleanup", "net-ippool"]);

        const mine = registeredSince(start);
        const pool = byName(mine, "net-ippool");
        expect(pool.type).toBe("kubernetes:crd.projectcalico.org/v1:IPPool");
        expect(pool.inputs.spec).toEqual({
            cidr: "10.244.0.0/16", blockSize: 24, ipipMode: "CrossSubnet", vxlanMode: "Never",
            natOutgoing: true, nodeSelector: "all()", disabled: false,
        });
        expect((byName(mine, "net-calico-crds").inputs.objs as any[]).every(o => o.kind === "CustomResourceDefinition")).toBe(true);
        const calicoNode = (byName(mine, "net-calico").inputs.objs as any[]).find(o => o.kind === "DaemonSet");
        expect(calicoNode.spec.template.spec.containers[0].env).toEqual(expect.arrayContaining([{ name: "CALICO_IPV4POOL_IPIP", value: "CrossSubnet" }]));

        const cleanups = mine.filter(r => r.name.startsWith("net-flannel-cleanup-"));
        expect(cleanups.map(r => r.name).sort()).toEqual(["net-flannel-cleanup-cluster", "net-flannel-cleanup-cp1", "net-flannel-cleanup-node1"]);
        expect(cleanups.find(r => r.name.endsWith("node1"))!.inputs.create).toMatch(/^sudo -n sh -c '.*10-flannel\.conflist/s);
        const clusterStep = plain(byName(cleanups, "net-flannel-cleanup-cluster").inputs);
        expect(clusterStep.connection).toMatchObject({ host: "10.0.0.11", user: "root", hostKey: HOST_KEY });
        expect(clusterStep.create).toContain("KUBECONFIG='/etc/kubernetes/admin.conf'");
        expect(clusterStep.create).toContain("SELECTOR='app=flannel,tier=node'");
    });

    test("cleanupFlannel with nodes but no control-plane node is refused", () => {
        expect(() => new Cni("nocp", { config: calicoConfig(), manifestYaml: calicoYaml, nodes, sshPrivateKey: pulumi.secret("KEY") }))
            .toThrow(/controlPlaneNode/);
    });

    test("without nodes there is no cleanup step", async () => {
        const start = since();
        new Cni("bare", { config: calicoConfig(), manifestYaml: calicoYaml });
        await settle();
        expect(registeredSince(start).some(r => r.name.includes("flannel-cleanup"))).toBe(false);
    });

    test("an in-place change of the pool's cidr or blockSize is refused before anything is registered", () => {
        const start = since();
        expect(() => new Cni("changed", { config: calicoConfig(), manifestYaml: calicoYaml, previousPool: { cidr: "10.244.0.0/16", blockSize: 26 } }))
            .toThrow(ConfigError);
        expect(registeredSince(start).filter(r => r.name.startsWith("changed-"))).toEqual([]);
    });
});

describe("KubeProxy", () => {
    test("saves the original, patches config.conf from the live ConfigMap and restarts the DaemonSet with the config hash", async () => {
        const start = since();
        const graph = captureGraph();
        const kp = new KubeProxy("kube-proxy", {
            config: { mode: "ipvs", scheduler: "lc", strictARP: true }, controlPlaneNode: nodes[1], sshPrivateKey: pulumi.secret("KEY"),
        }, { transformations: [graph.transformation] });
        const text = await valueOf(kp.configText);
        await settle();

        expect(text).toContain('mode: "ipvs"');
        expect(text).toContain('scheduler: "lc"');
        expect(text).toContain("strictARP: true");
        const mine = registeredSince(start);
        const patch = byName(mine, "kube-proxy-config");
        expect(patch.type).toBe("kubernetes:core/v1:ConfigMapPatch");
        expect(patch.inputs.metadata).toMatchObject({ name: "kube-proxy", namespace: "kube-system" });
        expect(patch.inputs.data["config.conf"]).toBe(text);
        const restart = byName(mine, "kube-proxy-restart");
        expect(restart.type).toBe("kubernetes:apps/v1:DaemonSetPatch");
        expect(restart.inputs.spec.template.metadata.annotations["kube-baseline.io/kube-proxy-config-sha256"]).toBe(sha256Hex(text));
        expect(graph.captured.find(c => c.name === "kube-proxy-restart")?.dependsOn).toEqual(["kube-proxy-config"]);
        // releasing the patch on destroy would delete config.conf altogether: the saved original is written back
        // instead, by the delete of the command the patch depends on (so it runs after the patch is gone)
        expect(graph.captured.find(c => c.name === "kube-proxy-config")?.retainOnDelete).toBe(true);
        expect(graph.captured.find(c => c.name === "kube-proxy-config")?.dependsOn).toEqual(["kube-proxy-original"]);
        const original = plain(byName(mine, "kube-proxy-original").inputs);
        expect(original.connection).toMatchObject({ host: "10.0.0.12", user: "ops", hostKey: HOST_KEY });
        expect(original.create).toBe("sudo -n sh -s");
        expect(original.update).toBe("sudo -n sh -s");
        expect(original.stdin).toContain("/var/lib/kube-baseline/kube-proxy/config.conf");
        expect(original.delete).toMatch(/^sudo -n sh -c '.*patch configmap .*rollout restart daemonset\/kube-proxy/s);
        expect(await valueOf(kp.originalConfigSha256)).toBe("a".repeat(64));
    });
});

describe("CalicoBgp", () => {
    const bgpConfig = (raw: object) => validated({ cni: { kind: "calico" }, bgp: raw }).bgp as BgpConfig;

    test("mesh off only after reflector labels and all peers exist", async () => {
        const start = since();
        const graph = captureGraph();
        new CalicoBgp("bgp", {
            config: bgpConfig({
                asNumber: 63400,
                routeReflectors: { nodes: ["cp1", "node1"], clusterId: "244.0.0.1" },
                externalPeers: [{ name: "tor", peerIP: "192.0.2.1", asNumber: 65001, passwordSecret: { name: "bgp-secrets", key: "tor" } }],
            }),
        }, { transformations: [graph.transformation] });
        await settle();
        const mine = registeredSince(start);

        const rr = byName(mine, "bgp-rr-node1");
        expect(rr.type).toBe("kubernetes:core/v1:NodePatch");
        expect(rr.inputs.metadata.name).toBe("node1");
        expect(rr.inputs.metadata.labels).toEqual({ "route-reflector": "true" });
        expect(rr.inputs.metadata.annotations["projectcalico.org/RouteReflectorClusterID"]).toBe("244.0.0.1");

        const configuration = byName(mine, "bgp-configuration");
        expect(configuration.type).toBe("kubernetes:crd.projectcalico.org/v1:BGPConfiguration");
        expect(configuration.inputs.metadata.name).toBe("default");
        expect(configuration.inputs.spec).toMatchObject({ asNumber: 63400, nodeToNodeMeshEnabled: false });
        expect(graph.captured.find(c => c.name === "bgp-configuration")?.dependsOn.sort()).toEqual([
            "bgp-peer-kube-baseline-route-reflector-clients", "bgp-peer-kube-baseline-route-reflector-mesh", "bgp-peer-tor",
            "bgp-rr-cp1", "bgp-rr-node1",
        ]);

        expect(byName(mine, "bgp-peer-tor").inputs.spec.password).toEqual({ secretKeyRef: { name: "bgp-secrets", key: "tor" } });
        // calico-node may read exactly the password Secrets, in its own namespace
        const role = mine.find(r => r.type === "kubernetes:rbac.authorization.k8s.io/v1:Role")!;
        expect(role.inputs.metadata.namespace).toBe("kube-system");
        expect(role.inputs.rules).toEqual([{ apiGroups: [""], resources: ["secrets"], resourceNames: ["bgp-secrets"], verbs: ["get", "list", "watch"] }]);
        const binding = mine.find(r => r.type === "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")!;
        expect(binding.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: "calico-node", namespace: "kube-system" }]);
        expect(graph.captured.find(c => c.name === "bgp-peer-tor")?.dependsOn).toEqual(["bgp-rr-cp1", "bgp-rr-node1", "bgp-password-reader", "bgp-password-reader"]);
    });

    test("plain mesh: only the BGPConfiguration, no labels, peers or RBAC", async () => {
        const start = since();
        new CalicoBgp("mesh", { config: bgpConfig({ logSeverityScreen: "Warning" }) });
        await settle();
        const mine = registeredSince(start);
        expect(mine.map(r => r.type)).toEqual(["kube-baseline:network:CalicoBgp", "kubernetes:crd.projectcalico.org/v1:BGPConfiguration"]);
        expect(mine[1].inputs.spec).toEqual({ asNumber: 64512, nodeToNodeMeshEnabled: true, logSeverityScreen: "Warning" });
    });
});

describe("NodeKernel", () => {
    test("one command per node, no ordering between them, effective values per node as an output", async () => {
        const start = since();
        const graph = captureGraph();
        const config = validated({ cni: { kind: "flannel" }, kubeProxy: { mode: "ipvs", scheduler: "lc" } });
        const kernel = new NodeKernel("node-kernel", {
            nodes, sshPrivateKey: pulumi.secret("KEY"), cni: config.cni, kubeProxy: config.kubeProxy, kernel: config.nodeKernel!,
        }, { transformations: [graph.transformation] });
        const effective = await valueOf(kernel.effective);
        await settle();

        expect(Object.keys(effective).sort()).toEqual(["cp1", "node1"]);
        expect(effective.node1.modules.vxlan).toBe("builtin");
        expect(kernel.settings.modules).toEqual(expect.arrayContaining(["vxlan", "ip_vs", "ip_vs_lc", "br_netfilter"]));

        const commands = registeredSince(start).filter(r => r.name.startsWith("node-kernel-"));
        expect(commands.map(r => r.name)).toEqual(["node-kernel-cp1", "node-kernel-node1"]);
        for (const c of graph.captured.filter(c => c.name.startsWith("node-kernel-"))) expect(c.dependsOn).toEqual([]);

        const rootInputs = byName(commands, "node-kernel-cp1").inputs;
        // the private key makes the whole connection a secret input
        expect(isSecret(rootInputs.connection)).toBe(true);
        const root = plain(rootInputs);
        expect(root.create).toBe("sh -s");
        expect(root.update).toBe("sh -s");
        expect(root.stdin).toContain("ip_vs_lc");
        expect(root.stdin).toContain("NODE='cp1'");
        expect(root.delete).toContain("restored");
        expect(root.connection).toMatchObject({ host: "10.0.0.11", port: 22, user: "root", hostKey: HOST_KEY });
        const ops = plain(byName(commands, "node-kernel-node1").inputs);
        expect(ops.create).toBe("sudo -n sh -s");
        expect(ops.delete.startsWith("sudo -n sh -c ")).toBe(true);
    });
});
