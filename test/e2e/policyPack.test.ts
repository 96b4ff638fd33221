// The policy pack end to end (issue 5): `pulumi preview --policy-pack policies` passes on the dev stack (its
// advisory findings are warnings), and fails, naming the policy, for programs that each break a mandatory rule.
import * as fs from "fs";
import * as path from "path";
import { createDevStack, timed } from "./support/devStack";
import { createTestStack, TestStack } from "./support/pulumiStack";
import { ensureSandboxUp, SandboxDescription } from "./support/sandbox";
import { repoRoot } from "./support/toolchainEnv";

jest.setTimeout(30 * 60_000);

const pack = path.join(repoRoot, "policies");
const devPackConfig = path.join(pack, "config/dev.json");
const violations = path.join(repoRoot, "test/e2e/programs/policy-violations");
let desc: SandboxDescription;
const stacks: TestStack[] = [];
const timings: Record<string, number> = {};

beforeAll(() => {
    desc = ensureSandboxUp();
});

afterAll(async () => {
    for (const s of stacks) await s.dispose();
    console.log(`policy e2e timings (s): ${JSON.stringify(timings)}`);
});

async function violationStack(kase: string): Promise<TestStack> {
    const s = await createTestStack(violations, `policy${kase.replace(/-/g, "")}${process.pid}`, {
        "policy:kubeconfig": { value: fs.readFileSync(desc.kubeconfigPath, "utf8"), secret: true },
        "policy:case": { value: kase },
        "policy:suffix": { value: String(process.pid) },
    });
    stacks.push(s);
    return s;
}

test("the dev stack's preview passes the pack; advisory findings are warnings", async () => {
    const dev = await createDevStack(`policydev${process.pid}`);
    stacks.push(dev);
    const plain = await timed(() => dev.stack.preview({ onOutput: line => dev.log.push(line) }));
    timings.previewWithoutPack = plain.seconds;
    const withPack = await timed(() => dev.stack.preview({
        policyPacks: [pack], policyPackConfigs: [devPackConfig], onOutput: line => dev.log.push(line),
    }));
    timings.previewWithPack = withPack.seconds;
    const output = withPack.result.stdout;
    // The dev stack has a static token user: CIS 1.2.2 is advisory in dev, so it warns without failing. Every
    // other policy is mandatory in dev (the escalation-path ones too, with Flannel exempt from rbac-no-node-writes):
    // its pods-viewer role, bindings and the dashboard's token Secret must pass them all.
    expect(output).toMatch(/advisory[\s\S]*identity-no-static-tokens|identity-no-static-tokens[\s\S]*advisory/);
    expect(output).not.toMatch(/mandatory/i);
});

test.each([
    ["wildcard-verbs", "rbac-no-wildcards"],
    ["cluster-admin-binding", "rbac-no-privileged-bindings"],
    ["privileged-pod", "workloads-no-host-access"],
    // The escalation paths of issue 16.
    ["pod-exec", "rbac-no-pod-exec"],
    ["workload-create", "rbac-no-workload-create"],
    ["token-request", "rbac-no-token-requests"],
    ["csr-approval", "rbac-no-csr-approval"],
    ["webhook-writes", "rbac-no-admission-webhook-writes"],
    ["pv-writes", "rbac-no-persistent-volume-writes"],
    ["node-writes", "rbac-no-node-writes"],
    ["public-subject", "rbac-no-public-subjects"],
    ["kube-system-secret-read", "rbac-no-secret-read-in-token-namespaces"],
])("a program with %s fails the preview, naming %s", async (kase, policy) => {
    const s = await violationStack(kase);
    const preview = s.stack.preview({ policyPacks: [pack], policyPackConfigs: [devPackConfig], onOutput: line => s.log.push(line) });
    await expect(preview).rejects.toThrow(new RegExp(`mandatory[\\s\\S]*${policy}|${policy}[\\s\\S]*mandatory`));
});

test("the compliant variant of that program passes", async () => {
    const s = await violationStack("compliant");
    const preview = await s.stack.preview({ policyPacks: [pack], policyPackConfigs: [devPackConfig], onOutput: line => s.log.push(line) });
    expect(preview.stdout).not.toMatch(/mandatory/i);
});
