// Tenant stacks end to end: a baseline stack (the registry and the ClusterRoles tenants bind; no network plane, which
// this test does not need) and two tenant stacks applied by one command, `npm run stacks -- up`, two at once. Each
// tenant's user acts in its own namespaces and is Forbidden in the other's. A third tenant stack that claims another
// tenant's namespace fails before it applies anything, while the others finish. The policy pack passes the real
// tenant stacks' previews. Destroying everything with the same command leaves the cluster as it was.
import * as auto from "@pulumi/pulumi/automation";
import { spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { kubeconfigFile } from "./support/devStack";
import { ensureSandboxUp, kubectl } from "./support/sandbox";
import { pulumiEnv, repoRoot } from "./support/toolchainEnv";
import { waitFor } from "./support/waitFor";

jest.setTimeout(40 * 60_000);

const id = process.pid;
const stacks = { base: `e2e-base${id}`, ta: `e2e-ta${id}`, tb: `e2e-tb${id}`, tx: `e2e-tx${id}` };
const NAMESPACES = ["ta-one", "ta-two", "tb-one", "tx-one"];
// Names of this test's own, so that a dev stack's pods-viewer is never taken over (or deleted) by this baseline.
const PODS_VIEWER = "kb-e2e-pods-viewer";
const CONFIGMAP_EDITOR = "kb-e2e-configmap-editor";
const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "kb-e2e-tenants-"));
const env: NodeJS.ProcessEnv = { ...process.env, ...pulumiEnv(backendDir, randomBytes(24).toString("hex")) };

const tenantUser = (tenant: string) => ({ name: `${tenant}:dev`, authentication: "csr", groups: [`${tenant}:devs`], validityHours: 24, key: { algorithm: "ECDSA" } });
const tenant = (name: string, extra: Record<string, unknown>) => ({
    "kube-baseline:tenant": { name, baselineStack: `organization/kube-baseline/${stacks.base}`, credentials: "sandbox" },
    ...extra,
});
const bindings = (tenantName: string, namespace: string) => [
    { name: "devs-edit-configmaps", namespace, roleRef: { kind: "ClusterRole", name: CONFIGMAP_EDITOR }, subjects: [{ kind: "Group", name: `${tenantName}:devs` }] },
    { name: "devs-view-pods", namespace, roleRef: { kind: "ClusterRole", name: PODS_VIEWER }, subjects: [{ kind: "User", name: `${tenantName}:dev` }] },
];
const stackConfigs: Record<string, Record<string, unknown>> = {
    [stacks.base]: {
        "kube-baseline:cluster": { source: "sandbox" },
        "kube-baseline:certificates": { defaultValidityHours: 24, maxValidityHours: 168 },
        "kube-baseline:rbac": {
            clusterRoles: [
                { name: PODS_VIEWER, template: "pods-viewer" },
                { name: CONFIGMAP_EDITOR, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] }] },
            ],
        },
        "kube-baseline:tenants": [
            { name: "ta", namespaces: ["ta-one", "ta-two"] },
            { name: "tb", namespaces: ["tb-one"] },
            { name: "tx", namespaces: ["tx-one"] },
        ],
    },
    [stacks.ta]: tenant("ta", {
        "kube-baseline:namespaces": [{ name: "ta-one" }, { name: "ta-two" }],
        "kube-baseline:users": [tenantUser("ta")],
        "kube-baseline:rbac": { roleBindings: [...bindings("ta", "ta-one"), ...bindings("ta", "ta-two")], serviceAccounts: [{ name: "app", namespace: "ta-two" }] },
    }),
    [stacks.tb]: tenant("tb", {
        "kube-baseline:namespaces": [{ name: "tb-one" }],
        "kube-baseline:users": [tenantUser("tb")],
        "kube-baseline:rbac": { roleBindings: bindings("tb", "tb-one") },
    }),
    // Registered with tx-one, but its stack also claims tb's namespace.
    [stacks.tx]: tenant("tx", {
        "kube-baseline:namespaces": [{ name: "tx-one" }, { name: "tb-one" }],
        "kube-baseline:users": [tenantUser("tx")],
    }),
};
const stackFile = (stack: string) => path.join(repoRoot, `Pulumi.${stack}.yaml`);

interface Run { code: number | null; output: string }

/** `npm run stacks -- <args>` as a user runs it, on this test's backend. */
function stacksCommand(...args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn("npm", ["run", "--silent", "stacks", "--", ...args, "--baseline", stacks.base], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", chunk => { output += chunk; });
        child.stderr.on("data", chunk => { output += chunk; });
        child.on("error", reject);
        child.on("close", code => resolve({ code, output }));
    });
}

/** When each stack started and ended, in the order the command printed them. */
function timeline(output: string): Array<{ stack: string; event: "start" | "end" }> {
    return [...output.matchAll(/^\[\s*[0-9.ms]+\] \[([^\]]+)\] (started|succeeded in|failed in|absent)/gm)]
        .map(m => ({ stack: m[1], event: m[2] === "started" ? "start" as const : "end" as const }));
}

function mostAtOnce(events: Array<{ stack: string; event: string }>, among: string[]): number {
    let running = 0;
    let most = 0;
    for (const e of events.filter(e => among.includes(e.stack))) {
        running += e.event === "start" ? 1 : -1;
        most = Math.max(most, running);
    }
    return most;
}

/** The cluster objects a stack could leave behind, by name. */
function clusterSnapshot(): string[] {
    return kubectl(["get", "namespaces,clusterroles,clusterrolebindings,roles,rolebindings,serviceaccounts,networkpolicies,secrets,csr",
        "--all-namespaces", "-o", "custom-columns=K:.kind,NS:.metadata.namespace,N:.metadata.name", "--no-headers"])
        .split("\n").map(l => l.trim().replace(/\s+/g, " ")).filter(l => l !== "").sort();
}

async function outputsOf(stack: string): Promise<Record<string, unknown>> {
    const workspace = await auto.LocalWorkspace.create({ workDir: repoRoot, envVars: env as Record<string, string>, pulumiCommand: await auto.PulumiCommand.get({ skipVersionCheck: true }) });
    const outputs = await (await auto.Stack.select(stack, workspace)).outputs();
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}

/** kubectl as a user; resolves to its output or the error kubectl printed. */
function asUser(kubeconfig: string, args: string[]): { ok: boolean; text: string } {
    try {
        return { ok: true, text: kubectl(args, kubeconfig).trim() };
    } catch (err) {
        return { ok: false, text: String((err as { stderr?: string }).stderr ?? err) };
    }
}

let before: string[] = [];
let destroyed = false;
const kubeconfigs: Array<{ remove(): void }> = [];

beforeAll(async () => {
    ensureSandboxUp();
    // The Automation API finds `pulumi` on this process's PATH: the project's toolchain first.
    process.env.PATH = env.PATH;
    const taken = [
        kubectl(["get", "namespaces", ...NAMESPACES, "--ignore-not-found", "-o", "name"]),
        kubectl(["get", "clusterroles", PODS_VIEWER, CONFIGMAP_EDITOR, "--ignore-not-found", "-o", "name"]),
    ].join("").trim();
    if (taken !== "") throw new Error(`the sandbox already has ${taken.split("\n").join(", ")}: another run's stacks own them; destroy those first`);
    before = clusterSnapshot();
    for (const [stack, config] of Object.entries(stackConfigs)) fs.writeFileSync(stackFile(stack), YAML.stringify({ config }));
});

afterAll(async () => {
    for (const file of kubeconfigs) file.remove();
    try {
        if (!destroyed) await stacksCommand("destroy");
    } finally {
        for (const stack of Object.values(stacks)) fs.rmSync(stackFile(stack), { force: true });
        fs.rmSync(backendDir, { recursive: true, force: true });
    }
});

test("one command applies the baseline, then the tenant stacks two at once; the one that claims another's namespace fails alone, before applying anything", async () => {
    const up = await stacksCommand("up", "--concurrency", "2");
    const summary = up.output.slice(up.output.indexOf("STACK "));
    expect(up.code).toBe(1);
    expect(summary).toMatch(new RegExp(`^${stacks.base} +baseline +succeeded +\\d+ created`, "m"));
    expect(summary).toMatch(new RegExp(`^${stacks.ta} +tenant +succeeded +\\d+ created`, "m"));
    expect(summary).toMatch(new RegExp(`^${stacks.tb} +tenant +succeeded +\\d+ created`, "m"));
    expect(summary).toMatch(new RegExp(`^${stacks.tx} +tenant +failed +-`, "m"));
    // Named with its error, which names both tenants.
    expect(summary).toContain(`${stacks.tx} failed:`);
    expect(summary).toContain(`kube-baseline:namespaces[1].name = "tb-one": belongs to tenant tb (kube-baseline:tenants of baseline stack organization/kube-baseline/${stacks.base}), not to tx`);

    const events = timeline(up.output);
    const tenants = [stacks.ta, stacks.tb, stacks.tx];
    // The baseline ended before any tenant started; then never more than two tenants at once, and two did run together.
    expect(events.findIndex(e => e.stack === stacks.base && e.event === "end")).toBeLessThan(events.findIndex(e => tenants.includes(e.stack)));
    expect(mostAtOnce(events, tenants)).toBe(2);

    // The failing stack applied nothing: its state holds no resource of its own, the cluster no namespace of it.
    const exported = JSON.parse(await new Promise<string>((resolve, reject) => {
        const child = spawn("pulumi", ["stack", "export", "--stack", stacks.tx], { cwd: repoRoot, env });
        let out = "";
        child.stdout.on("data", c => { out += c; });
        child.on("error", reject);
        child.on("close", () => resolve(out));
    })) as { deployment: { resources?: Array<{ type: string }> } };
    const types = (exported.deployment.resources ?? []).map(r => r.type);
    expect(types.filter(t => !["pulumi:pulumi:Stack", "pulumi:pulumi:StackReference", "pulumi:providers:pulumi"].includes(t))).toEqual([]);
    expect(kubectl(["get", "namespace", "tx-one", "--ignore-not-found", "-o", "name"]).trim()).toBe("");
    // tb-one is tb's, untouched: still labelled as tb's.
    expect(kubectl(["get", "namespace", "tb-one", "-o", "jsonpath={.metadata.labels.kube-baseline\\.io/tenant}"])).toBe("tb");
});

test("each tenant's user acts in its own namespaces and is Forbidden in the other's", async () => {
    for (const [name, own, other] of [["ta", "ta-one", "tb-one"], ["tb", "tb-one", "ta-one"]] as const) {
        const outputs = await outputsOf(stacks[name]);
        expect(outputs.tenant).toEqual({
            name, baselineStack: `organization/kube-baseline/${stacks.base}`, identityPrefix: `${name}:`,
            namespaces: name === "ta" ? ["ta-one", "ta-two"] : ["tb-one"], clusterRoles: [PODS_VIEWER, CONFIGMAP_EDITOR],
        });
        const file = kubeconfigFile((outputs.userKubeconfigs as Record<string, string>)[`${name}:dev`]);
        kubeconfigs.push(file);
        const user = `${name}:dev`;
        expect(asUser(file.path, ["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"])).toEqual({ ok: true, text: user });

        expect(asUser(file.path, ["-n", own, "create", "configmap", `written-by-${name}`, "--from-literal=who=me"]).ok).toBe(true);
        expect(asUser(file.path, ["-n", own, "get", "configmap", `written-by-${name}`, "-o", "name"])).toEqual({ ok: true, text: `configmap/written-by-${name}` });
        expect(asUser(file.path, ["-n", own, "get", "pods"]).ok).toBe(true);

        const write = asUser(file.path, ["-n", other, "create", "configmap", `written-by-${name}`, "--from-literal=who=me"]);
        expect(write.ok).toBe(false);
        expect(write.text).toContain(`configmaps is forbidden: User "${user}" cannot create resource "configmaps" in API group "" in the namespace "${other}"`);
        const read = asUser(file.path, ["-n", other, "get", "pods"]);
        expect(read.ok).toBe(false);
        expect(read.text).toContain(`pods is forbidden: User "${user}" cannot list resource "pods" in API group "" in the namespace "${other}"`);
        // Nothing cluster-wide either.
        expect(asUser(file.path, ["get", "namespaces"]).text).toContain("forbidden");
    }
    for (const [ns, name] of [["ta-one", "ta"], ["tb-one", "tb"]]) kubectl(["-n", ns, "delete", "configmap", `written-by-${name}`]);
});

test("a second up of the good stacks changes nothing, and the access summary covers every stack", async () => {
    const up = await stacksCommand("up", "--tenants", `${stacks.ta},${stacks.tb}`, "--parallel", "3", "--baseline-parallel", "2");
    expect(up.code).toBe(0);
    // Each stack says the --parallel it is run with: the baseline its own, the tenants the one for every stack.
    expect(up.output).toMatch(new RegExp(`\\[${stacks.base}\\] started up \\(baseline stack; --parallel 2: --baseline-parallel\\)`));
    for (const stack of [stacks.ta, stacks.tb]) expect(up.output).toMatch(new RegExp(`\\[${stack}\\] started up \\(tenant stack; --parallel 3: --parallel\\)`));
    for (const stack of [stacks.base, stacks.ta, stacks.tb]) expect(up.output).toMatch(new RegExp(`^${stack} +\\w+ +succeeded +\\d+ unchanged `, "m"));
    expect(up.output).toContain(`Access summary: stacks ${stacks.base}, ${stacks.ta}, ${stacks.tb} at `);
    // Every user against every namespace of the set: its own namespaces with its grants, the other tenant's with none.
    const table = up.output.slice(up.output.search(/^STACK +USER/m));
    expect(table).toMatch(/ta:dev .* ta-one +configmaps: get list watch create update patch delete/);
    expect(table).toMatch(/\n +tb-one +-\n/);
    expect(table).toMatch(/tb:dev .* ta-one +-\n/);
});

test("the policy pack passes the real tenant stacks' previews, and its tenant config fails a stack that is no tenant", async () => {
    // config/tenant.json for every stack: the tenants pass it; the baseline, which exports no tenant, fails it.
    const preview = await stacksCommand("preview", "--tenants", `${stacks.ta},${stacks.tb}`, "--policy-pack", "policies", "--policy-pack-config", "policies/config/tenant.json");
    expect(preview.code).toBe(1);
    const summary = preview.output.slice(preview.output.search(/^STACK +KIND/m));
    expect(summary).toMatch(new RegExp(`^${stacks.base} +baseline +failed`, "m"));
    expect(summary).toMatch(new RegExp(`^${stacks.ta} +tenant +succeeded +\\d+ unchanged`, "m"));
    expect(summary).toMatch(new RegExp(`^${stacks.tb} +tenant +succeeded +\\d+ unchanged`, "m"));
    expect(summary).toMatch(/policy tenant-stays-in-its-namespaces \(mandatory\): .*\n\s*This stack exports no 'tenant' output/);
    // No other violation, and none in the tenant stacks.
    const violations = [...preview.output.matchAll(/^\[[^\]]+\] \[([^\]]+)\] policy ([a-z-]+) \((mandatory|warning)\)/gm)].map(m => `${m[1]} ${m[2]}`);
    expect([...new Set(violations)]).toEqual([`${stacks.base} tenant-stays-in-its-namespaces`]);
});

test("destroy takes the tenants first, then the baseline, and leaves the cluster as it was", async () => {
    const destroy = await stacksCommand("destroy");
    destroyed = true;
    expect(destroy.code).toBe(0);
    const events = timeline(destroy.output);
    const lastTenantEnd = Math.max(...[stacks.ta, stacks.tb, stacks.tx].map(s => events.findIndex(e => e.stack === s && e.event === "end")));
    expect(lastTenantEnd).toBeLessThan(events.findIndex(e => e.stack === stacks.base && e.event === "start"));
    // Namespaces take a moment to go.
    await waitFor("the tenants' namespaces to be gone", 180_000, () => {
        const left = kubectl(["get", "namespaces", ...NAMESPACES, "--ignore-not-found", "-o", "name"]).trim();
        return { ok: left === "", seen: left };
    }, 3000);
    expect(clusterSnapshot()).toEqual(before);
});
