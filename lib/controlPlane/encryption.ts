// Encryption at rest for Secrets: the EncryptionConfiguration file, and the order of changes that never leaves a
// Secret unreadable, written down as a pure planner whose every step is a config that can be tested.
//
// How the apiserver reads the config: the first provider encrypts every write; every listed provider (and key)
// decrypts what carries its prefix (k8s:enc:<provider>:v1:<key>:); `identity` reads what has no prefix
// (plaintext). Existing Secrets stay as they are stored until they are rewritten. So:
//  - enable:   [identity, new] on every apiserver first when there are several (each can read what another
//              already encrypts), then [new, identity] (provider first, identity after), then rewrite every Secret;
//  - rotate:   the new key added as a non-primary key first, then made primary, then every Secret rewritten, then
//              the old key dropped;
//  - disable:  [identity, old] (identity first: writes are plaintext, old ciphertext still reads; with several
//              apiservers and no identity in the config yet, [old, identity] before that), rewrite every Secret, and
//              only then remove the config.
// verifyEncryptionPlan replays a plan against a model of the apiservers and of what etcd holds, and names any step
// after which (or during whose rolling restart) some Secret could not be read.

import { parse, stringify } from "yaml";
import { ENCRYPTION_CONFIGURATION_API_VERSION, ENCRYPTION_KEY_BYTES } from "./kubernetesFacts";

export type EncryptionProvider = "secretbox" | "aescbc";
export const ENCRYPTION_PROVIDERS: readonly EncryptionProvider[] = ["secretbox", "aescbc"];

export interface EncryptionKey { provider: EncryptionProvider; name: string }
export type KeyringEntry = EncryptionKey | { provider: "identity" };
/** The providers for Secrets, in the config's order: the first entry encrypts. */
export type Keyring = KeyringEntry[];

export type EncryptionStep =
    | { kind: "write-config"; keyring: Keyring; why: string }
    | { kind: "rewrite-secrets"; why: string }
    | { kind: "remove-config"; why: string };

export const KEY_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const IDENTITY: KeyringEntry = { provider: "identity" };

export function entryName(e: KeyringEntry): string {
    return e.provider === "identity" ? "identity" : `${e.provider}:${e.name}`;
}

function same(a: KeyringEntry, b: KeyringEntry): boolean {
    return entryName(a) === entryName(b);
}

function without(ring: Keyring, e: KeyringEntry): Keyring {
    return ring.filter(x => !same(x, e));
}

/**
 * The steps from what the apiservers run now (`from`; undefined: no EncryptionConfiguration) to `to` (undefined:
 * none). `apiservers` is how many control-plane nodes restart one after the other.
 */
export function planEncryptionTransition(from: Keyring | undefined, to: EncryptionKey | undefined, options: { apiservers: number }): EncryptionStep[] {
    return withoutNoOps(from, plan(from, to, options));
}

/** A write of the config the apiservers run already is no step. */
function withoutNoOps(from: Keyring | undefined, steps: EncryptionStep[]): EncryptionStep[] {
    let current = from?.map(entryName).join(",");
    return steps.filter(s => {
        if (s.kind !== "write-config") {
            if (s.kind === "remove-config") current = undefined;
            return true;
        }
        const ring = s.keyring.map(entryName).join(",");
        if (ring === current) return false;
        current = ring;
        return true;
    });
}

function plan(from: Keyring | undefined, to: EncryptionKey | undefined, options: { apiservers: number }): EncryptionStep[] {
    if (from !== undefined) checkKeyring(from);
    if (to !== undefined) checkKey(to);
    const final = (k: EncryptionKey): Keyring => [k, IDENTITY];
    const several = options.apiservers > 1;

    if (from === undefined) {
        if (to === undefined) return [];
        return [
            ...(several ? [{ kind: "write-config" as const, keyring: [IDENTITY, to], why: `every apiserver learns to read ${entryName(to)} before any writes with it` }] : []),
            { kind: "write-config", keyring: final(to), why: `${entryName(to)} encrypts, identity still reads the plaintext Secrets` },
            { kind: "rewrite-secrets", why: `existing Secrets are rewritten encrypted with ${entryName(to)}` },
        ];
    }

    if (to === undefined) {
        const steps: EncryptionStep[] = [];
        if (several && !from.some(e => same(e, IDENTITY))) {
            steps.push({ kind: "write-config", keyring: [...from, IDENTITY], why: "every apiserver learns to read plaintext before any writes it" });
        }
        if (!same(from[0], IDENTITY)) {
            steps.push({ kind: "write-config", keyring: [IDENTITY, ...without(from, IDENTITY)], why: "identity first: Secrets are written in plaintext, the old keys still read" });
        }
        steps.push({ kind: "rewrite-secrets", why: "every Secret is rewritten in plaintext" });
        steps.push({ kind: "remove-config", why: "nothing is encrypted any more: the config goes" });
        return steps;
    }

    if (same(from[0], to)) {
        const canonical = final(to);
        if (from.length === canonical.length && from.every((e, i) => same(e, canonical[i]))) return [];
        // An interrupted rotation: the new key is primary already; finish it.
        return [
            { kind: "rewrite-secrets", why: `every Secret is rewritten with ${entryName(to)} before the other keys go` },
            { kind: "write-config", keyring: canonical, why: "the old keys are dropped" },
        ];
    }

    const readers = without(without(from, to), IDENTITY);
    return [
        { kind: "write-config", keyring: dedupe([from[0], to, ...from.slice(1)]),
            why: `${entryName(to)} is added as a non-primary key: every apiserver can read it before any writes with it` },
        { kind: "write-config", keyring: [to, ...readers, IDENTITY], why: `${entryName(to)} becomes primary; the old keys still read` },
        { kind: "rewrite-secrets", why: `every Secret is rewritten with ${entryName(to)}` },
        { kind: "write-config", keyring: final(to), why: "the old keys are dropped" },
    ];
}

/**
 * Replays a plan: etcd may hold Secrets written by any entry of `from` (plaintext when there was no config); while
 * a config rolls out, old and new apiservers both serve (when there are several), so each must read what the other
 * writes. Returns one message per problem; empty when no Secret is ever unreadable.
 */
export function verifyEncryptionPlan(from: Keyring | undefined, steps: EncryptionStep[], options: { apiservers: number }): string[] {
    const problems: string[] = [];
    let current: Keyring = from ?? [IDENTITY];
    // What etcd may hold: for each entry, Secrets it wrote.
    let stored = new Set<string>((from ?? [IDENTITY]).map(entryName));
    const reads = (ring: Keyring, what: string) => ring.some(e => entryName(e) === what);
    steps.forEach((step, i) => {
        const at = `step ${i + 1} (${step.kind}${step.kind === "write-config" ? ` ${step.keyring.map(entryName).join(", ")}` : ""})`;
        if (step.kind === "rewrite-secrets") {
            stored = new Set([entryName(current[0])]);
            return;
        }
        const next: Keyring = step.kind === "remove-config" ? [IDENTITY] : step.keyring;
        const during = new Set(stored);
        during.add(entryName(next[0]));
        if (options.apiservers > 1) during.add(entryName(current[0]));
        for (const what of during) {
            if (!reads(next, what)) problems.push(`${at}: Secrets stored as ${what} cannot be read by the new config`);
            if (options.apiservers > 1 && !reads(current, what)) problems.push(`${at}: while it rolls out, apiservers still on the old config cannot read Secrets stored as ${what}`);
        }
        stored = during;
        current = next;
    });
    return [...new Set(problems)];
}

/** The EncryptionConfiguration file for Secrets. `secrets` maps key name -> base64 key; the output is secret. */
export function renderEncryptionConfiguration(keyring: Keyring, secrets: Record<string, string>): string {
    checkKeyring(keyring);
    const providers: Array<Record<string, unknown>> = [];
    for (const e of keyring) {
        if (e.provider === "identity") {
            providers.push({ identity: {} });
            continue;
        }
        const secret = secrets[e.name];
        const problem = encryptionKeyProblem(e.provider, secret);
        if (problem) throw new Error(`encryption key ${e.name}: ${problem}`);
        const last = providers[providers.length - 1] as Record<string, { keys: Array<{ name: string; secret: string }> }> | undefined;
        // Consecutive keys of one provider are one provider entry (the first key of it encrypts).
        if (last && last[e.provider]) last[e.provider].keys.push({ name: e.name, secret });
        else providers.push({ [e.provider]: { keys: [{ name: e.name, secret }] } });
    }
    return stringify({
        apiVersion: ENCRYPTION_CONFIGURATION_API_VERSION,
        kind: "EncryptionConfiguration",
        resources: [{ resources: ["secrets"], providers }],
    }, { lineWidth: 0 });
}

/** The keyring an EncryptionConfiguration holds for Secrets (key material left out). Throws when it is not one. */
export function parseEncryptionConfiguration(text: string): Keyring {
    const doc = parse(text) as { kind?: string; resources?: Array<{ resources?: string[]; providers?: Array<Record<string, { keys?: Array<{ name: string }> }>> }> } | null;
    if (!doc || doc.kind !== "EncryptionConfiguration" || !Array.isArray(doc.resources)) throw new Error("not an EncryptionConfiguration");
    const entry = doc.resources.find(r => (r.resources ?? []).some(x => x === "secrets" || x === "*." || x === "*.*"));
    if (!entry) return [];
    const ring: Keyring = [];
    for (const p of entry.providers ?? []) {
        const [type, body] = Object.entries(p)[0] ?? [];
        if (type === "identity") ring.push(IDENTITY);
        else if (type === "secretbox" || type === "aescbc") for (const k of body?.keys ?? []) ring.push({ provider: type, name: k.name });
        else ring.push({ provider: type as EncryptionProvider, name: "(other)" });
    }
    return ring;
}

/** Why this base64 key is not one the provider accepts, or undefined. Never repeats the key. */
export function encryptionKeyProblem(provider: EncryptionProvider, base64Key: string | undefined): string | undefined {
    if (base64Key === undefined || base64Key === "") return "no key material";
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64Key) || base64Key.length % 4 !== 0) return "the key is not standard base64";
    const bytes = Buffer.from(base64Key, "base64").length;
    const sizes = ENCRYPTION_KEY_BYTES[provider];
    if (!sizes.includes(bytes)) return `${provider} needs a key of ${sizes.join(" or ")} bytes, this one has ${bytes}`;
    return undefined;
}

function dedupe(ring: Keyring): Keyring {
    return ring.filter((e, i) => ring.findIndex(x => same(x, e)) === i);
}

function checkKey(k: EncryptionKey): void {
    if (!ENCRYPTION_PROVIDERS.includes(k.provider)) throw new Error(`encryption provider must be one of ${ENCRYPTION_PROVIDERS.join(", ")}, got ${JSON.stringify(k.provider)}`);
    if (!KEY_NAME.test(k.name)) throw new Error(`encryption key name must be an RFC 1123 label, got ${JSON.stringify(k.name)}`);
}

function checkKeyring(ring: Keyring): void {
    if (ring.length === 0) throw new Error("an encryption keyring needs at least one entry");
    const seen = new Set<string>();
    for (const e of ring) {
        if (e.provider !== "identity") checkKey(e);
        const name = e.provider === "identity" ? "identity" : e.name;
        if (seen.has(name)) throw new Error(`encryption key ${name} appears twice`);
        seen.add(name);
    }
}

/** Key name -> base64 key material of an EncryptionConfiguration's Secrets providers (secret: keep it so). */
export function encryptionKeySecrets(text: string): Record<string, string> {
    const doc = parse(text) as { resources?: Array<{ providers?: Array<Record<string, { keys?: Array<{ name: string; secret: string }> }>> }> } | null;
    const out: Record<string, string> = {};
    for (const r of doc?.resources ?? []) {
        for (const p of r.providers ?? []) {
            for (const body of Object.values(p)) for (const k of body?.keys ?? []) if (typeof k.secret === "string") out[k.name] = k.secret;
        }
    }
    return out;
}
