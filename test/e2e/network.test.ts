// The network plane end to end (issue 4): one stack taken through Flannel vxlan, Flannel host-gw, Calico with
// two route reflectors and the mesh off, then back to the mesh — each step a `pulumi up` whose effect is
// checked in the cluster and inside each node's own network namespace; then a no-op up and a destroy that
// gives the nodes their kernel settings and kube-proxy its config.conf back.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { createHash } from "crypto";
import { createDevStack, timed } from "./support/devStack";
import { TestStack } from "./support/pulumiStack";
import { ensureSandboxUp, kubectl, SandboxDescription, ssh } from "./support/sandbox";

jest.setTimeout(60 * 60_000);

const SYSCTLS = ["net.ipv4.ip_forward", "net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables"];
const SYSCTL_FILE = "/etc/sysctl.d/90-kube-baseline-network.conf";
const MODULES_FILE = "/etc/modules-load.d/90-kube-baseline-network.conf";
const flannel = (backend: Record<string, unknown>) => ({
    kind: "flannel", manifest: { path: "test/fixtures/cni/kube-flannel.yml" }, flannel: { backend },
});
const calico = (pool: Record<string, unknown>) => ({
    kind: "calico", manifest: { path: "test/fixtures/cni/calico.yaml" }, calico: { pool },
});
const reflectors = { nodes: ["kb-cp1", "kb-w1"], clusterId: "244.0.0.1" };
const KUBE_PROXY_BACKUP = "/var/lib/kube-baseline/kube-proxy/config.conf";
const FLANNEL_SELECTOR = "app=flannel,tier=node";
const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

let desc: SandboxDescription;
let net: TestStack | undefined;
let sysctlsBefore: Record<string, Record<string, string>>;
let kubeProxyBefore: { configSha256: string; templateAnnotations: Record<string, string> };
const timings: Record<string, number> = {};

function readSysctls(): Record<string, Record<string, string>> {
    return Object.fromEntries(desc.nodes.map(node => [node.name, Object.fromEntries(
        SYSCTLS.map(key => [key, ssh(node, `sysctl -n ${key}`, desc).trim()]))]));
}
function json<T>(args: string[]): T {
    return JSON.parse(kubectl([...args, "-o", "json"])) as T;
}
function kubeProxyState() {
    const cm = json<{ data: Record<string, string> }>(["get", "configmap", "kube-proxy", "-n", "kube-system"]);
    const ds = json<{ spec: { template: { metadata: { annotations?: Record<string, string> } } } }>(
        ["get", "daemonset", "kube-proxy", "-n", "kube-system"]);
    return {
        configSha256: createHash("sha256").update(cm.data["config.conf"], "utf8").digest("hex"),
        templateAnnotations: ds.spec.template.metadata.annotations ?? {},
    };
}
/** Flannel's workloads as upstream labels them: DaemonSets, pods, ConfigMaps (names, all namespaces). */
function flannelWorkloads(): string[] {
    return kubectl(["get", "daemonsets,pods,configmaps", "-A", "-l", FLANNEL_SELECTOR, "-o", "name"]).split("\n").filter(l => l !== "");
}
const cp1 = () => desc.nodes.find(n => n.name === "kb-cp1")!;
async function upWith(step: string, overrides: Record<string, unknown>, onEvent?: (event: EngineEvent) => void) {
    // Each step rewrites the network keys of the same stack, as a user editing Pulumi.<stack>.yaml would.
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) await net!.stack.removeConfig(key);
        else await net!.stack.setConfig(key, { value: JSON.stringify(value) });
    }
    const run = await timed(() => net!.stack.up({ onOutput: line => net!.log.push(line), onEvent }));
    timings[step] = run.seconds;
    expect(run.result.summary.result).toBe("succeeded");
    return run.result;
}

beforeAll(async () => {
    desc = ensureSandboxUp();
    sysctlsBefore = readSysctls();
    kubeProxyBefore = kubeProxyState();
    net = await createDevStack(`network${process.pid}`);
});

afterAll(async () => {
    if (net) {
        try {
            await net.stack.destroy({ onOutput: line => net!.log.push(line) });
        } finally {
            await net.dispose();
        }
    }
    console.log(`network e2e timings (s): ${JSON.stringify(timings)}`);
});

test("flannel vxlan -> host-gw -> calico with route reflectors, mesh off -> mesh on; destroy restores nodes", async () => {
    // 1. Flannel vxlan (the dev stack's own network config).
    await upWith("flannel-vxlan", { "kube-baseline:cni": flannel({ type: "vxlan", vni: 1, port: 8472 }) });
    const cfg1 = json<{ data: Record<string, string> }>(["get", "configmap", "kube-flannel-cfg", "-n", "kube-flannel"]);
    expect(JSON.parse(cfg1.data["net-conf.json"])).toMatchObject({ Network: "10.244.0.0/16", Backend: { Type: "vxlan", VNI: 1, Port: 8472 } });
    const effective = readSysctls();
    console.log(`effective kernel values per node: ${JSON.stringify(effective)}`);
    for (const node of desc.nodes) {
        expect(effective[node.name]).toEqual(Object.fromEntries(SYSCTLS.map(k => [k, "1"])));
        expect(ssh(node, `cat ${SYSCTL_FILE}`, desc)).toContain("net.ipv4.ip_forward = 1");
        expect(ssh(node, `cat ${MODULES_FILE}`, desc)).toMatch(/^vxlan$/m);
    }
    const outputs = await net!.stack.outputs();
    expect(Object.keys(outputs.nodeKernel.value).sort()).toEqual(desc.nodes.map(n => n.name).sort());
    // kube-proxy's config.conf is edited (mode iptables), and the original is kept, root-only, on kb-cp1.
    expect(kubeProxyState().configSha256).not.toBe(kubeProxyBefore.configSha256);
    expect(ssh(cp1(), `stat -c %a ${KUBE_PROXY_BACKUP}; sha256sum < ${KUBE_PROXY_BACKUP}`, desc).split(/\s+/).slice(0, 2))
        .toEqual(["600", kubeProxyBefore.configSha256]);
    const ds1 = json<{ spec: { template: { metadata: { annotations: Record<string, string> } } } }>(
        ["get", "daemonset", "kube-flannel-ds", "-n", "kube-flannel"]);
    const hash1 = ds1.spec.template.metadata.annotations["kube-baseline.io/net-conf-sha256"];

    // 2. host-gw: net-conf.json changes and the flannel pods are rolled (pod template annotation).
    await upWith("flannel-host-gw", { "kube-baseline:cni": flannel({ type: "host-gw" }) });
    const cfg2 = json<{ data: Record<string, string> }>(["get", "configmap", "kube-flannel-cfg", "-n", "kube-flannel"]);
    expect(JSON.parse(cfg2.data["net-conf.json"]).Backend).toEqual({ Type: "host-gw" });
    const ds2 = json<{ spec: { template: { metadata: { annotations: Record<string, string> } } } }>(
        ["get", "daemonset", "kube-flannel-ds", "-n", "kube-flannel"]);
    expect(ds2.spec.template.metadata.annotations["kube-baseline.io/net-conf-sha256"]).not.toBe(hash1);

    // What a real Flannel leaves on a node: its CNI config and the flannel.1 VXLAN link.
    for (const node of desc.nodes) {
        ssh(node, "mkdir -p /etc/cni/net.d && echo '{}' > /etc/cni/net.d/10-flannel.conflist && " +
            "(ip link show flannel.1 >/dev/null 2>&1 || ip link add flannel.1 type vxlan id 1 dstport 8472 nolearning)", desc);
    }

    // IPIP needs the ipip module: this kernel has none and cannot load one, so the update fails before any
    // Calico object exists, naming the node and the module.
    await net!.stack.setConfig("kube-baseline:cni", { value: JSON.stringify(calico({ ipipMode: "CrossSubnet", vxlanMode: "Never" })) });
    await expect(net!.stack.up({ onOutput: line => net!.log.push(line) })).rejects.toThrow(/kb-(cp1|w1|w2)[^\n]*ipip/);
    expect(() => kubectl(["get", "ippools.crd.projectcalico.org", "default-ipv4-ippool"])).toThrow();

    // 3. Calico, VXLAN CrossSubnet, two route reflectors, mesh off. (IPIP needs the ipip module, which this
    //    machine's kernel lacks: see the step above.) Flannel leaves the cluster and the nodes before Calico
    //    starts: the cleanup reports what it deleted, and the engine's events (sequence numbers) give the order.
    expect(flannelWorkloads().length).toBeGreaterThan(0);
    const events: EngineEvent[] = [];
    const isObjectCreate = (e: EngineEvent) => e.resourcePreEvent?.metadata.op === "create"
        && e.resourcePreEvent.metadata.type.startsWith("kubernetes:") && !e.resourcePreEvent.metadata.type.startsWith("kubernetes:yaml");
    await upWith("calico-reflectors-mesh-off", {
        "kube-baseline:cni": calico({ vxlanMode: "CrossSubnet", ipipMode: "Never", blockSize: 26 }),
        "kube-baseline:bgp": { asNumber: 64512, nodeToNodeMesh: false, routeReflectors: reflectors },
    }, event => events.push(event));
    const finished = (urnEnd: RegExp) => events.filter(e => e.resOutputsEvent && urnEnd.test(e.resOutputsEvent.metadata.urn));
    const clusterCleanup = finished(/::cni-flannel-cleanup-cluster$/);
    const nodeCleanups = finished(/::cni-flannel-cleanup-kb-(cp1|w1|w2)$/);
    const creates = events.filter(isObjectCreate);
    expect(clusterCleanup).toHaveLength(1);
    expect(nodeCleanups).toHaveLength(desc.nodes.length);
    expect(creates.map(e => e.resourcePreEvent!.metadata.type)).toContain("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
    const cleanupDone = Math.max(...[...clusterCleanup, ...nodeCleanups].map(e => e.sequence));
    expect(cleanupDone).toBeLessThan(Math.min(...creates.map(e => e.sequence)));
    expect(Math.max(...nodeCleanups.map(e => e.sequence))).toBe(cleanupDone); // nodes after the cluster step
    // The cleanup's own report (a component output, in the state), not Pulumi's later delete, removed them.
    const state = await net!.stack.exportStack();
    const cleanupState = (state.deployment.resources as Array<{ type: string; outputs?: Record<string, any> }>)
        .find(r => r.type === "kube-baseline:network:FlannelCleanup");
    expect(cleanupState?.outputs?.cluster).toEqual({
        node: "kb-cp1", daemonSets: ["kube-flannel/kube-flannel-ds"], configMaps: ["kube-flannel/kube-flannel-cfg"],
    });
    const cleanupStarted = events.find(e => e.resourcePreEvent?.metadata.urn.endsWith("::cni-flannel-cleanup-cluster"))!;
    console.log(`flannel cluster cleanup: events ${cleanupStarted.sequence}-${clusterCleanup[0].sequence}, ` +
        `${clusterCleanup[0].timestamp - cleanupStarted.timestamp}s; nodes done at ${cleanupDone}; first Kubernetes create at ${creates[0].sequence}`);
    // Pulumi's own delete of the Flannel objects, at the end of the run, found them gone and went through.
    const flannelDeletes = events.filter(e => e.resOutputsEvent?.metadata.op === "delete" && /kube-flannel|::cni-flannel/.test(e.resOutputsEvent.metadata.urn));
    expect(flannelDeletes.map(e => e.resOutputsEvent!.metadata.type)).toEqual(expect.arrayContaining([
        "kubernetes:apps/v1:DaemonSet", "kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:Namespace",
    ]));
    expect(flannelWorkloads()).toEqual([]);
    for (const [kind, name] of [["namespace", "kube-flannel"], ["clusterrole", "flannel"], ["clusterrolebinding", "flannel"]]) {
        expect(() => kubectl(["get", kind, name])).toThrow(/NotFound|not found/);
    }
    for (const node of desc.nodes) {
        expect(ssh(node, "test -e /etc/cni/net.d/10-flannel.conflist && echo present || echo absent", desc).trim()).toBe("absent");
        expect(ssh(node, "ip link show flannel.1 >/dev/null 2>&1 && echo present || echo absent", desc).trim()).toBe("absent");
    }
    const pool = json<{ spec: Record<string, unknown> }>(["get", "ippools.crd.projectcalico.org", "default-ipv4-ippool"]);
    expect(pool.spec).toMatchObject({ cidr: "10.244.0.0/16", blockSize: 26, vxlanMode: "CrossSubnet", ipipMode: "Never", natOutgoing: true });
    const bgpConfig = json<{ spec: Record<string, unknown> }>(["get", "bgpconfigurations.crd.projectcalico.org", "default"]);
    expect(bgpConfig.spec).toMatchObject({ asNumber: 64512, nodeToNodeMeshEnabled: false });
    const peers = json<{ items: Array<{ spec: Record<string, string> }> }>(["get", "bgppeers.crd.projectcalico.org"]);
    expect(peers.items.map(p => p.spec)).toEqual(expect.arrayContaining([
        expect.objectContaining({ nodeSelector: "all()", peerSelector: "route-reflector == 'true'" }),
        expect.objectContaining({ nodeSelector: "route-reflector == 'true'", peerSelector: "route-reflector == 'true'" }),
    ]));
    for (const name of reflectors.nodes) {
        const node = json<{ metadata: { labels: Record<string, string>; annotations: Record<string, string> } }>(["get", "node", name]);
        expect(node.metadata.labels["route-reflector"]).toBe("true");
        expect(node.metadata.annotations["projectcalico.org/RouteReflectorClusterID"]).toBe(reflectors.clusterId);
    }
    const notReflector = json<{ metadata: { labels: Record<string, string> } }>(["get", "node", "kb-w2"]);
    expect(notReflector.metadata.labels["route-reflector"]).toBeUndefined();

    // 4. Back to the mesh: mesh on, reflectors and their peers gone.
    await upWith("calico-mesh-on", { "kube-baseline:bgp": { asNumber: 64512, nodeToNodeMesh: true } });
    expect(json<{ spec: Record<string, unknown> }>(["get", "bgpconfigurations.crd.projectcalico.org", "default"]).spec)
        .toMatchObject({ nodeToNodeMeshEnabled: true });
    expect(json<{ items: unknown[] }>(["get", "bgppeers.crd.projectcalico.org"]).items).toEqual([]);
    for (const name of reflectors.nodes) {
        const node = json<{ metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } }>(["get", "node", name]);
        expect(node.metadata.labels?.["route-reflector"]).toBeUndefined();
        expect(node.metadata.annotations?.["projectcalico.org/RouteReflectorClusterID"]).toBeUndefined();
    }

    // A no-op up reports no changes.
    const again = await upWith("no-op", {});
    expect(Object.keys(again.summary.resourceChanges ?? {}).filter(k => k !== "same" && k !== "read")).toEqual([]);

    // Destroy gives every node its kernel values back and removes the persisted files; kube-proxy gets its
    // config.conf back exactly, and its pods are restarted to read it.
    const destroy = await timed(() => net!.stack.destroy({ onOutput: line => net!.log.push(line) }));
    timings.destroy = destroy.seconds;
    expect(readSysctls()).toEqual(sysctlsBefore);
    const kubeProxyAfter = kubeProxyState();
    expect(kubeProxyAfter.configSha256).toBe(kubeProxyBefore.configSha256);
    expect(kubeProxyAfter.templateAnnotations[RESTARTED_AT]).toBeDefined();
    expect(kubeProxyAfter.templateAnnotations[RESTARTED_AT]).not.toBe(kubeProxyBefore.templateAnnotations[RESTARTED_AT]);
    expect(kubeProxyAfter.templateAnnotations["kube-baseline.io/kube-proxy-config-sha256"]).toBeUndefined();
    expect(ssh(cp1(), `test -e ${KUBE_PROXY_BACKUP} && echo present || echo absent`, desc).trim()).toBe("absent");
    for (const node of desc.nodes) {
        expect(ssh(node, `ls ${SYSCTL_FILE} ${MODULES_FILE} 2>/dev/null | wc -l`, desc).trim()).toBe("0");
    }
});
