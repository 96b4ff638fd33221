// The stack's config as Pulumi hands it over: pulumi.runtime.allConfig() returns every key of every namespace,
// "<namespace>:<key>" -> string, objects and lists as JSON text and plain strings as they are, secret values
// decrypted. This reads the kube-baseline:* keys into values, and withholds the secret ones: validation only
// learns that a secret key is set, never its value (index.ts reads secrets with config.requireSecret).

import { CONFIG_NAMESPACE } from "./keyPath";

/** The secret config keys the program knows. */
export const SECRET_CONFIG_KEYS = ["adminKubeconfig", "sshPrivateKey", "clusterCaKey"] as const;
export type SecretConfigKey = typeof SECRET_CONFIG_KEYS[number];

/** Stands for a secret key's value: it is set, and nothing else is known here. */
export const SECRET_IS_SET: unique symbol = Symbol("secret is set");

/** Config key (without the namespace) -> parsed value; SECRET_IS_SET for the secret keys. */
export type StackConfigValues = Record<string, unknown>;

export function isSecretConfigKey(key: string): key is SecretConfigKey {
    return (SECRET_CONFIG_KEYS as readonly string[]).includes(key);
}

/** Reads allConfig()'s output (or a stack file's config section, values already parsed) into StackConfigValues. */
export function readStackConfigValues(all: Record<string, unknown>): StackConfigValues {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const values: StackConfigValues = {};
    for (const [fullKey, raw] of Object.entries(all)) {
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        values[key] = isSecretConfigKey(key) ? SECRET_IS_SET : parseValue(raw);
    }
    return values;
}

/** JSON text becomes its value; any other string stays a string (Pulumi passes plain strings unquoted). */
function parseValue(raw: unknown): unknown {
    if (typeof raw !== "string") return raw;
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}
