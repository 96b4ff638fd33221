// The CSR API script runs for real against a fake kubectl that records what it was asked and plays the
// cluster: a created CSR gets its certificate once approved (or never, or is denied).

import { spawnSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import {
    certificateSigningRequestObject, csrApprovalScript, csrCleanupScript, csrObjectName, KUBE_APISERVER_CLIENT_SIGNER,
} from "../../../lib/identity/csrApproval";
import { remoteShellCommand } from "../../../lib/nodeShell";
import { TEST_CERTIFICATE_PEM } from "./fixtures";

const FAKE_KUBECTL = `#!/bin/sh
echo "$*" >> "$FAKE/calls"
case "$1 $2" in
  "delete csr") exit 0;;
  "create -f") cp "$3" "$FAKE/created.json"; exit 0;;
  "certificate approve") touch "$FAKE/approved"; exit 0;;
  "get csr")
    case "$5" in
      *certificate*) if [ -f "$FAKE/approved" ] && [ ! -f "$FAKE/never" ] && [ ! -f "$FAKE/deny" ]; then base64 < "$FAKE/cert.pem" | tr -d '\\n'; fi;;
      *conditions*) if [ -f "$FAKE/deny" ]; then printf 'Denied'; else printf 'Approved'; fi;;
    esac
    exit 0;;
esac
echo "unexpected kubectl $*" >&2; exit 1
`;

const CSR_PEM = "-----BEGIN CERTIFICATE REQUEST-----\nMIIBdGVzdA==\n-----END CERTIFICATE REQUEST-----\n";

let root: string;
beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "kb-csr-"));
    mkdirSync(`${root}/bin`);
    writeFileSync(`${root}/bin/kubectl`, FAKE_KUBECTL);
    chmodSync(`${root}/bin/kubectl`, 0o755);
    writeFileSync(`${root}/cert.pem`, TEST_CERTIFICATE_PEM);
    writeFileSync(`${root}/admin.conf`, "apiVersion: v1\nkind: Config\n");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function run(script: string, stdin: string) {
    const env = { ...process.env, PATH: `${root}/bin:${process.env.PATH}`, FAKE: root };
    const r = spawnSync("sh", ["-c", remoteShellCommand(script, { sudo: false })], { input: stdin, env, encoding: "utf8", timeout: 30000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function input(overrides: Partial<Parameters<typeof csrApprovalScript>[0]> = {}) {
    return { csrName: "kube-baseline-alice-0123abcd", expirationSeconds: 86400, kubeconfigPath: `${root}/admin.conf`, kubectl: "kubectl", timeoutSeconds: 3, ...overrides };
}

describe("csrApprovalScript", () => {
    test("creates the CSR for the kube-apiserver-client signer, approves it and prints only the certificate", () => {
        const r = run(csrApprovalScript(input()), CSR_PEM);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(TEST_CERTIFICATE_PEM);
        expect(JSON.parse(readFileSync(`${root}/created.json`, "utf8"))).toEqual(
            certificateSigningRequestObject("kube-baseline-alice-0123abcd", Buffer.from(CSR_PEM).toString("base64"), 86400));
        const calls = readFileSync(`${root}/calls`, "utf8").trim().split("\n");
        expect(calls[0]).toBe("delete csr kube-baseline-alice-0123abcd --ignore-not-found");
        expect(calls[1]).toMatch(/^create -f /);
        expect(calls[2]).toBe("certificate approve kube-baseline-alice-0123abcd");
        expect(calls[calls.length - 1]).toBe("delete csr kube-baseline-alice-0123abcd --ignore-not-found");
    });

    test("the object: signer kube-apiserver-client, usage client auth, expirationSeconds", () => {
        expect(certificateSigningRequestObject("n", "UkVR", 3600).spec).toEqual({
            request: "UkVR", signerName: KUBE_APISERVER_CLIENT_SIGNER, expirationSeconds: 3600, usages: ["client auth"],
        });
    });

    test("a denied CSR fails with the reason", () => {
        writeFileSync(`${root}/deny`, "");
        const r = run(csrApprovalScript(input()), CSR_PEM);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/was not signed: Denied/);
    });

    test("a CSR the cluster never signs: bounded wait and a clear timeout error", () => {
        writeFileSync(`${root}/never`, "");
        const r = run(csrApprovalScript(input({ timeoutSeconds: 2 })), CSR_PEM);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/timed out after 2s waiting for the cluster to sign CSR kube-baseline-alice-0123abcd/);
    });

    test("no kubectl or no admin kubeconfig: clear errors", () => {
        expect(run(csrApprovalScript(input({ kubectl: "kubectl-missing" })), CSR_PEM).stderr).toMatch(/kubectl not found/);
        expect(run(csrApprovalScript(input({ kubeconfigPath: `${root}/nope.conf` })), CSR_PEM).stderr).toMatch(/not readable/);
        expect(run(csrApprovalScript(input()), "").stderr).toMatch(/no certificate request on stdin/);
    });

    test("refuses lifetimes under the CSR API's 10 minutes and unsafe names", () => {
        expect(() => csrApprovalScript(input({ expirationSeconds: 300 }))).toThrow(/>= 600/);
        expect(() => csrApprovalScript(input({ csrName: "Alice's" }))).toThrow(/RFC 1123/);
    });

    test("cleanup deletes the CSR object if one is left", () => {
        expect(run(csrCleanupScript(input()), "").code).toBe(0);
        expect(readFileSync(`${root}/calls`, "utf8")).toBe("delete csr kube-baseline-alice-0123abcd --ignore-not-found\n");
    });
});

describe("csrObjectName", () => {
    test("DNS-safe, per user and key", () => {
        expect(csrObjectName("Alice@example.com", "0123abcdef")).toBe("kube-baseline-alice-example-com-0123abcd");
        expect(csrObjectName("alice", "ffffffff00")).not.toBe(csrObjectName("alice", "0123abcdef"));
    });
});
