// Everything one `pulumi up` does to the control plane, decided from what the program read on every control-plane
// node (liveState.ts) and the settings, as plain data the ControlPlane component turns into node commands:
//  - per node, one after the other, per component: the final patch (apply script, restore script for destroy,
//    secret files on stdin), each planned by planManifestUpdate, so drift is re-applied and an upgrade re-based;
//  - the encryption steps that must run before it (planEncryptionRollout: each write of the EncryptionConfiguration
//    an apply of the whole patch on every node in turn, each rewrite one command), and a rewrite after it;
//  - while encryption is on: the rewrite of every Secret (create: after enabling; delete: before the config goes)
//    and per node the identity-first step destroy runs before that rewrite;
//  - kubeadm-config's ClusterConfiguration with the same flags and mounts;
//  - the CIS checks of what runs now and of what the patch makes, and a preview message per drifted manifest.
// Secrets (tokens, encryption keys) are only in the `stdin` fields: the caller keeps those secret.

import { computeCisChecks, CisCheck } from "./cisChecks";
import { clusterConfigurationChange } from "./clusterConfiguration";
import { ControlPlaneComponent, CONTROL_PLANE_COMPONENTS, manifestPath } from "./components";
import { formatManifestDrift } from "./drift";
import { EncryptionKey, EncryptionProvider, entryName, Keyring, parseEncryptionConfiguration, renderEncryptionConfiguration, encryptionKeySecrets } from "./encryption";
import { EncryptionRollout, identityFirst, planEncryptionRollout } from "./encryptionRollout";
import { controlPlanePatchFromSettings, hardeningFilePaths } from "./hardeningPatch";
import { applyKubeadmConfigScript, planKubeadmConfigUpdate, restoreKubeadmConfigScript } from "./kubeadmConfigUpdate";
import { LiveNodeState } from "./liveState";
import { resolveManifestFlags } from "./manifestPatch";
import { ManifestUpdate, planManifestUpdate } from "./manifestUpdate";
import { applyPatchScript, NodePatchPaths, renderApplyStdin, restorePatchScript } from "./nodeScripts";
import { ComponentPatch, ControlPlanePatch, mergeControlPlanePatches } from "./patchModel";
import { secretRewriteScript } from "./secretRewrite";
import { ControlPlaneSettings } from "./settings";
import { componentHealthUrl, readStaticPod } from "./staticPodManifest";

export interface ControlPlanePlanInput {
    /** Control-plane node names, in apply order; `live` has one entry per node. */
    nodes: string[];
    live: LiveNodeState[];
    settings: ControlPlaneSettings;
    /** The key encryption should end on (secret), or undefined: encryption off. */
    encryptionKey?: EncryptionKey & { secret: string };
    /** Other patches on top of the settings' (the static-token file). */
    extraPatches?: ControlPlanePatch[];
    /** The apiserver's health URL when the config names one (staticTokens.readyzUrl). */
    apiserverHealthUrl?: string;
    /** The admin kubeconfig on the first node (kubectl for kubeadm-config and the rewrite). */
    adminKubeconfig: string;
}

export interface NodeScript {
    node: string;
    script: string;
    /** Secret: the secret files, as renderApplyStdin writes them. */
    stdin: string;
}

export interface ComponentApply extends NodeScript {
    component: ControlPlaneComponent;
    restore: string;
    update: ManifestUpdate;
}

export type BeforeStep =
    | { kind: "apply"; step: number; applies: NodeScript[]; why: string }
    | { kind: "rewrite"; step: number; script: string; why: string };

export interface ControlPlanePlan {
    /** Components the patch touches, in order. */
    components: ControlPlaneComponent[];
    applies: ComponentApply[];
    rollout: EncryptionRollout;
    before: BeforeStep[];
    /** A rewrite right after the final patch (a new key became primary when there was a config already). */
    rewriteAfter?: string;
    /** While the final patch holds an EncryptionConfiguration. */
    encryption?: {
        rewrite: { create: string; delete: string };
        /** Destroy's first step per node: identity first, every key still read (the delete of a guard command). */
        identityFirst: NodeScript[];
    };
    kubeadmConfig?: { apply: string; restore: string };
    cisLive: Record<string, CisCheck[]>;
    cisPlanned: Record<string, CisCheck[]>;
    /** For the preview: what drifted, what the next up does. */
    notices: string[];
}

export function planControlPlane(input: ControlPlanePlanInput): ControlPlanePlan {
    const s = input.settings;
    const files = hardeningFilePaths(s);
    if (input.live.length !== input.nodes.length || input.nodes.length === 0) throw new Error("one live state per control-plane node is needed");
    const notices: string[] = [];

    // Encryption: what the apiservers run now, and the steps to the target.
    const perNode = input.live.map(l => liveKeyring(l, files.encryption));
    const secrets: Record<string, string> = {};
    for (const l of input.live) Object.assign(secrets, l.files[files.encryption] !== undefined ? safeKeySecrets(l.files[files.encryption]) : {});
    const to = input.encryptionKey && { provider: input.encryptionKey.provider as EncryptionProvider, name: input.encryptionKey.name };
    if (input.encryptionKey) secrets[input.encryptionKey.name] = input.encryptionKey.secret;
    const rollout = planEncryptionRollout(perNode, to);
    const patchWith = (keyring: Keyring | undefined): ControlPlanePatch => mergeControlPlanePatches(
        controlPlanePatchFromSettings(s, { encryptionConfiguration: keyring && renderEncryptionConfiguration(keyring, secrets) }),
        ...(input.extraPatches ?? []),
    );
    const finalPatch = patchWith(rollout.final);
    const components = CONTROL_PLANE_COMPONENTS.filter(c => finalPatch[c] !== undefined);
    if (components.length === 0) throw new Error("the control-plane patch is empty");

    const paths = (c: ControlPlaneComponent): NodePatchPaths => ({ manifestPath: manifestPath(c, s.manifestDirectory), stateDirectory: s.stateDirectory });
    const planOne = (node: string, i: number, c: ControlPlaneComponent, patch: ComponentPatch, filesOnly?: { unlessManifestLacks: string }) => {
        const state = input.live[i].manifests[c];
        if (!state) throw new Error(`the ${c} manifest of ${node} was not read`);
        const update = planManifestUpdate(state, c, patch);
        const health = (text: string) => ({
            url: c === "kube-apiserver" && input.apiserverHealthUrl ? input.apiserverHealthUrl : componentHealthUrl(text, c),
            timeoutSeconds: s.healthTimeoutSeconds,
        });
        const script = applyPatchScript({
            node, component: c, paths: paths(c), originalManifest: update.originalManifest, patchedManifest: update.patchedManifest,
            expected: update.expected, directories: patch.directories, files: patch.files, health: health(update.patchedManifest), filesOnly,
        });
        return { update, script, stdin: renderApplyStdin(patch.files), health };
    };

    // Before the final patch: each write an apply on every node, each rewrite one command.
    const before: BeforeStep[] = rollout.before.map((step, k) => {
        if (step.kind === "rewrite-secrets") return { kind: "rewrite", step: k + 1, why: step.why, script: secretRewriteScript({ kubeconfig: input.adminKubeconfig, why: step.why }) };
        const patch = patchWith(step.keyring)["kube-apiserver"]!;
        return {
            kind: "apply", step: k + 1, why: `${step.keyring.map(entryName).join(", ")}: ${step.why}`,
            applies: input.nodes.map((node, i) => {
                const p = planOne(node, i, "kube-apiserver", patch);
                return { node, script: p.script, stdin: p.stdin };
            }),
        };
    });

    const applies: ComponentApply[] = [];
    input.nodes.forEach((node, i) => {
        for (const c of components) {
            const patch = finalPatch[c]!;
            const p = planOne(node, i, c, patch);
            if (p.update.drift) notices.push(formatManifestDrift(p.update.drift, node));
            const restore = restorePatchScript({
                node, component: c, paths: paths(c), originalManifest: p.update.originalManifest, patchedManifest: p.update.patchedManifest,
                files: patch.files.map(f => f.path), directories: patch.directories.map(d => d.path), health: p.health(p.update.originalManifest),
            });
            applies.push({ node, component: c, script: p.script, restore, stdin: p.stdin, update: p.update });
        }
    });

    const plan: ControlPlanePlan = {
        components, applies, rollout, before, notices,
        cisLive: {}, cisPlanned: {},
    };
    if (rollout.rewriteAfter && rollout.from !== undefined) {
        plan.rewriteAfter = secretRewriteScript({ kubeconfig: input.adminKubeconfig, why: "the new key is primary: every Secret is rewritten with it" });
    }
    if (rollout.final !== undefined) {
        const guardPatch = patchWith(identityFirst(rollout.final))["kube-apiserver"]!;
        plan.encryption = {
            rewrite: {
                create: secretRewriteScript({ kubeconfig: input.adminKubeconfig, why: "encryption is on: every Secret is rewritten encrypted" }),
                delete: secretRewriteScript({ kubeconfig: input.adminKubeconfig, why: "identity is first: every Secret is rewritten in plaintext before the config goes" }),
            },
            identityFirst: input.nodes.map((node, i) => {
                const p = planOne(node, i, "kube-apiserver", guardPatch, { unlessManifestLacks: `--encryption-provider-config=${files.encryption}` });
                return { node, script: p.script, stdin: p.stdin };
            }),
        };
    }

    // kubeadm-config: the flags as the final patch resolves them against the first node's original manifests.
    const kubeadm = input.live[0].kubeadmConfig;
    if (kubeadm?.live) {
        const firstApplies = applies.filter(a => a.node === input.nodes[0]);
        const originals = Object.fromEntries(firstApplies.map(a => [a.component, a.update.originalManifest]));
        const resolved = Object.fromEntries(firstApplies.map(a => [a.component, resolveManifestFlags(a.update.originalManifest, a.component, finalPatch[a.component]!)]));
        const update = planKubeadmConfigUpdate(kubeadm, clusterConfigurationChange(finalPatch, resolved, originals));
        if (update.drifted) notices.push(`kubeadm-config's ClusterConfiguration differs from what kube-baseline last wrote (changed by kubeadm upgrade or by hand, it seems); the next up writes the patch onto it as it is now.`);
        const where = { kubeconfig: input.adminKubeconfig, stateDirectory: s.stateDirectory };
        plan.kubeadmConfig = { apply: applyKubeadmConfigScript(input.nodes[0], where, update), restore: restoreKubeadmConfigScript(input.nodes[0], where, update) };
    } else {
        notices.push("kubeadm-config has no ClusterConfiguration (not a kubeadm cluster?): the patch is not written there, and a control-plane upgrade that regenerates the manifests would drop it.");
    }

    // The CIS checks: what runs now, and what the patch makes of it.
    const patchFiles = Object.fromEntries(CONTROL_PLANE_COMPONENTS.flatMap(c => finalPatch[c]?.files ?? []).map(f => [f.path, f.content]));
    input.nodes.forEach((node, i) => {
        const live = input.live[i];
        const liveManifests = Object.fromEntries(Object.entries(live.manifests).filter(([, m]) => m?.live).map(([c, m]) => [c, m!.live!.text]));
        plan.cisLive[node] = computeCisChecks({ manifests: liveManifests, files: live.files });
        const planned = { ...liveManifests, ...Object.fromEntries(applies.filter(a => a.node === node).map(a => [a.component, a.update.patchedManifest])) };
        plan.cisPlanned[node] = computeCisChecks({ manifests: planned, files: { ...live.files, ...patchFiles } });
    });
    return plan;
}

/** The keyring the node's apiserver runs: from kube-baseline's EncryptionConfiguration when its manifest uses it. */
function liveKeyring(live: LiveNodeState, encryptionFile: string): Keyring | undefined {
    const manifest = live.manifests["kube-apiserver"]?.live?.text;
    if (!manifest) return undefined;
    const flag = readStaticPod(manifest, "kube-apiserver").flags.get("encryption-provider-config");
    const text = live.files[encryptionFile];
    if (flag !== encryptionFile || text === undefined) return undefined;
    const ring = parseEncryptionConfiguration(text);
    return ring.length > 0 ? ring : undefined;
}

function safeKeySecrets(text: string): Record<string, string> {
    try {
        return encryptionKeySecrets(text);
    } catch {
        return {};
    }
}
