// Identity and access end to end (issue 3): `pulumi up` of the dev stack on the sandbox, then what users rely
// on, checked from outside — kubectl as each user, the token through the patched apiserver, Pod Security
// admission, a no-op second up, no plaintext secrets in state, and a destroy that restores the node.
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as path from "path";
import * as YAML from "yaml";
import { createDevStack, kubeconfigFile, timed } from "./support/devStack";
import { plaintextPrivateKeys, TestStack } from "./support/pulumiStack";
import { ensureSandboxUp, kubectl, nodeNamed, SandboxDescription, ssh } from "./support/sandbox";
import { repoRoot } from "./support/toolchainEnv";

jest.setTimeout(40 * 60_000);

const tokenFile = "/etc/kubernetes/auth/token.csv";
let desc: SandboxDescription;
let dev: TestStack | undefined;
let manifestBefore: string;
const kubeconfigs: Record<string, { path: string; remove(): void }> = {};
const timings: Record<string, number> = {};

function controlPlane() { return nodeNamed(desc, desc.nodes.find(n => n.roles.includes("control-plane"))!.name); }
function manifestHash(): string {
    return createHash("sha256").update(ssh(controlPlane(), `cat ${desc.apiServerManifestPath}`)).digest("hex");
}
/** `kubectl auth can-i` as the user; it exits 1 when the answer is "no". */
function canI(user: string, args: string[]): boolean {
    try {
        return kubectl(["auth", "can-i", ...args], kubeconfigs[user].path).trim() === "yes";
    } catch (err) {
        if (/\bno\b/.test(String((err as { stdout?: string }).stdout ?? ""))) return false;
        throw err;
    }
}

beforeAll(async () => {
    desc = ensureSandboxUp();
    manifestBefore = manifestHash();
    dev = await createDevStack(`identity${process.pid}`);
});

afterAll(async () => {
    for (const file of Object.values(kubeconfigs)) file.remove();
    if (dev) {
        try {
            await dev.stack.destroy({ onOutput: line => dev!.log.push(line) });
        } finally {
            await dev.dispose();
        }
    }
    console.log(`identity e2e timings (s): ${JSON.stringify(timings)}`);
});

test("dev stack: users, tokens, Pod Security, idempotence, no plaintext secrets, exact restore", async () => {
    const stack = dev!.stack;
    const up = await timed(() => stack.up({ onOutput: line => dev!.log.push(line) }));
    timings.up = up.seconds;
    expect(up.result.summary.result).toBe("succeeded");

    const outputs = await stack.outputs();
    expect(outputs.userKubeconfigs.secret).toBe(true);
    const userKubeconfigs = outputs.userKubeconfigs.value as Record<string, string>;
    expect(Object.keys(userKubeconfigs).sort()).toEqual(["alice", "test", "wang"]);
    expect(outputs.tokenUsers.value).toEqual(["wang"]);
    for (const [user, content] of Object.entries(userKubeconfigs)) kubeconfigs[user] = kubeconfigFile(content);

    // The can-i matrix of the dev config: pods-viewer in dev for test (group ops), alice and wang; in staging
    // for test only; nothing cluster-wide, no secrets, nothing in other namespaces.
    const matrix: Record<string, Record<string, boolean>> = {};
    const checks: Array<[string, string[]]> = [
        ["list pods -n dev", ["list", "pods", "-n", "dev"]],
        ["list pods -n staging", ["list", "pods", "-n", "staging"]],
        ["list pods -n default", ["list", "pods", "-n", "default"]],
        ["get deployments.apps -n dev", ["get", "deployments.apps", "-n", "dev"]],
        ["create pods -n dev", ["create", "pods", "-n", "dev"]],
        ["get secrets -n dev", ["get", "secrets", "-n", "dev"]],
        ["list nodes", ["list", "nodes"]],
    ];
    for (const user of ["test", "alice", "wang"]) {
        matrix[user] = {};
        for (const [label, args] of checks) matrix[user][label] = canI(user, args);
    }
    console.log(`can-i matrix:\n${JSON.stringify(matrix, null, 2)}`);
    const expected = (dev_: boolean, staging: boolean) => ({
        "list pods -n dev": dev_, "list pods -n staging": staging, "list pods -n default": false,
        "get deployments.apps -n dev": dev_, "create pods -n dev": false, "get secrets -n dev": false, "list nodes": false,
    });
    expect(matrix).toEqual({ test: expected(true, true), alice: expected(true, false), wang: expected(true, false) });

    // A real request as each user, not only the authorizer's answer.
    for (const user of ["test", "alice", "wang"]) {
        expect(kubectl(["get", "pods", "-n", "dev", "-o", "name"], kubeconfigs[user].path)).toBeDefined();
        expect(() => kubectl(["get", "secrets", "-n", "dev"], kubeconfigs[user].path)).toThrow(/Forbidden/);
    }
    // The token user really authenticates with the token (no client certificate in its kubeconfig).
    const wangConfig = YAML.parse(userKubeconfigs.wang) as { users: Array<{ user: Record<string, string> }> };
    expect(wangConfig.users[0].user.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(wangConfig.users[0].user["client-certificate-data"]).toBeUndefined();
    expect(kubectl(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"], kubeconfigs.wang.path)).toBe("wang");
    expect(kubectl(["auth", "whoami", "-o", "jsonpath={.status.userInfo.groups}"], kubeconfigs.test.path)).toContain("ops");

    // The running apiserver has the token file flag, and the file is 0600 in a 0700 directory.
    // Read from `sandbox status`, which exits 1 while kube-controller-manager or kube-scheduler are still in
    // their restart back-off after the apiserver restart (they exit when it goes away): only the flags count.
    const status = spawnSync("bash", [path.join(repoRoot, "sandbox/sandbox.sh"), "status"], { encoding: "utf8" });
    expect([0, 1]).toContain(status.status);
    expect(status.stdout).toContain(`--token-auth-file=${tokenFile}`);
    expect(ssh(controlPlane(), `stat -c '%a' ${path.dirname(tokenFile)} ${tokenFile}`).trim().split("\n")).toEqual(["700", "600"]);

    // Pod Security: a privileged pod is rejected in the restricted namespace, a compliant one is admitted.
    const privileged = { apiVersion: "v1", kind: "Pod", metadata: { name: "privileged", namespace: "dev" },
        spec: { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] } };
    expect(() => kubectl(["apply", "--dry-run=server", "-f", "-"], undefined, { input: JSON.stringify(privileged) }))
        .toThrow(/violates PodSecurity "restricted/);
    const compliant = { apiVersion: "v1", kind: "Pod", metadata: { name: "compliant", namespace: "dev" },
        spec: { securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
            containers: [{ name: "c", image: "busybox",
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }] } };
    expect(kubectl(["apply", "--dry-run=server", "-f", "-"], undefined, { input: JSON.stringify(compliant) }))
        .toMatch(/pod\/compliant created \(server dry run\)/);

    // A second up changes nothing.
    const again = await timed(() => stack.up({ onOutput: line => dev!.log.push(line) }));
    timings.noopUp = again.seconds;
    const changes = again.result.summary.resourceChanges ?? {};
    // "read" is a lookup of a live object (the kube-proxy ConfigMap), not a change.
    expect(Object.keys(changes).filter(k => k !== "same" && k !== "read")).toEqual([]);

    // No private key, client key or token in plaintext anywhere in the state.
    const state = dev!.readState();
    expect(plaintextPrivateKeys(state)).toEqual([]);
    expect(state.includes(wangConfig.users[0].user.token)).toBe(false);
    for (const content of Object.values(userKubeconfigs)) {
        const key = (YAML.parse(content) as { users: Array<{ user: Record<string, string> }> }).users[0].user["client-key-data"];
        if (key) expect(state.includes(key)).toBe(false);
    }

    // Nor in what pulumi printed during the two updates.
    const printed = dev!.log.join("\n");
    expect(printed.includes(wangConfig.users[0].user.token)).toBe(false);
    expect(plaintextPrivateKeys(printed)).toEqual([]);

    // Destroy restores the manifest byte for byte and removes the token file.
    const destroy = await timed(() => stack.destroy({ onOutput: line => dev!.log.push(line) }));
    timings.destroy = destroy.seconds;
    expect(destroy.result.summary.result).toBe("succeeded");
    expect(manifestHash()).toBe(manifestBefore);
    expect(ssh(controlPlane(), `test -e ${tokenFile} && echo present || echo absent`).trim()).toBe("absent");
});
