// Helpers for the plain JavaScript values a dynamic provider exchanges with the engine.
import type { CheckFailure } from "@pulumi/pulumi/dynamic";

// The engine's placeholder for a value that is not known yet (during `pulumi preview`).
const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when the value, or anything inside it, is not known until the update runs. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN_SENTINEL) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some(containsUnknown);
  }
  if (value !== null && typeof value === "object") {
    return Object.values(value as Record<string, unknown>).some(containsUnknown);
  }
  return false;
}

/** Structural equality of JSON-like values; key order does not matter, array order does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    // A key holding undefined is the same as a missing key: the engine drops undefined values.
    const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
    return [...keys].every((k) => deepEqual(ra[k], rb[k]));
  }
  return false;
}

/**
 * A copy without undefined values: the dynamic provider host encodes outputs as a protobuf Struct, which
 * rejects undefined (object keys holding it are dropped; array slots become null).
 */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map((v) => (v === undefined ? null : withoutUndefined(v))) as unknown as T;
  }
  if (value !== null && typeof value === "object") {
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) {
        result[k] = withoutUndefined(v);
      }
    }
    return result as T;
  }
  return value;
}

/**
 * A check failure about a secret input. The engine prints the input's value next to a failure's property
 * (secrets included), so the property is left empty and named in the reason instead.
 */
export function secretInputFailure(property: string, reason: string): CheckFailure {
  return { property: "", reason: `${property}: ${reason}` };
}
