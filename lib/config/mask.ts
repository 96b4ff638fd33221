// What an error may show of a bad value. The config is typed under pressure and pasted between fields, so a
// value can hold a secret even where none belongs: such values are shown masked, and a value under a key the
// program does not know is never shown at all. An error never prints a whole object or list either: it names
// the exact key instead.

import { lastName } from "./keyPath";

/** Words in a key name that say its value is (or may be) a credential. */
const SECRET_WORDS = new Set([
    "password", "passwd", "passphrase", "pass", "pwd", "secret", "secrets", "token", "tokens", "key", "keys",
    "credential", "credentials", "private", "privatekey", "apikey", "kubeconfig", "auth",
]);

/** Longer single values than this are shown masked: nothing a config field holds legitimately is that long. */
export const MAX_SHOWN_LENGTH = 100;

/** Values that look like credentials wherever they appear. */
const SECRET_SHAPES: RegExp[] = [
    /-----BEGIN [A-Z0-9 ]+-----/,          // PEM: private keys, certificates
    /\bPRIVATE KEY\b/,
    /^[a-z0-9]{6}\.[a-z0-9]{16}$/,          // a kubeadm-shaped bearer token
    /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*@/i,    // a URL with user:password@
    /\bclient-(key|certificate)-data\b/,   // a kubeconfig
];

/** True when the key name reads like password, key, token, secret (camelCase, kebab, snake or dotted words). */
export function isSecretKeyName(path: string): boolean {
    const name = lastName(path);
    if (SECRET_WORDS.has(name.toLowerCase())) return true;
    const words = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z0-9]+/).filter(w => w !== "");
    return words.some(w => SECRET_WORDS.has(w));
}

/** True when a string value must not be shown as it is (under a secret-sounding key, or shaped like a secret). */
export function mustMask(path: string, value: string): boolean {
    return isSecretKeyName(path)
        || value.length > MAX_SHOWN_LENGTH
        || /[\r\n]/.test(value)
        || SECRET_SHAPES.some(shape => shape.test(value));
}

/**
 * The value as an error shows it: JSON for short plain scalars, "(masked, N characters)" for strings that may
 * be secret, "(not shown)" for a value whose key is unknown, and a description for objects and lists.
 */
export function shownValue(path: string, value: unknown, options: { hide?: boolean } = {}): string {
    if (value === undefined) return "(unset)";
    if (options.hide) return "(not shown)";
    if (value === null) return "null";
    if (Array.isArray(value)) return `(a list of ${value.length})`;
    if (typeof value === "object") return "(an object)";
    if (typeof value === "string") {
        return mustMask(path, value) ? `(masked, ${value.length} characters)` : JSON.stringify(value);
    }
    return JSON.stringify(value);
}
