// Certificates that renew themselves (issue 12), end to end on the sandbox with the real plugins:
// - a multi-group x509 user's certificate carries every group (`kubectl auth whoami`);
// - once a certificate's renewal window is open, the next preview says so and the next `pulumi up` reissues it
//   (new serial, new notAfter, a kubeconfig that authenticates); a certificate whose window is closed is untouched;
// - `pulumi destroy` works from a copy of the program in another directory (no state entry names the checkout).
//
// Time cannot be moved forward for the providers, so the test moves the certificates' end instead: it edits the
// state the providers judge by (LocallySignedCert's validityEndTime, the CSR-API user's renewal clock's
// validityEndTime, and the certificateExpiry output the preview's notices read) to what they would be 23 hours
// after issuance.
import * as auto from "@pulumi/pulumi/automation";
import { X509Certificate } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { createDevStack, kubeconfigFile } from "./support/devStack";
import { TestStack } from "./support/pulumiStack";
import { ensureSandboxUp, kubectl } from "./support/sandbox";
import { repoRoot } from "./support/toolchainEnv";

jest.setTimeout(30 * 60_000);

const stackName = `renewal${process.pid}`;
let dev: TestStack | undefined;
let destroyedFromCopy = false;

const users = [
    { name: "test", authentication: "x509", groups: ["ops", "dev"], validityHours: 24 },
    { name: "alice", authentication: "csr", groups: ["dev"], validityHours: 24 },
    { name: "carol", authentication: "x509", groups: ["ops"], validityHours: 24 },
];

beforeAll(async () => {
    ensureSandboxUp();
    dev = await createDevStack(stackName, {
        "kube-baseline:users": users,
        "kube-baseline:staticTokens": { allowed: false },
        "kube-baseline:rbac": { clusterRoles: [{ name: "pods-viewer", template: "pods-viewer" }] },
        // Only identity: the network plane has its own e2e test.
        "kube-baseline:cni": null, "kube-baseline:kubeProxy": null, "kube-baseline:nodeKernel": null,
    });
});

afterAll(async () => {
    if (!dev) return;
    try {
        if (!destroyedFromCopy) await dev.stack.destroy({ onOutput: line => dev!.log.push(line) });
    } finally {
        await dev.dispose();
    }
});

function certificates(kubeconfigs: Record<string, string>): Record<string, X509Certificate> {
    return Object.fromEntries(Object.entries(kubeconfigs).map(([user, text]) => {
        const doc = YAML.parse(text);
        return [user, new X509Certificate(Buffer.from(doc.users[0].user["client-certificate-data"], "base64"))];
    }));
}

function whoami(kubeconfig: string): { username: string; groups: string[] } {
    const file = kubeconfigFile(kubeconfig);
    try {
        const review = JSON.parse(kubectl(["auth", "whoami", "-o", "json"], file.path));
        return { username: review.status.userInfo.username, groups: review.status.userInfo.groups };
    } finally {
        file.remove();
    }
}

/** The state with the given users' certificates ending at `endsAt` (and their CSR-API rotations due). */
function moveCertificateEnds(deployment: auto.Deployment, renewUsers: string[], endsAt: Date): auto.Deployment {
    const state = JSON.parse(JSON.stringify(deployment));
    const end = endsAt.toISOString().replace(/\.\d{3}Z$/, "Z");
    let edited = 0;
    for (const resource of state.deployment.resources as Array<{ urn: string; type: string; outputs?: Record<string, any> }>) {
        const name = resource.urn.split("::").pop()!;
        for (const user of renewUsers) {
            if (resource.type === "tls:index/locallySignedCert:LocallySignedCert" && name === `identity-x509-${user}-cert`) {
                resource.outputs!.validityEndTime = end;
                edited++;
            }
            if (resource.type === "tls:index/selfSignedCert:SelfSignedCert" && name === `identity-csr-${user}-renewal-clock`) {
                // The clock runs out renewBeforeHours (8) before the certificate's end.
                resource.outputs!.validityEndTime = new Date(endsAt.getTime() - 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
                edited++;
            }
        }
        if (resource.type === "pulumi:pulumi:Stack") {
            for (const user of renewUsers) resource.outputs!.certificateExpiry[user] = endsAt.toISOString();
        }
    }
    expect(edited).toBe(renewUsers.length);
    return state;
}

test("certificates carry every group, renew inside their window only, and the stack is destroyed from a copy", async () => {
    const stack = dev!.stack;
    const onOutput = (line: string) => dev!.log.push(line);
    expect((await stack.up({ onOutput })).summary.result).toBe("succeeded");
    const first = (await stack.outputs()).userKubeconfigs.value as Record<string, string>;
    const before = certificates(first);

    // Every group is an O of its own, and the apiserver sees them all.
    expect(whoami(first.test)).toEqual({ username: "test", groups: expect.arrayContaining(["ops", "dev", "system:authenticated"]) });
    expect(whoami(first.alice)).toEqual({ username: "alice", groups: expect.arrayContaining(["dev"]) });

    // Outside the window nothing is due: a preview changes nothing and says nothing about renewal.
    const quiet: string[] = [];
    const calm = await stack.preview({ onOutput: line => quiet.push(line) });
    expect(calm.changeSummary).not.toHaveProperty("replace");
    expect(calm.changeSummary).not.toHaveProperty("update");
    expect(quiet.join("\n")).not.toMatch(/renewal window|expired at/);

    // test's and alice's certificates now end in an hour: inside their 8-hour window. carol's stay as they are.
    const endsAt = new Date(Date.now() + 3600_000);
    await stack.importStack(moveCertificateEnds(await stack.exportStack(), ["test", "alice"], endsAt));

    const previewLines: string[] = [];
    const preview = await stack.preview({ onOutput: line => previewLines.push(line), diff: true });
    const printed = previewLines.join("\n");
    for (const user of ["test", "alice"]) {
        expect(printed).toContain(`the certificate of user ${user} ends at ${endsAt.toISOString()}; its renewal window (renewBeforeHours 8) opened at`);
    }
    expect(printed).not.toMatch(/certificate of user carol/);
    // test's certificate and alice's renewal clock are replaced, and alice's approval runs again.
    expect(printed).toMatch(/\+-tls:index\/locallySignedCert:LocallySignedCert: \(replace\)\s+\[id=[^\]]*\]\s+\[urn=[^\]]*identity-x509-test-cert\]/);
    expect(printed).toMatch(/\+-tls:index\/selfSignedCert:SelfSignedCert: \(replace\)\s+\[id=[^\]]*\]\s+\[urn=[^\]]*identity-csr-alice-renewal-clock\]/);
    expect(printed).toMatch(/~ command:remote:Command: \(update\)\s+\[id=[^\]]*\]\s+\[urn=[^\]]*identity-csr-alice-csr\]/);
    expect(printed).not.toMatch(/carol[^\n]*\((replace|update)\)/);
    expect(preview.changeSummary.replace).toBeGreaterThanOrEqual(2);

    const renewed = await stack.up({ onOutput });
    expect(renewed.summary.result).toBe("succeeded");
    const second = (await stack.outputs()).userKubeconfigs.value as Record<string, string>;
    const after = certificates(second);
    const observed: Record<string, unknown> = {};
    for (const user of ["test", "alice", "carol"]) {
        observed[user] = { serialBefore: before[user].serialNumber, serialAfter: after[user].serialNumber, notAfterBefore: before[user].validTo, notAfterAfter: after[user].validTo };
    }
    console.log(`renewal e2e certificates: ${JSON.stringify(observed, null, 1)}`);
    for (const user of ["test", "alice"]) {
        expect(after[user].serialNumber).not.toBe(before[user].serialNumber);
        expect(Date.parse(after[user].validTo)).toBeGreaterThan(Date.parse(before[user].validTo));
        expect(whoami(second[user]).username).toBe(user);
    }
    expect(after.carol.serialNumber).toBe(before.carol.serialNumber);
    expect(second.carol).toBe(first.carol);
    expect(whoami(second.test).groups).toEqual(expect.arrayContaining(["ops", "dev"]));

    // Renewed: the next up has nothing to do.
    const again = await stack.up({ onOutput });
    expect(again.summary.resourceChanges).not.toHaveProperty("replace");
    expect(again.summary.resourceChanges).not.toHaveProperty("update");
    expect(again.summary.resourceChanges).not.toHaveProperty("create");

    // Destroy from a copy of the program somewhere else: nothing in the state points into this checkout.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "kb-program-copy-"));
    try {
        for (const entry of ["index.ts", "Pulumi.yaml", "package.json", "tsconfig.json", `Pulumi.${stackName}.yaml`, "compile", "programs", "components", "lib"]) {
            fs.cpSync(path.join(repoRoot, entry), path.join(copy, entry), { recursive: true });
        }
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(copy, "node_modules"));
        // The same backend and passphrase as the stack's own workspace.
        const elsewhere = await auto.LocalWorkspace.selectStack({ stackName, workDir: copy }, {
            envVars: (stack.workspace as auto.LocalWorkspace).envVars,
            pulumiCommand: await auto.PulumiCommand.get({ skipVersionCheck: true }),
        });
        const destroy = await elsewhere.destroy({ onOutput });
        expect(destroy.summary.result).toBe("succeeded");
        destroyedFromCopy = true;
    } finally {
        fs.rmSync(copy, { recursive: true, force: true });
    }
});
