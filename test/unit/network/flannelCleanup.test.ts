import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    FLANNEL_SELECTOR, parseFlannelCleanupResult, parseFlannelClusterCleanupResult, renderFlannelCleanupScript, renderFlannelClusterCleanupScript,
} from "../../../lib/network/flannelCleanup";

// Each test starts real shells; allow for a busy machine.
jest.setTimeout(30_000);

function fakeNode(withFlannel: boolean) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "kb-flannel-"));
    const bin = path.join(root, "fake-bin");
    fs.mkdirSync(bin);
    fs.mkdirSync(path.join(root, "links"));
    // `ip link show|delete NAME` against a directory of fake links
    fs.writeFileSync(path.join(bin, "ip"), `#!/bin/sh
[ "$1" = link ] || exit 2
case "$2" in
  show) [ -e "$FAKE_ROOT/links/$3" ] ;;
  delete) rm "$FAKE_ROOT/links/$3" ;;
  *) exit 2 ;;
esac
`, { mode: 0o755 });
    fs.mkdirSync(path.join(root, "etc/cni/net.d"), { recursive: true });
    fs.writeFileSync(path.join(root, "etc/cni/net.d/10-calico.conflist"), "{}");
    if (withFlannel) {
        fs.writeFileSync(path.join(root, "etc/cni/net.d/10-flannel.conflist"), "{}");
        fs.writeFileSync(path.join(root, "links/flannel.1"), "");
    }
    const run = () => spawnSync("/bin/sh", ["-s"], {
        input: renderFlannelCleanupScript({ node: "node1", root }), encoding: "utf8",
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_ROOT: root },
    });
    return { root, run };
}

test("removes Flannel's CNI config and flannel.1, nothing else", () => {
    const node = fakeNode(true);
    const result = node.run();
    expect(result.status).toBe(0);
    expect(parseFlannelCleanupResult(result.stdout, "node1")).toEqual({ node: "node1", removedConfig: true, removedLink: true });
    expect(fs.readdirSync(path.join(node.root, "etc/cni/net.d"))).toEqual(["10-calico.conflist"]);
    expect(fs.existsSync(path.join(node.root, "links/flannel.1"))).toBe(false);
    fs.rmSync(node.root, { recursive: true, force: true });
});

test("is a no-op on a node without Flannel", () => {
    const node = fakeNode(false);
    const result = node.run();
    expect(result.status).toBe(0);
    expect(parseFlannelCleanupResult(result.stdout, "node1")).toEqual({ node: "node1", removedConfig: false, removedLink: false });
    fs.rmSync(node.root, { recursive: true, force: true });
});

test("result parsing names the node", () => {
    expect(() => parseFlannelCleanupResult("", "node2")).toThrow(/^node node2:/);
    expect(() => parseFlannelCleanupResult(`{"node":"node1","removedConfig":true,"removedLink":false}`, "node2")).toThrow(/^node node2: unexpected/);
});

// A fake kubectl over a directory per kind ("<namespace>:<name>" files holding the object's labels): enough
// of get -l/delete for the cluster cleanup. Deleting a DaemonSet takes its pods with it unless STUCK is set. Every call is logged.
type Objects = { daemonsets?: string[]; configmaps?: string[]; pods?: string[] };
function fakeCluster(objects: Objects, others: Objects = {}) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "kb-flannel-cluster-"));
    for (const kind of ["daemonsets", "configmaps", "pods"] as const) {
        fs.mkdirSync(path.join(root, kind));
        for (const ref of objects[kind] ?? []) fs.writeFileSync(path.join(root, kind, ref.replace("/", ":")), "app=flannel,tier=node");
        for (const ref of others[kind] ?? []) fs.writeFileSync(path.join(root, kind, ref.replace("/", ":")), "k8s-app=kube-dns");
    }
    const kubeconfig = path.join(root, "admin.conf");
    fs.writeFileSync(kubeconfig, "fake");
    const kubectl = path.join(root, "kubectl");
    fs.writeFileSync(kubectl, `#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE/calls"
[ "$KUBECONFIG" = "$FAKE/admin.conf" ] || exit 9
ns=""; verb=""; kind=""; name=""; selector=""
while [ $# -gt 0 ]; do
  case "$1" in
    -n) ns=$2; shift 2 ;;
    -l) selector=$2; shift 2 ;;
    -o) shift 2 ;;
    --*) shift ;;
    get|delete) verb=$1; shift ;;
    *) if [ -z "$kind" ]; then kind=$1; else name=$1; fi; shift ;;
  esac
done
case "$verb" in
  get) for f in "$FAKE/$kind"/*; do [ -e "$f" ] && [ "$(cat "$f")" = "$selector" ] && printf '%s ' "$(basename "$f" | tr : /)"; done; true ;;
  delete) rm -f "$FAKE/$kind/$ns:$name"; [ "$kind" != daemonsets ] || [ -n "\${STUCK:-}" ] || rm -f "$FAKE/pods/$ns:$name-"* ;;
  *) exit 2 ;;
esac
`, { mode: 0o755 });
    const run = (extraEnv: Record<string, string> = {}, timeoutSeconds = 30) => spawnSync("/bin/sh", ["-s"], {
        input: renderFlannelClusterCleanupScript({ node: "cp1", kubeconfigPath: kubeconfig, kubectl, timeoutSeconds }),
        encoding: "utf8",
        env: { ...process.env, FAKE: root, ...extraEnv },
    });
    const left = (kind: string) => fs.readdirSync(path.join(root, kind));
    const calls = () => (fs.existsSync(path.join(root, "calls")) ? fs.readFileSync(path.join(root, "calls"), "utf8") : "");
    return { root, run, left, calls, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

describe("Flannel cluster cleanup", () => {
    test("deletes Flannel's DaemonSet and ConfigMap, by upstream's labels, once its pods are gone", () => {
        const cluster = fakeCluster({
            daemonsets: ["kube-flannel/kube-flannel-ds"],
            configmaps: ["kube-flannel/kube-flannel-cfg"],
            pods: ["kube-flannel/kube-flannel-ds-a1", "kube-flannel/kube-flannel-ds-b2"],
        });
        const result = cluster.run();
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        expect(parseFlannelClusterCleanupResult(result.stdout, "cp1")).toEqual({
            node: "cp1", daemonSets: ["kube-flannel/kube-flannel-ds"], configMaps: ["kube-flannel/kube-flannel-cfg"],
        });
        expect([cluster.left("daemonsets"), cluster.left("configmaps"), cluster.left("pods")]).toEqual([[], [], []]);
        const calls = cluster.calls().trim().split("\n");
        expect(calls.filter(c => c.startsWith("get")).every(c => c.includes(`-l ${FLANNEL_SELECTOR}`))).toBe(true);
        // the DaemonSet goes first, the ConfigMap only after the pods are gone
        const order = calls.map(c => c.replace(/^(-n \S+ )?/, "").split(" ").slice(0, 2).join(" "));
        expect(order).toEqual(["get daemonsets", "delete daemonsets", "get pods", "get configmaps", "delete configmaps"]);
        cluster.remove();
    });

    test("nothing labelled as Flannel is success, with nothing deleted", () => {
        const cluster = fakeCluster({}, { daemonsets: ["kube-system/kube-proxy"], pods: ["kube-system/coredns-1"] });
        const result = cluster.run();
        expect(result.status).toBe(0);
        expect(parseFlannelClusterCleanupResult(result.stdout, "cp1")).toEqual({ node: "cp1", daemonSets: [], configMaps: [] });
        expect([cluster.left("daemonsets"), cluster.left("pods")]).toEqual([["kube-system:kube-proxy"], ["kube-system:coredns-1"]]);
        cluster.remove();
    });

    test("pods that do not go fail the step after the bound, naming the node and the pods", () => {
        const cluster = fakeCluster({ daemonsets: ["kube-flannel/kube-flannel-ds"], pods: ["kube-flannel/kube-flannel-ds-a1"] });
        const result = cluster.run({ STUCK: "1" }, 1);
        expect(result.status).not.toBe(0);
        expect(result.stderr).toMatch(/^node cp1: Flannel pods still present after 1s: kube-flannel\/kube-flannel-ds-a1/);
        expect(cluster.left("configmaps")).toEqual([]);
        cluster.remove();
    });

    test("a missing kubectl or kubeconfig names the node", () => {
        const cluster = fakeCluster({});
        const missing = spawnSync("/bin/sh", ["-s"], {
            input: renderFlannelClusterCleanupScript({ node: "cp1", kubeconfigPath: "/nonexistent/admin.conf", kubectl: "kubectl-not-here", timeoutSeconds: 5 }),
            encoding: "utf8",
        });
        expect(missing.status).not.toBe(0);
        expect(missing.stderr).toMatch(/^node cp1: kubectl not found/);
        cluster.remove();
    });

    test("refuses unsafe paths and bad bounds", () => {
        expect(() => renderFlannelClusterCleanupScript({ node: "cp1", kubeconfigPath: "/etc/$(reboot)", kubectl: "kubectl", timeoutSeconds: 5 }))
            .toThrow(/unsafe kubeconfig path/);
        expect(() => renderFlannelClusterCleanupScript({ node: "cp1", kubeconfigPath: "/etc/kubernetes/admin.conf", kubectl: "kubectl", timeoutSeconds: 0 }))
            .toThrow(/timeoutSeconds/);
    });

    test("result parsing names the node and checks the shape", () => {
        expect(() => parseFlannelClusterCleanupResult("", "cp1")).toThrow(/^node cp1: .*no result/);
        expect(() => parseFlannelClusterCleanupResult(`{"node":"cp1","daemonSets":"x","configMaps":[]}`, "cp1")).toThrow(/^node cp1: unexpected/);
        expect(() => parseFlannelClusterCleanupResult(`{"node":"cp2","daemonSets":[],"configMaps":[]}`, "cp1")).toThrow(/^node cp1: unexpected/);
    });
});
