// The toolchain end to end: `pulumi up` of a small program on the sandbox, one resource of each provider plugin
// (kubernetes, tls, random, command): a Namespace, a private key, a token and a file on a node;
// each effect is checked from outside; `pulumi destroy` removes them, and no copy of the kubeconfig stays on disk.
import * as fs from "fs";
import * as path from "path";
import { createTestStack, plaintextPrivateKeys, TestStack } from "./support/pulumiStack";
import { ensureSandboxUp, kubectl, nodeNamed, SandboxDescription, ssh } from "./support/sandbox";
import { pluginTempDirsSince, tempFilesHolding } from "./support/tempFiles";
import { repoRoot } from "./support/toolchainEnv";

jest.setTimeout(15 * 60_000);

const programDir = path.join(repoRoot, "test/e2e/programs/smoke");
const namespace = `kb-smoke-${process.pid}`;
const markerPath = `/etc/kb-smoke-${process.pid}`;

let desc: SandboxDescription;
let smoke: TestStack | undefined;

beforeAll(async () => {
    desc = ensureSandboxUp();
    const worker = nodeNamed(desc, "kb-w1");
    smoke = await createTestStack(programDir, `smoke${process.pid}`, {
        "smoke:kubeconfig": { value: fs.readFileSync(desc.kubeconfigPath, "utf8"), secret: true },
        "smoke:sshPrivateKey": { value: fs.readFileSync(worker.privateKeyPath, "utf8"), secret: true },
        "smoke:namespace": { value: namespace },
        "smoke:markerPath": { value: markerPath },
        "smoke:node": { value: JSON.stringify({ host: worker.ip, port: worker.sshPort, user: worker.user, hostKey: worker.hostKey }) },
    });
});

afterAll(async () => {
    if (smoke) {
        try {
            await smoke.stack.destroy({ onOutput: line => smoke!.log.push(line) });
        } finally {
            await smoke.dispose();
        }
    }
});

test("pulumi up creates each resource, visible from outside; destroy removes them", async () => {
    const stack = smoke!.stack;
    // Whole seconds: some filesystems keep coarser modification times than Date.now().
    const startedAt = Math.floor(Date.now() / 1000) * 1000;
    const clientKey = /client-key-data: *(\S+)/.exec(fs.readFileSync(desc.kubeconfigPath, "utf8"))![1];
    const up = await stack.up({ onOutput: line => smoke!.log.push(line) });
    expect(up.summary.result).toBe("succeeded");

    // Namespace: seen by kubectl as the sandbox admin.
    expect(kubectl(["get", "namespace", namespace, "-o", "jsonpath={.status.phase}"])).toBe("Active");

    // Private key and token: real values in the outputs, secret in the state file.
    const outputs = await stack.outputs();
    const publicKeyPem = outputs.publicKeyPem.value as string;
    expect(publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(outputs.tokenValue.secret).toBe(true);
    expect(outputs.tokenValue.value).toMatch(/^[a-z0-9]{22}$/);
    expect(outputs.markerStdout.value).toBe("written");
    const state = smoke!.readState();
    expect(state.includes(outputs.tokenValue.value as string)).toBe(false);
    expect(plaintextPrivateKeys(state)).toEqual([]);

    // The command: the file exists on kb-w1 with the public key, and only there.
    const worker = nodeNamed(desc, "kb-w1");
    expect(ssh(worker, `cat ${markerPath}`)).toBe(publicKeyPem);
    expect(ssh(nodeNamed(desc, "kb-w2"), `test -e ${markerPath} && echo present || echo absent`).trim()).toBe("absent");

    // A second up changes nothing.
    const again = await stack.up({ onOutput: line => smoke!.log.push(line) });
    expect(again.summary.resourceChanges).not.toHaveProperty("create");
    expect(again.summary.resourceChanges).not.toHaveProperty("update");
    expect(again.summary.resourceChanges).not.toHaveProperty("replace");

    const destroy = await stack.destroy({ onOutput: line => smoke!.log.push(line) });
    expect(destroy.summary.result).toBe("succeeded");
    // The kubernetes provider writes its kubeconfig to a temporary file at every start: none is left behind.
    expect(tempFilesHolding(clientKey, startedAt)).toEqual([]);
    expect(pluginTempDirsSince(startedAt)).toEqual([]);
    expect(() => kubectl(["get", "namespace", namespace, "-o", "name"])).toThrow(/NotFound|not found/);
    expect(ssh(worker, `test -e ${markerPath} && echo present || echo absent`).trim()).toBe("absent");
});
