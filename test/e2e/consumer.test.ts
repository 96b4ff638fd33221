// The outputs contract from another stack's side: the real program is deployed with the dev stack's config on a
// throw-away backend, then examples/consumer (a second project on the SAME backend) reads its outputs through a
// StackReference, builds a Kubernetes provider from alice's kubeconfig and acts as alice: reading a Pod in dev
// (pods-viewer allows it) succeeds; creating a ConfigMap there fails with the apiserver's Forbidden.
import * as auto from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as path from "path";
import { createDevStack } from "./support/devStack";
import { TestStack } from "./support/pulumiStack";
import { ensureSandboxUp, kubectl } from "./support/sandbox";
import { repoRoot } from "./support/toolchainEnv";

jest.setTimeout(45 * 60_000);

const baselineStackName = `consumer-base${process.pid}`;
const consumerStackName = `consumer${process.pid}`;
const consumerDir = path.join(repoRoot, "examples/consumer");
// From Pulumi.dev.yaml: alice (CSR API certificate) is bound to pods-viewer in dev.
const user = "alice";
const namespace = "dev";
const podName = "consumer-probe";
const configMapName = "kube-baseline-consumer-probe";

let baseline: TestStack | undefined;
let consumer: auto.Stack | undefined;
let baselineDestroyed = false;
let consumerDestroyed = false;
const consumerLog: string[] = [];

/**
 * The program manages cluster-wide objects (CNI, kube-proxy, token file): one kube-baseline stack per cluster.
 * Waits for the namespaces of a stack destroyed just before (still Terminating); refuses a live one.
 */
async function assertNoOtherBaseline(): Promise<void> {
    const deadline = Date.now() + 5 * 60_000;
    for (;;) {
        const phases = kubectl(["get", "namespaces", "dev", "staging", "--ignore-not-found",
            "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.phase}{\"\\n\"}{end}"])
            .split("\n").filter(l => l.trim() !== "");
        const active = phases.filter(p => p.endsWith("=Active")).map(p => p.split("=")[0]);
        if (active.length > 0) {
            throw new Error(`the sandbox already has namespace(s) ${active.join(", ")}: another kube-baseline stack manages it `
                + "(e.g. dev after npm run up). Destroy it first: npm run pulumi -- destroy --yes --stack dev");
        }
        if (phases.length === 0) return;
        if (Date.now() > deadline) throw new Error(`namespaces still terminating after 5 minutes: ${phases.join(", ")}`);
        await new Promise(resolve => setTimeout(resolve, 5_000));
    }
}

/** A Pod that passes Pod Security "restricted" (dev's level); kwok plays its kubelet. */
const probePod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: podName, namespace },
    spec: {
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
        containers: [{
            name: "probe",
            image: "registry.k8s.io/pause:3.10",
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        }],
    },
};

async function createProbePod(): Promise<string> {
    // Right after the namespace exists its default ServiceAccount may not yet: retry for a minute.
    const deadline = Date.now() + 60_000;
    for (;;) {
        try {
            kubectl(["apply", "-f", "-"], undefined, { input: JSON.stringify(probePod) });
            return kubectl(["get", "pod", podName, "-n", namespace, "-o", "jsonpath={.metadata.uid}"]);
        } catch (err) {
            if (Date.now() > deadline) throw err;
            await new Promise(resolve => setTimeout(resolve, 2_000));
        }
    }
}

function deleteProbePod(): void {
    kubectl(["delete", "pod", podName, "-n", namespace, "--ignore-not-found", "--wait=false"]);
}

let probeUid = "";

beforeAll(async () => {
    ensureSandboxUp();
    await assertNoOtherBaseline();

    baseline = await createDevStack(baselineStackName);
    const up = await baseline.stack.up({ onOutput: line => baseline!.log.push(line) });
    expect(up.summary.result).toBe("succeeded");
    probeUid = await createProbePod();

    // Same backend, same passphrase, same CLI: the StackReference can read (and decrypt) the baseline's outputs.
    consumer = await auto.LocalWorkspace.createOrSelectStack(
        { stackName: consumerStackName, workDir: consumerDir },
        { envVars: { ...baseline.stack.workspace.envVars }, pulumiCommand: baseline.stack.workspace.pulumiCommand },
    );
    await consumer.setAllConfig({
        "kube-baseline-consumer:baselineStack": { value: `organization/kube-baseline/${baselineStackName}` },
        "kube-baseline-consumer:user": { value: user },
        "kube-baseline-consumer:namespace": { value: namespace },
        "kube-baseline-consumer:pod": { value: podName },
    });
});

afterAll(async () => {
    const problems: string[] = [];
    const attempt = async (what: string, action: () => unknown) => {
        try {
            await action();
        } catch (err) {
            problems.push(`${what}: ${(err as Error).message.slice(0, 500)}`);
        }
    };
    await attempt("delete the probe pod", deleteProbePod);
    if (consumer) {
        const c = consumer;
        if (!consumerDestroyed) await attempt("destroy the consumer stack", () => c.destroy({ onOutput: line => consumerLog.push(line) }));
        await attempt("remove the consumer stack", () => c.workspace.removeStack(consumerStackName, { force: true }));
        fs.rmSync(path.join(consumerDir, `Pulumi.${consumerStackName}.yaml`), { force: true });
    }
    if (baseline) {
        const b = baseline;
        if (!baselineDestroyed) await attempt("destroy the baseline stack", () => b.stack.destroy({ onOutput: line => b.log.push(line) }));
        await b.dispose();
    }
    if (problems.length > 0) throw new Error(`cleanup left work behind:\n${problems.join("\n")}`);
});

test("acting as a pods-viewer user through the contract: reading a Pod in its namespace succeeds", async () => {
    const up = await consumer!.up({ onOutput: line => consumerLog.push(line) });
    expect(up.summary.result).toBe("succeeded");
    const outputs = await consumer!.outputs();
    expect(outputs.actingAs.value).toBe(user);
    // The Pod the admin created, as alice read it.
    expect(outputs.podUid.value).toBe(probeUid);
    // The contract's plain outputs arrive as they are.
    expect(outputs.apiServerUrl.value).toMatch(/^https:\/\//);
});

test("the same user creating a ConfigMap there fails with the apiserver's Forbidden", async () => {
    await consumer!.setConfig("kube-baseline-consumer:tryForbidden", { value: "true" });
    const before = consumerLog.length;
    let failure: unknown;
    try {
        await consumer!.up({ onOutput: line => consumerLog.push(line) });
    } catch (err) {
        failure = err;
    }
    expect(failure).toBeDefined();
    const printed = `${String(failure)}\n${consumerLog.slice(before).join("")}`;
    expect(printed).toMatch(new RegExp(`is forbidden: User "${user}" cannot \\w+ resource "configmaps" in API group "" in the namespace "${namespace}"`));
    // Nothing was written.
    expect(kubectl(["get", "configmaps", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}"])).not.toContain(configMapName);
});

test("both stacks destroy cleanly", async () => {
    const consumerDown = await consumer!.destroy({ onOutput: line => consumerLog.push(line) });
    expect(consumerDown.summary.result).toBe("succeeded");
    consumerDestroyed = true;

    deleteProbePod();
    const baselineDown = await baseline!.stack.destroy({ onOutput: line => baseline!.log.push(line) });
    expect(baselineDown.summary.result).toBe("succeeded");
    baselineDestroyed = true;
    // The baseline's namespaces are gone (or on their way out).
    expect(kubectl(["get", "namespace", "staging", "--ignore-not-found", "-o", "jsonpath={.status.phase}"])).not.toBe("Active");
});
