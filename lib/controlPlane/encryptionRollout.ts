// How one `pulumi up` carries out planEncryptionTransition on the control plane, as data the component turns into
// resources: the steps that run before the final patch (each write-config an apply of the whole patch with that
// keyring on every node, one node after the other; each rewrite one command), the keyring the final patch holds,
// and whether a rewrite must follow it. In the steady state there is nothing before and the final keyring is what
// the nodes run, so a second up changes nothing.
//
// Nodes that run different keyrings (an up stopped half way through a rollout) are first brought to one that
// reads everything any of them may have written and writes as the most advanced (the first) node does.

import { EncryptionKey, EncryptionStep, entryName, Keyring, KeyringEntry, planEncryptionTransition, verifyEncryptionPlan } from "./encryption";

export type RolloutStep = { kind: "write-config"; keyring: Keyring; why: string } | { kind: "rewrite-secrets"; why: string };

export interface EncryptionRollout {
    /** The keyring the plan starts from (after a catch-up when the nodes differ); undefined: no config. */
    from: Keyring | undefined;
    /** Every step, the catch-up first. */
    steps: EncryptionStep[];
    /** What runs before the final patch, in order. */
    before: RolloutStep[];
    /** The keyring the final patch installs; undefined: no EncryptionConfiguration. */
    final: Keyring | undefined;
    /** A rewrite of every Secret must follow the final patch (it made a new key primary). */
    rewriteAfter: boolean;
}

const IDENTITY: KeyringEntry = { provider: "identity" };

/**
 * The keyring to plan from, given what each apiserver runs (undefined: no EncryptionConfiguration), in apply
 * order. Equal keyrings: that one. Different ones: the first node's primary, then every entry any node has
 * (identity too when some node has no config), and `catchUp` says that this keyring must be written first.
 */
export function currentKeyring(perNode: Array<Keyring | undefined>): { from: Keyring | undefined; catchUp: boolean } {
    if (perNode.length === 0) return { from: undefined, catchUp: false };
    const names = perNode.map(r => (r ? r.map(entryName).join(",") : "(none)"));
    if (names.every(n => n === names[0])) return { from: perNode[0], catchUp: false };
    const rings = perNode.map(r => r ?? [IDENTITY]);
    const all: Keyring = [];
    for (const ring of rings) for (const e of ring) if (!all.some(x => entryName(x) === entryName(e))) all.push(e);
    const primary = rings[0][0];
    return { from: [primary, ...all.filter(e => entryName(e) !== entryName(primary))], catchUp: true };
}

/** The rollout from what the nodes run to `to` (undefined: encryption off). Throws if the plan could lose a Secret. */
export function planEncryptionRollout(perNode: Array<Keyring | undefined>, to: EncryptionKey | undefined): EncryptionRollout {
    const apiservers = perNode.length;
    const { from, catchUp } = currentKeyring(perNode);
    const plan = planEncryptionTransition(from, to, { apiservers });
    const problems = verifyEncryptionPlan(from, plan, { apiservers });
    if (problems.length > 0) throw new Error(`the encryption plan would leave Secrets unreadable: ${problems.join("; ")}`);
    const steps: EncryptionStep[] = catchUp
        ? [{ kind: "write-config", keyring: from!, why: "the apiservers run different keyrings: first every one reads what any of them wrote" }, ...plan]
        : plan;
    if (steps.length === 0) return { from, steps, before: [], final: from, rewriteAfter: false };

    const last = steps[steps.length - 1];
    if (last.kind === "rewrite-secrets") {
        const finalAt = steps.map(s => s.kind).lastIndexOf("write-config");
        if (finalAt < 0) {
            return { from, steps, before: steps.slice(0, -1).map(asRolloutStep), final: from, rewriteAfter: true };
        }
        const final = (steps[finalAt] as { keyring: Keyring }).keyring;
        return { from, steps, before: steps.slice(0, finalAt).map(asRolloutStep), final, rewriteAfter: true };
    }
    return {
        from, steps, before: steps.slice(0, -1).map(asRolloutStep),
        final: last.kind === "write-config" ? last.keyring : undefined,
        rewriteAfter: false,
    };
}

function asRolloutStep(s: EncryptionStep): RolloutStep {
    if (s.kind === "remove-config") throw new Error("removing the EncryptionConfiguration can only be the last step");
    return s;
}

/** The keyring that puts identity first and keeps reading every key of `ring` (what destroy installs first). */
export function identityFirst(ring: Keyring): Keyring {
    return [IDENTITY, ...ring.filter(e => e.provider !== "identity")];
}

/** The key name of a key generation: kube-baseline-<n>. */
export function encryptionKeyName(generation: number): string {
    return `kube-baseline-${generation}`;
}
