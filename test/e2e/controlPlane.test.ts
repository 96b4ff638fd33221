// Control-plane hardening end to end (issue 14): `pulumi up` of the dev stack on the sandbox, then what a platform
// engineer relies on, checked from outside the program: a request of a created user in the audit log under its
// name; a Secret from before the up and one from after stored encrypted (etcd's k8s:enc: prefix, read with
// etcdctl); the running apiserver's flags (profiling off, the TLS minimum); anonymous /readyz allowed and /api
// refused; the cisChecks output; a second up that changes nothing; the simulated `kubeadm upgrade` (the sandbox
// regenerates the manifests from kubeadm-config): every flag still there and the token user still authenticates;
// the drift preview that says what differs, and the up that re-applies; destroy: every Secret readable and stored
// plaintext, the manifests byte-identical to before the first up, kubeadm-config as it was.
//
// Needs root, the toolchain (kubeadm, etcdctl) and a sandbox (KUBE_BASELINE_SANDBOX_DIR names one; started when
// not running).
import { spawnSync } from "child_process";
import * as path from "path";
import { computeCisChecks } from "../../lib/controlPlane/cisChecks";
import { createDevStack, kubeconfigFile, timed } from "./support/devStack";
import { TestStack } from "./support/pulumiStack";
import { auditLogLines, ensureSandboxUp, kubectl, nodeNamed, runningFlags, SandboxDescription, SandboxNode, ssh } from "./support/sandbox";
import { repoRoot, toolchainPath } from "./support/toolchainEnv";

jest.setTimeout(40 * 60_000);

const COMPONENTS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"];
const AUDIT_LOG = "/etc/kubernetes/audit-log/audit.log";
let desc: SandboxDescription;
let cp: SandboxNode;
let dev: TestStack | undefined;
const pristine: Record<string, string> = {};
let pristineClusterConfiguration: string;
const report: string[] = [];

function run(command: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
    const r = spawnSync(command, args, { encoding: "utf8", timeout: 600_000, env: { ...process.env, PATH: toolchainPath() } });
    return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
const manifest = (c: string) => ssh(cp, `cat /etc/kubernetes/manifests/${c}.yaml`);
const clusterConfiguration = () => kubectl(["-n", "kube-system", "get", "configmap", "kubeadm-config", "-o", "jsonpath={.data.ClusterConfiguration}"]);

function etcdValue(namespace: string, name: string): string {
    return run("nsenter", [`--net=/run/netns/${cp.name}`, "etcdctl", "--endpoints=http://127.0.0.1:2379", "get", `/registry/secrets/${namespace}/${name}`, "--print-value-only"]).stdout;
}

const curlCode = (p: string) => run("curl", ["-sk", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", `${desc.apiServerEndpoint}${p}`]).stdout;
const secretValue = (name: string) => Buffer.from(JSON.parse(kubectl(["get", "secret", "-n", "default", name, "-o", "json"])).data.k, "base64").toString();
/** The result lines the Secret rewrites printed in an update's output. */
const rewrites = (log: string[]) => [...new Set(log.join("\n").match(/\{"rewritten":\d+,"milliseconds":\d+,"why":"[^"]*"\}/g) ?? [])];

beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error("this e2e test needs root (the sandbox's namespaces)");
    desc = ensureSandboxUp();
    cp = nodeNamed(desc, desc.nodes.find(n => n.roles.includes("control-plane"))!.name);
    for (const c of COMPONENTS) pristine[c] = manifest(c);
    pristineClusterConfiguration = clusterConfiguration();
    kubectl(["create", "secret", "generic", "e2e-cp-before", "-n", "default", "--from-literal=k=before"]);
    dev = await createDevStack(`controlplane${process.pid}`);
});

afterAll(async () => {
    run("kubectl", ["--kubeconfig", desc.kubeconfigPath, "delete", "secret", "-n", "default", "e2e-cp-before", "e2e-cp-after", "--ignore-not-found"]);
    if (dev) {
        try {
            await dev.stack.destroy({ onOutput: line => dev!.log.push(line) });
        } finally {
            await dev.dispose();
        }
    }
    console.log(report.join("\n"));
});

test("hardening through one patch: audit, encryption, flags, anonymous access, CIS, upgrade, drift, exact destroy", async () => {
    const stack = dev!.stack;
    const log: string[] = [];
    const up = await timed(() => stack.up({ onOutput: line => { dev!.log.push(line); log.push(line); } }));
    expect(up.result.summary.result).toBe("succeeded");
    report.push(`first up: ${up.seconds.toFixed(0)} s; rewrites: ${rewrites(log).join(" ")}`);
    kubectl(["create", "secret", "generic", "e2e-cp-after", "-n", "default", "--from-literal=k=after"]);

    // The CIS checks output, from the live manifests after the up.
    const outputs = await stack.outputs();
    const cis = outputs.cisChecks.value as { benchmark: string; nodes: Record<string, Record<string, { status: string; reason: string }>> };
    const checks = cis.nodes[cp.name];
    const before = new Map(computeCisChecks({ manifests: pristine }).map(c => [c.id, c]));
    report.push(`${cis.benchmark} on ${cp.name}, before -> after the up:`,
        ...Object.entries(checks).map(([id, c]) => `  ${id} ${before.get(id)?.status} -> ${c.status}: ${c.reason}`));
    for (const id of ["1.2.1", "1.2.14", "1.2.15", "1.2.16", "1.2.17", "1.2.18", "1.2.19", "1.2.20", "1.2.27", "1.2.28", "1.2.29", "1.3.2", "1.3.7", "1.4.1", "1.4.2", "3.2.1", "3.2.2"]) {
        expect([id, checks[id].status]).toEqual([id, "pass"]);
    }
    // The dev stack has a static token user (CIS 1.2.2).
    expect(checks["1.2.2"].status).toBe("fail");

    // Encryption: both Secrets are stored encrypted with kube-baseline's key, and read back.
    for (const name of ["e2e-cp-before", "e2e-cp-after"]) expect([name, etcdValue("default", name).slice(0, 40)]).toEqual([name, expect.stringMatching(/^k8s:enc:secretbox:v1:kube-baseline-1:/)]);
    expect(secretValue("e2e-cp-before")).toBe("before");

    // The running processes.
    expect(runningFlags("kube-apiserver")).toEqual(expect.arrayContaining(["--profiling=false", "--tls-min-version=VersionTLS12", "--token-auth-file=/etc/kubernetes/auth/token.csv"]));
    for (const c of ["kube-controller-manager", "kube-scheduler"]) expect(runningFlags(c)).toEqual(expect.arrayContaining(["--profiling=false", "--tls-min-version=VersionTLS12"]));

    // Anonymous: the health endpoints only.
    for (const p of ["/readyz", "/livez", "/healthz"]) expect([p, curlCode(p)]).toEqual([p, "200"]);
    for (const p of ["/api", "/version"]) expect([p, curlCode(p)]).toEqual([p, "401"]);

    // A created user's request in the audit log, under its name.
    const kubeconfigs = outputs.userKubeconfigs.value as Record<string, string>;
    const asTest = kubeconfigFile(kubeconfigs.test);
    const asWang = kubeconfigFile(kubeconfigs.wang);
    try {
        kubectl(["get", "pods", "-n", "dev"], asTest.path);
        const lines = (text: string) => auditLogLines(cp, AUDIT_LOG, text);
        expect(lines('"username":"test"').some(e => e.verb === "list" && e.objectRef?.resource === "pods" && e.objectRef?.namespace === "dev")).toBe(true);
        // Secrets at Metadata only: no request or response body of a Secret is ever logged.
        expect(lines('"resource":"secrets"').some(e => e.requestObject !== undefined || e.responseObject !== undefined)).toBe(false);

        // A second up changes nothing.
        const again = await stack.up({ onOutput: line => dev!.log.push(line) });
        expect(Object.keys(again.summary.resourceChanges ?? {}).filter(k => k !== "same" && k !== "read")).toEqual([]);

        // kubeadm upgrade, simulated: the manifests regenerated from kubeadm-config keep every flag.
        const regenerated = run("bash", [path.join(repoRoot, "sandbox", "sandbox.sh"), "regenerate-control-plane"]);
        expect(regenerated.code).toBe(0);
        report.push(`upgrade simulation: ${regenerated.stdout.trim().split("\n").join(" | ")}`);
        expect(runningFlags("kube-apiserver")).toEqual(expect.arrayContaining([
            "--profiling=false", "--tls-min-version=VersionTLS12", "--token-auth-file=/etc/kubernetes/auth/token.csv",
            "--encryption-provider-config=/etc/kubernetes/hardening/encryption-configuration.yaml",
            "--authentication-config=/etc/kubernetes/hardening/authentication-configuration.yaml",
            "--audit-policy-file=/etc/kubernetes/hardening/audit-policy.yaml", `--audit-log-path=${AUDIT_LOG}`,
        ]));
        for (const c of ["kube-controller-manager", "kube-scheduler"]) expect(runningFlags(c)).toContain("--profiling=false");
        expect(kubectl(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"], asWang.path)).toBe("wang");
        expect(etcdValue("default", "e2e-cp-after").startsWith("k8s:enc:secretbox:v1:kube-baseline-1:")).toBe(true);

        // The drift preview: it says which manifests differ from what kube-baseline wrote and how; the next up re-applies.
        const preview = await stack.preview({ onOutput: line => dev!.log.push(line) });
        expect(preview.stdout).toMatch(/kube-apiserver on \S+ differs from what kube-baseline last wrote \(regenerated, it seems\): flags reordered.*The next up re-applies the patch/);
        expect(preview.changeSummary.update ?? 0).toBeGreaterThan(0);
        report.push(`drift preview: ${(preview.stdout.match(/kube-apiserver on \S+ differs[^\n]*/) ?? [""])[0]}`);
        const reapply = await stack.up({ onOutput: line => dev!.log.push(line) });
        expect(reapply.summary.result).toBe("succeeded");
        const settled = await stack.preview({ onOutput: line => dev!.log.push(line) });
        expect(settled.stdout).not.toMatch(/differs from what kube-baseline last wrote/);
        expect(Object.keys(settled.changeSummary).filter(k => k !== "same" && k !== "read")).toEqual([]);
    } finally {
        asTest.remove();
        asWang.remove();
    }

    // Destroy: identity first, every Secret rewritten in plaintext, then everything put back as it was.
    const destroyLog: string[] = [];
    const destroy = await timed(() => stack.destroy({ onOutput: line => { dev!.log.push(line); destroyLog.push(line); } }));
    expect(destroy.result.summary.result).toBe("succeeded");
    report.push(`destroy: ${destroy.seconds.toFixed(0)} s; rewrites: ${rewrites(destroyLog).join(" ")}`);
    for (const c of COMPONENTS) expect([c, manifest(c)]).toEqual([c, pristine[c]]);
    expect(clusterConfiguration()).toBe(pristineClusterConfiguration);
    for (const name of ["e2e-cp-before", "e2e-cp-after"]) {
        expect([name, etcdValue("default", name).startsWith("k8s:enc:")]).toEqual([name, false]);
    }
    expect([secretValue("e2e-cp-before"), secretValue("e2e-cp-after")]).toEqual(["before", "after"]);
    for (const gone of ["/etc/kubernetes/hardening", "/etc/kubernetes/auth", "/etc/kubernetes/kube-baseline"]) {
        expect([gone, ssh(cp, `test -e ${gone} && echo present || echo absent`).trim()]).toEqual([gone, "absent"]);
    }
    expect(Object.keys(await stack.outputs())).toEqual([]);
});
