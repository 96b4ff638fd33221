// CIS checks from manifests: kubeadm's defaults fail what the settings fix and pass after the patch; each check's
// test reads the flags as kube-bench does; the files behind flags are read when given; checksTurnedFailing finds
// what a change would break. Drift describes how a live manifest differs from the one kube-baseline wrote.

import { renderAuditPolicy } from "../../../lib/controlPlane/auditPolicy";
import { renderAuthenticationConfiguration } from "../../../lib/controlPlane/anonymousAuth";
import { checksTurnedFailing, CIS_CHECKS, CisCheck, computeCisChecks } from "../../../lib/controlPlane/cisChecks";
import { describeManifestDrift, formatManifestDrift } from "../../../lib/controlPlane/drift";
import { renderEncryptionConfiguration } from "../../../lib/controlPlane/encryption";
import { controlPlanePatchFromSettings, hardeningFilePaths } from "../../../lib/controlPlane/hardeningPatch";
import { applyManifestPatch } from "../../../lib/controlPlane/manifestPatch";
import { withControlPlaneDefaults } from "../../../lib/controlPlane/settings";
import { staticTokenPatch } from "../../../lib/identity/apiserverManifest";
import { APISERVER, CONTROLLER_MANAGER, SCHEDULER } from "./fixtures";

const KUBEADM = { "kube-apiserver": APISERVER, "kube-controller-manager": CONTROLLER_MANAGER, "kube-scheduler": SCHEDULER };
const SETTINGS = withControlPlaneDefaults({ enabled: true });
const FILES = hardeningFilePaths(SETTINGS);
const ENCRYPTION = renderEncryptionConfiguration([{ provider: "secretbox", name: "key-1" }, { provider: "identity" }], { "key-1": Buffer.alloc(32, 7).toString("base64") });
const PATCH = controlPlanePatchFromSettings(SETTINGS, { encryptionConfiguration: ENCRYPTION });
const HARDENED = {
    "kube-apiserver": applyManifestPatch(APISERVER, "kube-apiserver", PATCH["kube-apiserver"]!),
    "kube-controller-manager": applyManifestPatch(CONTROLLER_MANAGER, "kube-controller-manager", PATCH["kube-controller-manager"]!),
    "kube-scheduler": applyManifestPatch(SCHEDULER, "kube-scheduler", PATCH["kube-scheduler"]!),
};
const NODE_FILES = Object.fromEntries(PATCH["kube-apiserver"]!.files.map(f => [f.path, f.content]));

const status = (checks: CisCheck[]) => Object.fromEntries(checks.map(c => [c.id, c.status]));
/** The checks the settings are meant to make pass. */
const SETTLED_BY_SETTINGS = ["1.2.1", "1.2.15", "1.2.16", "1.2.17", "1.2.18", "1.2.19", "1.2.20", "1.2.27", "1.2.28", "1.2.29", "1.3.2", "1.4.1", "3.2.1", "3.2.2"];

describe("computeCisChecks", () => {
    const before = computeCisChecks({ manifests: KUBEADM });
    const after = computeCisChecks({ manifests: HARDENED, files: NODE_FILES });

    test("lists every check once, numbered as kube-bench's cis-1.12", () => {
        expect(before.map(c => c.id)).toEqual(CIS_CHECKS.map(c => c.id));
        expect(new Set(before.map(c => c.id)).size).toBe(before.length);
        expect(before.find(c => c.id === "1.2.2")!.title).toBe("Ensure that the --token-auth-file parameter is not set");
    });

    test("kubeadm's defaults fail what the settings fix, and pass what kubeadm already sets", () => {
        for (const id of SETTLED_BY_SETTINGS) expect([id, status(before)[id]]).toEqual([id, "fail"]);
        for (const id of ["1.2.2", "1.2.4", "1.2.6", "1.2.7", "1.2.8", "1.2.10", "1.2.12", "1.2.13", "1.2.14", "1.2.21", "1.2.22", "1.2.23", "1.2.24", "1.2.25", "1.2.26", "1.3.3", "1.3.4", "1.3.5", "1.3.6", "1.3.7", "1.4.2"]) {
            expect([id, status(before)[id]]).toEqual([id, "pass"]);
        }
    });

    test("after the patch, every check the settings are for passes, and none that passed fails", () => {
        for (const id of SETTLED_BY_SETTINGS) expect([id, status(after)[id], after.find(c => c.id === id)!.reason]).toEqual([id, "pass", expect.any(String)]);
        expect(checksTurnedFailing(before, after)).toEqual([]);
        // What kube-baseline does not set stays failing, honestly.
        expect(["1.2.3", "1.2.5", "1.2.9", "1.2.11", "1.2.30", "1.3.1"].map(id => status(after)[id])).toEqual(["fail", "fail", "fail", "fail", "fail", "fail"]);
    });

    test("the static-token flag fails 1.2.2, and checksTurnedFailing says so", () => {
        const withTokens = { ...HARDENED, "kube-apiserver": applyManifestPatch(HARDENED["kube-apiserver"], "kube-apiserver", staticTokenPatch({ tokenFile: "/etc/kubernetes/auth/token.csv", volumeName: "kube-baseline-static-tokens" })) };
        const checks = computeCisChecks({ manifests: withTokens, files: NODE_FILES });
        expect(checks.find(c => c.id === "1.2.2")).toMatchObject({ status: "fail", reason: "--token-auth-file=/etc/kubernetes/auth/token.csv is set" });
        expect(checksTurnedFailing(computeCisChecks({ manifests: HARDENED, files: NODE_FILES }), checks)).toEqual([{
            id: "1.2.2", title: "Ensure that the --token-auth-file parameter is not set",
            before: "--token-auth-file is not set", after: "--token-auth-file=/etc/kubernetes/auth/token.csv is set",
        }]);
    });

    const flagged = (extra: string) => ({ ...KUBEADM, "kube-apiserver": APISERVER.replace("    - --secure-port", `${extra.split(" ").map(f => `    - ${f}`).join("\n")}\n    - --secure-port`) });
    test.each([
        ["1.2.1", "--anonymous-auth=false", "pass", "--anonymous-auth=false"],
        ["1.2.1", "--anonymous-auth=true", "fail", "--anonymous-auth=true"],
        ["1.2.6", "--authorization-mode=AlwaysAllow", "fail", "--authorization-mode=AlwaysAllow includes AlwaysAllow"],
        ["1.2.10", "--enable-admission-plugins=NodeRestriction,AlwaysAdmit", "fail", "includes AlwaysAdmit"],
        ["1.2.12", "--disable-admission-plugins=ServiceAccount", "fail", "--disable-admission-plugins=ServiceAccount includes ServiceAccount"],
        ["1.2.15", "--profiling", "fail", "--profiling=true (it must be false)"],
        ["1.2.17", "--audit-log-maxage=7", "fail", "--audit-log-maxage=7 is below 30"],
        ["1.2.20", "--request-timeout=300s", "pass", "--request-timeout=300s"],
        ["1.2.21", "--service-account-lookup=false", "fail", "--service-account-lookup=false (it must be true or unset)"],
        ["1.2.29", "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA", "fail", "includes TLS_RSA_WITH_AES_128_CBC_SHA"],
        ["1.2.29", "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "pass", "only strong suites (2)"],
        ["1.2.27", "--encryption-provider-config=/etc/e.yaml", "pass", "--encryption-provider-config=/etc/e.yaml"],
        ["1.2.28", "--encryption-provider-config=/etc/e.yaml", "fail", "that file could not be read for the check"],
        ["3.2.1", "--audit-policy-file=/etc/p.yaml", "pass", "--audit-policy-file=/etc/p.yaml"],
        ["3.2.2", "--audit-policy-file=/etc/p.yaml", "fail", "could not be read"],
    ])("%s with %s: %s", (id, flags, expected, reason) => {
        const check = computeCisChecks({ manifests: flagged(flags) }).find(c => c.id === id)!;
        expect(check.status).toBe(expected);
        expect(check.reason).toContain(reason);
    });

    test.each([
        ["an identity-first encryption config", FILES.encryption, renderEncryptionConfiguration([{ provider: "identity" }, { provider: "secretbox", name: "k" }], { k: Buffer.alloc(32).toString("base64") }),
            "1.2.28", "fail", "the first provider for Secrets is identity, so new Secrets are stored in plaintext"],
        ["anonymous access to /version too", FILES.authentication, renderAuthenticationConfiguration(["/livez", "/version"]), "1.2.1", "fail", "allows anonymous requests to /version"],
        ["anonymous access disabled", FILES.authentication, "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\nanonymous:\n  enabled: false\n", "1.2.1", "pass", "disables anonymous requests"],
        ["an audit policy logging Secrets with bodies", FILES.auditPolicy, renderAuditPolicy([{ level: "RequestResponse" }]), "3.2.2", "fail", "reading a Secret is logged at RequestResponse"],
        ["an audit policy that skips exec", FILES.auditPolicy, renderAuditPolicy([
            { level: "None", resources: [{ group: "", resources: ["pods/exec"] }] },
            { level: "Metadata" },
        ]), "3.2.2", "fail", "pods/exec is not logged"],
        ["a file that is not a policy", FILES.auditPolicy, "kind: Other\n", "3.2.1", "fail", "not an audit.k8s.io Policy"],
    ])("reads the file behind the flag: %s", (_what, path, text, id, expected, reason) => {
        const check = computeCisChecks({ manifests: HARDENED, files: { ...NODE_FILES, [path]: text } }).find(c => c.id === id)!;
        expect(check.status).toBe(expected);
        expect(check.reason).toContain(reason);
    });

    test("a component whose manifest is missing or broken fails its checks, saying why", () => {
        const checks = computeCisChecks({ manifests: { "kube-apiserver": APISERVER, "kube-scheduler": "kind: [" } });
        expect(checks.find(c => c.id === "1.3.2")).toMatchObject({ status: "fail", reason: "no kube-controller-manager manifest was read" });
        expect(checks.find(c => c.id === "1.4.1")).toMatchObject({ status: "fail", reason: expect.stringMatching(/kube-scheduler manifest is not valid YAML/) });
    });

    test("checksTurnedFailing counts a check that disappears as failing", () => {
        const before = computeCisChecks({ manifests: KUBEADM });
        expect(checksTurnedFailing(before, before.filter(c => c.id !== "1.2.2"))).toEqual([
            { id: "1.2.2", title: expect.any(String), before: "--token-auth-file is not set", after: "no longer computed" },
        ]);
    });
});

describe("describeManifestDrift", () => {
    const written = HARDENED["kube-apiserver"];
    test("identical: nothing to say", () => {
        const d = describeManifestDrift(written, written, "kube-apiserver");
        expect(d.identical).toBe(true);
        expect(formatManifestDrift(d, "cp1")).toBe("kube-apiserver on cp1 is as kube-baseline last wrote it");
    });

    test("a kubeadm upgrade: new image, kubeadm's flags back, ours gone", () => {
        const upgraded = APISERVER.replace("kube-apiserver:v1.35.4", "kube-apiserver:v1.36.0");
        const d = describeManifestDrift(upgraded, written, "kube-apiserver");
        expect(d.likelyCause).toBe("kubeadm upgrade");
        expect(d.flags.removed).toEqual(expect.arrayContaining(["--profiling=false", `--audit-policy-file=${FILES.auditPolicy}`]));
        expect(d.flags.changed).toEqual([]);
        expect(d.mounts.removed).toEqual(["kube-baseline-hardening", "kube-baseline-audit-log"]);
        expect(d.other).toEqual(["spec.containers[0].image: registry.k8s.io/kube-apiserver:v1.35.4 -> registry.k8s.io/kube-apiserver:v1.36.0"]);
        expect(formatManifestDrift(d, "cp1")).toMatch(/^kube-apiserver on cp1 differs from what kube-baseline last wrote \(regenerated by kubeadm upgrade, it seems\): flags removed: .*--profiling=false.*; volumes removed: kube-baseline-hardening, kube-baseline-audit-log; other: spec\.containers\[0\]\.image: .* The next up re-applies the patch\.$/);
    });

    test("a hand edit: one flag changed, one added", () => {
        const edited = written.replace("--audit-log-maxage=30", "--audit-log-maxage=7").replace("    - --secure-port", "    - --v=4\n    - --secure-port");
        const d = describeManifestDrift(edited, written, "kube-apiserver");
        expect(d.likelyCause).toBe("edited");
        expect(d.flags).toEqual({ added: ["--v=4"], removed: [], changed: [{ name: "audit-log-maxage", from: "30", to: "7" }], reordered: false });
        expect(d.mounts).toEqual({ added: [], removed: [], changed: [] });
        expect(formatManifestDrift(d, "cp1")).toContain("flags added: --v=4; flags changed: --audit-log-maxage 30 -> 7");
    });

    test("the same flags in kubeadm's order (extraArgs last): regenerated", () => {
        const lines = written.split("\n");
        const i = lines.indexOf("    - --profiling=false");
        lines.splice(i, 1);
        lines.splice(lines.indexOf("    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key") + 1, 0, "    - --profiling=false");
        const d = describeManifestDrift(lines.join("\n"), written, "kube-apiserver");
        expect(d).toMatchObject({ likelyCause: "regenerated", flags: { added: [], removed: [], changed: [], reordered: true } });
    });

    test("an unreadable live manifest is reported, not thrown", () => {
        expect(describeManifestDrift("kind: [", written, "kube-apiserver").other[0]).toMatch(/cannot be read: kube-apiserver manifest is not valid YAML/);
    });
});
