// Reading resource properties safely at preview time.
//
// During `pulumi preview` the engine sends values it cannot know yet as sentinel strings, and
// @pulumi/policy wraps `props` in a proxy that throws as soon as one is read. The framework turns that
// throw into an advisory "can't run policy" note and skips the whole policy for the resource (or, for
// a stack policy, for the whole stack). Policies here read the plain object under the proxy and test
// each value they use with `isUnknown`, so one unknown field skips one check and the rest still run.

/** The sentinels the engine uses for unknown values (one per value kind; all are strings on the wire). */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** The string-kind sentinel (what tests use to stand for "not known yet"). */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Our own marker for "not known yet" in results of helpers (never confused with a real string). */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

export type JsonObject = { [key: string]: unknown };

export function isUnknown(value: unknown): boolean {
    return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

/** The object under @pulumi/policy's unknown-checking proxy (or the value itself when not proxied). */
export function plain<T>(value: T): T {
    if (value !== null && typeof value === "object") {
        const target = (value as { __getSpecialProxyTarget?: T }).__getSpecialProxyTarget;
        if (target !== undefined) return target;
    }
    return value;
}

/**
 * The value at `path` below `root`. Stops at the first unknown and returns it, so the caller sees
 * "unknown" rather than "absent" when any part of the path is not known yet.
 */
export function at(root: unknown, ...path: (string | number)[]): unknown {
    let current: unknown = plain(root);
    for (const step of path) {
        if (isUnknown(current)) return current;
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<string | number, unknown>)[step];
    }
    return current;
}

/** A known string, or undefined (absent, unknown or another type). */
export function knownString(value: unknown): string | undefined {
    return typeof value === "string" && !isUnknown(value) ? value : undefined;
}

export function knownNumber(value: unknown): number | undefined {
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function knownBoolean(value: unknown): boolean | undefined {
    return typeof value === "boolean" ? value : undefined;
}

/** A known array with its unknown elements dropped, or undefined. */
export function knownArray(value: unknown): unknown[] | undefined {
    return Array.isArray(value) ? value.filter(e => !isUnknown(e)) : undefined;
}

/** The known elements of an array with their original indices (messages name `list[i]`). */
export function knownEntries(value: unknown): [number, unknown][] {
    if (!Array.isArray(value)) return [];
    return value.map((e, i): [number, unknown] => [i, e]).filter(([, e]) => !isUnknown(e));
}

/** The known strings in an array (unknown and non-string elements dropped). */
export function knownStrings(value: unknown): string[] {
    return (knownArray(value) ?? []).filter((e): e is string => typeof e === "string");
}

export function knownObject(value: unknown): JsonObject | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : undefined;
}
