// planControlPlane: what one up does, from what the nodes hold. The steady state plans the same scripts as the run
// that got there (so a second up changes nothing), drift is reported and re-applied, encryption steps come before
// the final patch and no Secret is ever unreadable, secrets travel only in stdin, and the CIS checks say what the
// patch changes.

import { ControlPlanePlanInput, planControlPlane } from "../../../lib/controlPlane/controlPlanePlan";
import { renderEncryptionConfiguration } from "../../../lib/controlPlane/encryption";
import { hardeningFilePaths } from "../../../lib/controlPlane/hardeningPatch";
import { LiveNodeState } from "../../../lib/controlPlane/liveState";
import { sha256Hex } from "../../../lib/hash";
import { withControlPlaneDefaults } from "../../../lib/controlPlane/settings";
import { staticTokenPatch } from "../../../lib/identity/apiserverManifest";
import { CLUSTER_CONFIGURATION_V1BETA4, MANIFESTS } from "./fixtures";

const SETTINGS = withControlPlaneDefaults({ enabled: true });
const FILES = hardeningFilePaths(SETTINGS);
const KEY = { provider: "secretbox" as const, name: "kube-baseline-1", secret: Buffer.alloc(32, 7).toString("base64") };
const OLD_KEY_SECRET = Buffer.alloc(32, 9).toString("base64");
const TOKENS = { "kube-apiserver": staticTokenPatch({ tokenFile: "/etc/kubernetes/auth/token.csv", volumeName: "kube-baseline-static-tokens" }, "abcdef.0123456789abcdef,wang,1001\n") };
const text = (t: string) => ({ text: t, sha256: sha256Hex(t) });

/** A node as kubeadm left it. */
function pristineNode(): LiveNodeState {
    return {
        manifests: Object.fromEntries(Object.entries(MANIFESTS).map(([c, m]) => [c, { original: text(m), live: text(m) }])),
        files: {},
        kubeadmConfig: { live: text(CLUSTER_CONFIGURATION_V1BETA4) },
    };
}

/** The node after the plan's final patch ran on it (what the scripts leave behind). */
function afterApply(plan: ReturnType<typeof planControlPlane>, node: LiveNodeState, name: string, files: Record<string, string>): LiveNodeState {
    const manifests: LiveNodeState["manifests"] = {};
    for (const a of plan.applies.filter(x => x.node === name)) {
        manifests[a.component] = { original: text(a.update.originalManifest), live: text(a.update.patchedManifest), written: text(a.update.patchedManifest), recordedExpected: {} };
    }
    const desired = /base64 -d > "\$record.tmp"/.test(plan.kubeadmConfig!.apply)
        ? Buffer.from(/printf '%s' '([A-Za-z0-9+/=]+)' \| base64 -d > "\$record.tmp"/.exec(plan.kubeadmConfig!.apply)![1], "base64").toString() : "";
    return {
        manifests: { ...node.manifests, ...manifests }, files,
        kubeadmConfig: name === "cp1" ? { live: text(desired), original: node.kubeadmConfig!.live, written: text(desired) } : undefined,
    };
}

function input(live: LiveNodeState[], overrides: Partial<ControlPlanePlanInput> = {}): ControlPlanePlanInput {
    return {
        nodes: live.map((_, i) => `cp${i + 1}`), live, settings: SETTINGS, encryptionKey: KEY,
        extraPatches: [TOKENS], adminKubeconfig: "/etc/kubernetes/admin.conf", ...overrides,
    };
}

describe("planControlPlane", () => {
    test("the first up on one node: every component, kubeadm-config, the rewrite after enabling; secrets only in stdin", () => {
        const plan = planControlPlane(input([pristineNode()]));
        expect(plan.components).toEqual(["kube-apiserver", "kube-controller-manager", "kube-scheduler"]);
        expect(plan.applies.map(a => `${a.node}/${a.component}`)).toEqual(["cp1/kube-apiserver", "cp1/kube-controller-manager", "cp1/kube-scheduler"]);
        expect(plan.before).toEqual([]);
        expect(plan.rollout.final?.map(e => e.provider === "identity" ? "identity" : e.name)).toEqual(["kube-baseline-1", "identity"]);
        expect(plan.rewriteAfter).toBeUndefined();
        expect(plan.encryption?.rewrite.create).toContain("kubectl --kubeconfig '/etc/kubernetes/admin.conf'");
        expect(plan.kubeadmConfig?.apply).toContain("patch configmap kubeadm-config --type=json");
        // The key and the token never in a script; both in the apiserver's stdin.
        const scripts = [...plan.applies.flatMap(a => [a.script, a.restore]), plan.kubeadmConfig!.apply, ...plan.encryption!.identityFirst.map(g => g.script)].join("\n");
        for (const secret of [KEY.secret, "abcdef.0123456789abcdef", Buffer.from(KEY.secret).toString("base64")]) expect(scripts).not.toContain(secret);
        const stdin = plan.applies[0].stdin.split("\n").filter(l => l).map(l => Buffer.from(l, "base64").toString()).join("\n");
        expect(stdin).toContain(KEY.secret);
        expect(stdin).toContain("abcdef.0123456789abcdef,wang,1001");
        expect(plan.notices).toEqual([]);
    });

    test("the CIS checks: what runs now and what the patch makes (the token turns 1.2.2 failing)", () => {
        const plan = planControlPlane(input([pristineNode()]));
        const status = (checks: typeof plan.cisLive[string], id: string) => checks.find(c => c.id === id)!.status;
        for (const id of ["1.2.15", "1.2.27", "1.2.28", "1.3.2", "1.4.1", "3.2.2"]) expect([id, status(plan.cisLive.cp1, id), status(plan.cisPlanned.cp1, id)]).toEqual([id, "fail", "pass"]);
        expect(status(plan.cisLive.cp1, "1.2.2")).toBe("pass");
        expect(status(plan.cisPlanned.cp1, "1.2.2")).toBe("fail");
    });

    test("the next up plans the very same scripts (nothing changes), and a regenerated manifest is reported and re-applied", () => {
        const first = planControlPlane(input([pristineNode()]));
        const config = renderEncryptionConfiguration(first.rollout.final!, { [KEY.name]: KEY.secret });
        const node = afterApply(first, pristineNode(), "cp1", { [FILES.encryption]: config });
        const second = planControlPlane(input([node]));
        expect(second.applies.map(a => a.script)).toEqual(first.applies.map(a => a.script));
        expect(second.applies.map(a => a.restore)).toEqual(first.applies.map(a => a.restore));
        expect(second.kubeadmConfig).toEqual(first.kubeadmConfig);
        expect(second.encryption).toEqual(first.encryption);
        expect(second.before).toEqual([]);
        expect(second.notices).toEqual([]);

        // kubeadm regenerated the apiserver: the flags kube-baseline set are after kubeadm's own now.
        const written = node.manifests["kube-apiserver"]!.live!.text;
        const lines = written.split("\n");
        const i = lines.findIndex(l => l.includes("--profiling=false"));
        const regenerated = [...lines.slice(0, i), ...lines.slice(i + 1, i + 2), lines[i], ...lines.slice(i + 2)].join("\n");
        node.manifests["kube-apiserver"] = { ...node.manifests["kube-apiserver"]!, live: text(regenerated) };
        const third = planControlPlane(input([node]));
        expect(third.notices).toEqual([expect.stringMatching(/^kube-apiserver on cp1 differs from what kube-baseline last wrote \(regenerated, it seems\): flags reordered\. The next up re-applies the patch\.$/)]);
        expect(third.applies[0].update.originalManifest).toBe(MANIFESTS["kube-apiserver"]);
        expect(third.applies[0].update.expected.liveSha256).toBe(sha256Hex(regenerated));
        expect(third.applies[0].script).not.toBe(first.applies[0].script);
    });

    test("three nodes enabling: every apiserver reads the key before any writes with it", () => {
        const plan = planControlPlane(input([pristineNode(), pristineNode(), pristineNode()]));
        expect(plan.before.map(b => b.kind === "apply" ? `${b.kind} ${b.applies.map(a => a.node).join(",")}: ${b.why.split(":")[0]}` : b.kind)).toEqual([
            "apply cp1,cp2,cp3: identity, secretbox",
        ]);
        expect(plan.applies.filter(a => a.component === "kube-apiserver").map(a => a.node)).toEqual(["cp1", "cp2", "cp3"]);
        expect(plan.encryption?.identityFirst.map(g => g.node)).toEqual(["cp1", "cp2", "cp3"]);
    });

    test("rotation: the new key is added first, made primary, every Secret rewritten, and only then the old key goes", () => {
        const old = { provider: "secretbox" as const, name: "kube-baseline-1" };
        const config = renderEncryptionConfiguration([old, { provider: "identity" }], { [old.name]: OLD_KEY_SECRET });
        const first = planControlPlane(input([pristineNode()], { encryptionKey: { ...old, secret: OLD_KEY_SECRET } }));
        const node = afterApply(first, pristineNode(), "cp1", { [FILES.encryption]: config });
        const plan = planControlPlane(input([node], { encryptionKey: { provider: "secretbox", name: "kube-baseline-2", secret: KEY.secret } }));
        expect(plan.before.map(b => b.kind)).toEqual(["apply", "apply", "rewrite"]);
        expect(plan.rollout.steps.map(s => s.kind === "write-config" ? s.keyring.map(e => e.provider === "identity" ? "identity" : e.name).join(",") : s.kind)).toEqual([
            "kube-baseline-1,kube-baseline-2,identity", "kube-baseline-2,kube-baseline-1,identity", "rewrite-secrets", "kube-baseline-2,identity",
        ]);
        // The old key's material comes from the node's own config, on stdin only.
        const stdinText = (stdin: string) => stdin.split("\n").filter(l => l).map(l => Buffer.from(l, "base64").toString()).join("\n");
        const step1 = plan.before[0];
        expect(step1.kind === "apply" && stdinText(step1.applies[0].stdin)).toContain(OLD_KEY_SECRET);
        expect(stdinText(plan.applies[0].stdin)).not.toContain(OLD_KEY_SECRET);
    });

    test("encryption off while a config is on: identity first, every Secret rewritten, then the config goes", () => {
        const first = planControlPlane(input([pristineNode()]));
        const config = renderEncryptionConfiguration(first.rollout.final!, { [KEY.name]: KEY.secret });
        const node = afterApply(first, pristineNode(), "cp1", { [FILES.encryption]: config });
        const plan = planControlPlane(input([node], { encryptionKey: undefined }));
        expect(plan.before.map(b => b.kind)).toEqual(["apply", "rewrite"]);
        expect(plan.rollout.final).toBeUndefined();
        expect(plan.encryption).toBeUndefined();
        expect(plan.applies[0].script).not.toContain("encryption-provider-config");
    });

    test("tokens only: the apiserver alone, no encryption resources", () => {
        const plan = planControlPlane(input([pristineNode()], { settings: withControlPlaneDefaults({}), encryptionKey: undefined }));
        expect(plan.components).toEqual(["kube-apiserver"]);
        expect(plan.encryption).toBeUndefined();
    });
});
