import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    KUBE_PROXY_BACKUP_FILE, parseKubeProxySaveResult, renderKubeProxyRestoreScript, renderKubeProxySaveScript,
} from "../../../lib/network/kubeProxyOriginal";

// Each test starts real shells; allow for a busy machine.
jest.setTimeout(30_000);

// Ends without a newline and with trailing blanks: what kubectl and the restore must keep byte for byte.
const ORIGINAL = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
# "quoted" \\ and a tab:\there
mode: ""
winkernel:
  sourceVip: ""  `;
const EDITED = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: \"iptables\"\n";

// A fake kubectl (a Node script) over one ConfigMap kept as JSON: the get/create/patch/rollout calls the
// scripts make, with kubectl's behaviour for each (jsonpath prints a string raw and an object as JSON).
function fakeCluster(data: Record<string, string> | undefined) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "kb-kube-proxy-"));
    const state = path.join(root, "cluster.json");
    fs.writeFileSync(state, JSON.stringify({ data, restarts: 0 }));
    const kubeconfig = path.join(root, "admin.conf");
    fs.writeFileSync(kubeconfig, "fake");
    const kubectl = path.join(root, "kubectl");
    fs.writeFileSync(kubectl, `#!${process.execPath}
const fs = require("fs");
const state = ${JSON.stringify(state)};
const args = process.argv.slice(2);
const s = JSON.parse(fs.readFileSync(state, "utf8"));
const has = (...words) => words.every(w => args.includes(w));
const flag = name => { const a = args.find(x => x.startsWith(name + "=")); return a ? a.slice(name.length + 1) : args[args.indexOf(name) + 1]; };
if (process.env.KUBECONFIG !== ${JSON.stringify(kubeconfig)}) process.exit(9);
if (has("get", "configmap", "kube-proxy") && flag("-o") === "jsonpath={.data.config\\\\.conf}") {
  if (!s.data || !("config.conf" in s.data)) { process.stderr.write("error: config.conf is not found\\n"); process.exit(1); }
  process.stdout.write(s.data["config.conf"]);
} else if (has("create", "configmap", "kube-proxy", "--dry-run=client") && flag("-o") === "jsonpath={.data}") {
  const [key, file] = flag("--from-file").split("=");
  process.stdout.write(JSON.stringify({ [key]: fs.readFileSync(file, "utf8") }));
} else if (has("patch", "configmap", "kube-proxy", "--type", "merge")) {
  const patch = JSON.parse(fs.readFileSync(flag("--patch-file"), "utf8"));
  s.data = { ...s.data, ...patch.data };
} else if (has("rollout", "restart", "daemonset/kube-proxy")) {
  s.restarts += 1;
} else {
  process.stderr.write("fake kubectl: unexpected " + args.join(" ") + "\\n");
  process.exit(2);
}
fs.writeFileSync(state, JSON.stringify(s));
`, { mode: 0o755 });
    const options = { node: "cp1", kubeconfigPath: kubeconfig, kubectl, root };
    const run = (script: string) => spawnSync("/bin/sh", ["-s"], { input: script, encoding: "utf8" });
    return {
        backup: path.join(root, KUBE_PROXY_BACKUP_FILE),
        save: () => run(renderKubeProxySaveScript(options)),
        restore: () => run(renderKubeProxyRestoreScript(options)),
        read: () => JSON.parse(fs.readFileSync(state, "utf8")) as { data: Record<string, string>; restarts: number },
        edit: (text: string) => {
            const s = JSON.parse(fs.readFileSync(state, "utf8"));
            s.data["config.conf"] = text;
            fs.writeFileSync(state, JSON.stringify(s));
        },
        remove: () => fs.rmSync(root, { recursive: true, force: true }),
    };
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

test("the first save keeps config.conf byte for byte in a root-only file; later saves keep that original", () => {
    const cluster = fakeCluster({ "config.conf": ORIGINAL, "kubeconfig.conf": "kc" });
    const first = cluster.save();
    expect(first.stderr).toBe("");
    expect(parseKubeProxySaveResult(first.stdout, "cp1")).toEqual({ node: "cp1", backup: "saved", sha256: sha256(ORIGINAL) });
    expect(fs.readFileSync(cluster.backup, "utf8")).toBe(ORIGINAL);
    expect(fs.statSync(cluster.backup).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(cluster.backup)).mode & 0o777).toBe(0o700);

    cluster.edit(EDITED);
    const again = cluster.save();
    expect(parseKubeProxySaveResult(again.stdout, "cp1")).toEqual({ node: "cp1", backup: "kept", sha256: sha256(ORIGINAL) });
    expect(fs.readFileSync(cluster.backup, "utf8")).toBe(ORIGINAL);
    cluster.remove();
});

test("restore writes the original back exactly, leaves the other keys, restarts kube-proxy and removes the copy", () => {
    const cluster = fakeCluster({ "config.conf": ORIGINAL, "kubeconfig.conf": "kc" });
    expect(cluster.save().status).toBe(0);
    cluster.edit(EDITED);
    const restored = cluster.restore();
    expect(restored.stderr).toBe("");
    expect(restored.status).toBe(0);
    expect(JSON.parse(restored.stdout)).toEqual({ node: "cp1", restored: true, sha256: sha256(ORIGINAL) });
    expect(cluster.read()).toEqual({ data: { "config.conf": ORIGINAL, "kubeconfig.conf": "kc" }, restarts: 1 });
    expect(fs.existsSync(cluster.backup)).toBe(false);
    // the directories it made go too (the parent only when empty: node-kernel keeps its state there)
    expect(fs.existsSync(path.dirname(path.dirname(cluster.backup)))).toBe(false);

    // A second restore (a retried destroy) has nothing left to do and says so.
    const twice = cluster.restore();
    expect(twice.status).toBe(0);
    expect(twice.stderr).toMatch(/^node cp1: warning: no saved config.conf/);
    expect(cluster.read().restarts).toBe(1);
    cluster.remove();
});

test("a ConfigMap without config.conf fails the save, naming the node, and leaves no copy", () => {
    const cluster = fakeCluster({ "kubeconfig.conf": "kc" });
    const result = cluster.save();
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/^node cp1: cannot read config.conf of ConfigMap kube-system\/kube-proxy/m);
    expect(fs.readdirSync(path.dirname(cluster.backup))).toEqual([]);
    cluster.remove();
});

test("refuses unsafe paths; result parsing names the node", () => {
    expect(() => renderKubeProxySaveScript({ node: "cp1", kubeconfigPath: "admin.conf", kubectl: "kubectl" })).toThrow(/unsafe kubeconfig path/);
    expect(() => renderKubeProxyRestoreScript({ node: "cp1", kubeconfigPath: "/a", kubectl: "kubectl;rm" })).toThrow(/unsafe kubectl command/);
    expect(() => parseKubeProxySaveResult("", "cp1")).toThrow(/^node cp1: .*no result/);
    expect(() => parseKubeProxySaveResult(`{"node":"cp1","backup":"saved","sha256":"x"}`, "cp1")).toThrow(/^node cp1: unexpected/);
});
