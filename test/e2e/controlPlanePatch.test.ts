// End to end on the sandbox, without Pulumi: the control-plane patch mechanism (lib/controlPlane) driven the way
// the components will drive it. Per component, one after the other: read the node's state over SSH, plan the
// update, run the apply script (secrets on stdin); then the proofs: the running processes' flags, anonymous
// access, Secrets encrypted in etcd, the audit log, the CIS checks from the live manifests; then kubeadm-config
// patched and the control plane regenerated as `kubeadm upgrade` does (sandbox regenerate-control-plane): every
// flag survives and a token user still authenticates; re-applying writes kube-baseline's text again and a second
// apply changes nothing; then an upgrade to a new version (kubernetesVersion in kubeadm-config, regenerated): the
// next apply re-bases onto the upgraded manifest; then encryption off (identity first, every Secret rewritten),
// the patch restored, kubeadm-config reverted: the manifests and the ConfigMap are byte-identical to what they
// were (but for the version the upgrade wrote), every Secret plaintext and readable. afterAll puts the version back.
//
// Needs root, the toolchain (kubeadm, etcdctl) and a sandbox (KUBE_BASELINE_SANDBOX_DIR names one; started when
// not running). Changes its control plane, and puts it back.
import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as path from "path";
import {
    applyClusterConfigurationPatch, clusterConfigurationChange, revertClusterConfigurationPatch,
} from "../../lib/controlPlane/clusterConfiguration";
import { checksTurnedFailing, computeCisChecks } from "../../lib/controlPlane/cisChecks";
import { ControlPlaneComponent, CONTROL_PLANE_COMPONENTS, manifestPath } from "../../lib/controlPlane/components";
import { EncryptionKey, Keyring, renderEncryptionConfiguration } from "../../lib/controlPlane/encryption";
import { controlPlanePatchFromSettings, hardeningFilePaths } from "../../lib/controlPlane/hardeningPatch";
import { resolveManifestFlags } from "../../lib/controlPlane/manifestPatch";
import { planManifestUpdate } from "../../lib/controlPlane/manifestUpdate";
import {
    applyPatchScript, parseManifestState, readManifestStateScript, renderApplyStdin, restorePatchScript,
} from "../../lib/controlPlane/nodeScripts";
import { ControlPlanePatch, mergeControlPlanePatches } from "../../lib/controlPlane/patchModel";
import { withControlPlaneDefaults } from "../../lib/controlPlane/settings";
import { componentHealthUrl } from "../../lib/controlPlane/staticPodManifest";
import { staticTokenPatch } from "../../lib/identity/apiserverManifest";
import { remoteShellCommand } from "../../lib/nodeShell";
import { auditLogLines, ensureSandboxUp, kubectl, nodeNamed, runningFlags, SandboxDescription, SandboxNode, sandboxDir } from "./support/sandbox";
import { repoRoot, toolchainPath } from "./support/toolchainEnv";

jest.setTimeout(600_000);

// The sandbox node's /var/log is the machine's: the audit log goes under the node's own /etc.
const SETTINGS = withControlPlaneDefaults({ enabled: true, audit: { logPath: "/etc/kubernetes/audit-log/audit.log" }, healthTimeoutSeconds: 180 });
const FILES = hardeningFilePaths(SETTINGS);
const KEY: EncryptionKey = { provider: "secretbox", name: "e2e-key-1" };
const SECRET_KEY = randomBytes(32).toString("base64");
const TOKEN = "e2ecpt.0123456789abcdef";
const TOKEN_PATCH = staticTokenPatch({ tokenFile: "/etc/kubernetes/auth/token.csv", volumeName: "kube-baseline-static-tokens" },
    `${TOKEN},e2e-cp-token,e2e-cp-token-uid,"e2e-ops"\n`);

let desc: SandboxDescription;
let cp: SandboxNode;
const pristine: Partial<Record<ControlPlaneComponent, string>> = {};
let pristineClusterConfiguration: string;

interface Result { code: number | null; stdout: string; stderr: string }

function run(command: string, args: string[], input?: string): Result {
    const r = spawnSync(command, args, { input, encoding: "utf8", timeout: 600_000, env: { ...process.env, PATH: toolchainPath() } });
    return { code: r.status, stdout: r.stdout ?? "", stderr: `${r.stderr ?? ""}${r.error ? `\n${r.error.message}` : ""}` };
}

function sshRun(script: string, input = ""): Result {
    return run("ssh", [
        "-i", cp.privateKeyPath, "-p", String(cp.sshPort), "-o", `UserKnownHostsFile=${desc.sshKnownHostsPath}`,
        "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", `${cp.user}@${cp.ip}`,
        remoteShellCommand(script, { sudo: cp.user !== "root" }),
    ], input);
}

function sshOk(script: string, input = ""): string {
    const r = sshRun(script, input);
    if (r.code !== 0) throw new Error(`on ${cp.name}: exit ${r.code}\n${r.stderr}`);
    return r.stdout;
}

const catFile = (file: string) => sshOk(`cat '${file}'`);

function paths(component: ControlPlaneComponent) {
    return { manifestPath: manifestPath(component, SETTINGS.manifestDirectory), stateDirectory: SETTINGS.stateDirectory };
}

/** Reads, plans and applies one component's patch; returns the apply script's result line. */
function applyComponent(component: ControlPlaneComponent, patch: ControlPlanePatch) {
    const p = patch[component]!;
    const state = parseManifestState(sshOk(readManifestStateScript(paths(component))));
    const update = planManifestUpdate(state, component, p);
    const script = applyPatchScript({
        node: cp.name, component, paths: paths(component), originalManifest: update.originalManifest, patchedManifest: update.patchedManifest,
        expected: update.expected, directories: p.directories, files: p.files,
        health: { url: componentHealthUrl(update.patchedManifest, component), timeoutSeconds: SETTINGS.healthTimeoutSeconds },
    });
    const out = sshOk(script, renderApplyStdin(p.files));
    return { update, result: JSON.parse(out.trim().split("\n").pop()!) };
}

function restoreComponent(component: ControlPlaneComponent, patch: ControlPlanePatch) {
    const p = patch[component]!;
    const state = parseManifestState(sshOk(readManifestStateScript(paths(component))));
    return sshOk(restorePatchScript({
        node: cp.name, component, paths: paths(component), originalManifest: state.original.text, patchedManifest: state.written?.text,
        files: p.files.map(f => f.path), directories: p.directories.map(d => d.path),
        health: { url: componentHealthUrl(state.original.text, component), timeoutSeconds: SETTINGS.healthTimeoutSeconds },
    }));
}

function hardening(keyring: Keyring | undefined): ControlPlanePatch {
    const encryptionConfiguration = keyring && renderEncryptionConfiguration(keyring, { [KEY.name]: SECRET_KEY });
    return mergeControlPlanePatches(controlPlanePatchFromSettings(SETTINGS, { encryptionConfiguration }), { "kube-apiserver": TOKEN_PATCH });
}

/** Every Secret rewritten through the apiserver, so it is stored with the current first provider. */
function rewriteSecrets(): { count: number; seconds: number } {
    const started = Date.now();
    const list = kubectl(["get", "secrets", "--all-namespaces", "-o", "json"]);
    const count = JSON.parse(list).items.length;
    kubectl(["replace", "-f", "-"], undefined, { input: list });
    return { count, seconds: (Date.now() - started) / 1000 };
}

function etcdValue(namespace: string, name: string): string {
    return run("nsenter", [`--net=/run/netns/${cp.name}`, "etcdctl", "--endpoints=http://127.0.0.1:2379", "get", `/registry/secrets/${namespace}/${name}`, "--print-value-only"]).stdout;
}

function curlCode(url: string): string {
    return run("curl", ["-sk", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", url]).stdout;
}

function liveCis() {
    const manifests = Object.fromEntries(CONTROL_PLANE_COMPONENTS.map(c => [c, catFile(manifestPath(c))]));
    const files: Record<string, string> = {};
    for (const f of [FILES.auditPolicy, FILES.authentication, FILES.encryption]) {
        const r = sshRun(`cat '${f}'`);
        if (r.code === 0) files[f] = r.stdout;
    }
    return computeCisChecks({ manifests, files });
}

const clusterConfiguration = () => kubectl(["-n", "kube-system", "get", "configmap", "kubeadm-config", "-o", "jsonpath={.data.ClusterConfiguration}"]);
function writeClusterConfiguration(text: string): void {
    kubectl(["-n", "kube-system", "patch", "configmap", "kubeadm-config", "--type=merge", "-p", JSON.stringify({ data: { ClusterConfiguration: text } })]);
}

beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error("this e2e test needs root (the sandbox's namespaces)");
    desc = ensureSandboxUp();
    cp = nodeNamed(desc, desc.nodes.find(n => n.roles.includes("control-plane"))!.name);
    for (const c of CONTROL_PLANE_COMPONENTS) pristine[c] = catFile(manifestPath(c));
    pristineClusterConfiguration = clusterConfiguration();
    kubectl(["create", "secret", "generic", "e2e-cp-before", "-n", "default", "--from-literal=k=before"]);
}, 600_000);

const UPGRADED = "v1.35.5";
const upgradedVersion = (text: string) => text.replace(/(kube-(apiserver|controller-manager|scheduler)):v1\.35\.4/, `$1:${UPGRADED}`)
    .replace("kubernetesVersion: v1.35.4", `kubernetesVersion: ${UPGRADED}`);

afterAll(() => {
    run("kubectl", ["--kubeconfig", desc.kubeconfigPath, "delete", "secret", "-n", "default", "e2e-cp-before", "e2e-cp-after", "--ignore-not-found"]);
    // Back to the version the sandbox runs.
    if (clusterConfiguration() !== pristineClusterConfiguration) {
        writeClusterConfiguration(pristineClusterConfiguration);
        run("bash", [path.join(repoRoot, "sandbox", "sandbox.sh"), "regenerate-control-plane"]);
    }
}, 300_000);

let cisBefore: ReturnType<typeof computeCisChecks>;
const report: string[] = [];

test("apply, one component after the other: each restarts onto its patched manifest", () => {
    cisBefore = liveCis();
    const patch = hardening([KEY, { provider: "identity" }]);
    for (const c of CONTROL_PLANE_COMPONENTS) {
        const { result } = applyComponent(c, patch);
        expect(result).toMatchObject({ node: cp.name, component: c, manifestChanged: true, restarted: true });
    }
    const rewritten = rewriteSecrets();
    report.push(`encrypt: ${rewritten.count} Secrets rewritten in ${rewritten.seconds.toFixed(1)} s`);
    kubectl(["create", "secret", "generic", "e2e-cp-after", "-n", "default", "--from-literal=k=after"]);
});

test("the running processes carry the flags: profiling off, the TLS minimum, the config files", () => {
    const apiserver = runningFlags("kube-apiserver");
    expect(apiserver).toEqual(expect.arrayContaining([
        "--profiling=false", "--tls-min-version=VersionTLS12", `--authentication-config=${FILES.authentication}`,
        `--encryption-provider-config=${FILES.encryption}`, `--audit-policy-file=${FILES.auditPolicy}`, "--token-auth-file=/etc/kubernetes/auth/token.csv",
    ]));
    for (const c of ["kube-controller-manager", "kube-scheduler"] as const) expect(runningFlags(c)).toEqual(expect.arrayContaining(["--profiling=false", "--bind-address=127.0.0.1"]));
});

test("anonymous requests reach /readyz, /livez and /healthz and nothing else", () => {
    for (const p of ["/readyz", "/livez", "/healthz"]) expect([p, curlCode(`${desc.apiServerEndpoint}${p}`)]).toEqual([p, "200"]);
    for (const p of ["/api", "/version", "/apis"]) expect([p, curlCode(`${desc.apiServerEndpoint}${p}`)]).toEqual([p, "401"]);
});

test("Secrets from before and after are stored encrypted with the key; both read back", () => {
    for (const name of ["e2e-cp-before", "e2e-cp-after"]) {
        expect(etcdValue("default", name).startsWith(`k8s:enc:secretbox:v1:${KEY.name}:`)).toBe(true);
    }
    expect(Buffer.from(JSON.parse(kubectl(["get", "secret", "-n", "default", "e2e-cp-before", "-o", "json"])).data.k, "base64").toString()).toBe("before");
});

test("a request appears in the audit log under the user's name; a health check does not", () => {
    kubectl(["get", "namespace", "kube-public"]);
    const lines = (text: string) => auditLogLines(cp, SETTINGS.audit.logPath, text, desc);
    expect(lines('"name":"kube-public"').some(e => e.user?.username === "kubernetes-admin" && e.verb === "get" && e.objectRef?.resource === "namespaces")).toBe(true);
    expect(lines('"resource":"secrets"').some(e => e.requestObject !== undefined)).toBe(false);
    expect(lines('"requestURI":"/readyz')).toEqual([]);
});

test("the CIS checks computed from the live manifests: what the settings are for passes", () => {
    const after = liveCis();
    report.push("CIS (before -> after):", ...after.map((c, i) => `  ${c.id} ${cisBefore[i].status} -> ${c.status}: ${c.reason}`));
    for (const id of ["1.2.1", "1.2.15", "1.2.16", "1.2.17", "1.2.18", "1.2.19", "1.2.20", "1.2.27", "1.2.28", "1.2.29", "1.3.2", "1.4.1", "3.2.1", "3.2.2"]) {
        expect([id, after.find(c => c.id === id)!.status]).toEqual([id, "pass"]);
    }
    // The static token is the one thing that turns a passing check failing.
    expect(checksTurnedFailing(cisBefore, after).map(c => c.id)).toEqual(["1.2.2"]);
});

test("kubeadm upgrade: with the patch in kubeadm-config, the regenerated control plane keeps every flag", () => {
    const patch = hardening([KEY, { provider: "identity" }]);
    const resolved = Object.fromEntries(CONTROL_PLANE_COMPONENTS.map(c => [c, resolveManifestFlags(pristine[c]!, c, patch[c]!)]));
    writeClusterConfiguration(applyClusterConfigurationPatch(pristineClusterConfiguration, clusterConfigurationChange(patch, resolved, pristine)));
    const regenerated = run("bash", [path.join(repoRoot, "sandbox", "sandbox.sh"), "regenerate-control-plane"]);
    expect(regenerated.stderr).toBe("");
    expect(regenerated.code).toBe(0);
    report.push(`upgrade simulation: ${regenerated.stdout.trim().split("\n").pop()}`);
    expect(runningFlags("kube-apiserver")).toEqual(expect.arrayContaining([
        "--profiling=false", `--encryption-provider-config=${FILES.encryption}`, `--authentication-config=${FILES.authentication}`,
        "--token-auth-file=/etc/kubernetes/auth/token.csv", "--tls-min-version=VersionTLS12",
    ]));
    for (const c of ["kube-controller-manager", "kube-scheduler"] as const) expect(runningFlags(c)).toContain("--profiling=false");
    const whoami = run("kubectl", ["--server", desc.apiServerEndpoint, "--certificate-authority", path.join(sandboxDir, "ca.crt"),
        "--token", TOKEN, "--kubeconfig", "/dev/null", "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
    expect(whoami.stdout).toBe("e2e-cp-token");
});

test("the next apply sees the drift, writes its own text over the regenerated one, and a second apply changes nothing", () => {
    const patch = hardening([KEY, { provider: "identity" }]);
    for (const c of CONTROL_PLANE_COMPONENTS) {
        const { update, result } = applyComponent(c, patch);
        expect(update.drift?.likelyCause).toBe("regenerated");
        // Regenerated without a new version: taking kube-baseline's changes out gives back the very original.
        expect(update.rebased).toBe(false);
        expect(update.originalManifest).toBe(pristine[c]);
        expect(result).toMatchObject({ manifestChanged: true });
    }
    for (const c of CONTROL_PLANE_COMPONENTS) {
        const { update, result } = applyComponent(c, patch);
        expect(update.upToDate).toBe(true);
        expect(result).toMatchObject({ manifestChanged: false, filesChanged: [], restarted: false });
    }
});

test("an upgrade to a new version: the next apply re-bases onto the upgraded manifest without kube-baseline", () => {
    const patch = hardening([KEY, { provider: "identity" }]);
    writeClusterConfiguration(upgradedVersion(clusterConfiguration()));
    const regenerated = run("bash", [path.join(repoRoot, "sandbox", "sandbox.sh"), "regenerate-control-plane"]);
    expect(regenerated.code).toBe(0);
    report.push(`upgrade to ${UPGRADED}: ${regenerated.stdout.trim().split("\n").pop()}`);
    for (const c of CONTROL_PLANE_COMPONENTS) {
        const { update, result } = applyComponent(c, patch);
        expect(update.drift?.likelyCause).toBe("kubeadm upgrade");
        expect(update.rebased).toBe(true);
        expect(update.originalManifest).toBe(upgradedVersion(pristine[c]!));
        expect(result).toMatchObject({ manifestChanged: true });
    }
    expect(runningFlags("kube-apiserver")).toContain("--profiling=false");
});

test("destroy: identity first, every Secret rewritten, then the patch and kubeadm-config go back byte for byte", () => {
    const patch = hardening([{ provider: "identity" }, KEY]);
    expect(applyComponent("kube-apiserver", patch).result).toMatchObject({ filesChanged: [FILES.encryption], restarted: true });
    const rewritten = rewriteSecrets();
    report.push(`decrypt: ${rewritten.count} Secrets rewritten in ${rewritten.seconds.toFixed(1)} s`);
    expect(etcdValue("default", "e2e-cp-before").startsWith("k8s:enc:")).toBe(false);

    const live = clusterConfiguration();
    const resolved = Object.fromEntries(CONTROL_PLANE_COMPONENTS.map(c => [c, resolveManifestFlags(pristine[c]!, c, patch[c]!)]));
    // The program knows the ConfigMap from before the upgrade: the revert keeps what the upgrade changed.
    writeClusterConfiguration(revertClusterConfigurationPatch(live, pristineClusterConfiguration, clusterConfigurationChange(patch, resolved, pristine)));
    for (const c of [...CONTROL_PLANE_COMPONENTS].reverse()) restoreComponent(c, patch);

    // What kubeadm writes for the upgraded version without kube-baseline; the ConfigMap as it was, but for the version.
    for (const c of CONTROL_PLANE_COMPONENTS) expect([c, catFile(manifestPath(c))]).toEqual([c, upgradedVersion(pristine[c]!)]);
    expect(clusterConfiguration()).toBe(upgradedVersion(pristineClusterConfiguration));
    for (const f of [FILES.encryption, FILES.auditPolicy, "/etc/kubernetes/auth/token.csv"]) expect(sshRun(`test ! -e '${f}'`).code).toBe(0);
    for (const name of ["e2e-cp-before", "e2e-cp-after"]) {
        expect(etcdValue("default", name).startsWith("k8s:enc:")).toBe(false);
        expect(JSON.parse(kubectl(["get", "secret", "-n", "default", name, "-o", "json"])).data.k).toBeDefined();
    }
    console.log(report.join("\n"));
});
