// Policy configuration: the CLI fills schema defaults into the pack config, but a policy run without
// a pack config (or from a unit test) gets `{}`; merging the defaults here keeps one source of truth.

import { PolicyConfigSchema } from "@pulumi/policy";

/** A config schema whose every property carries its default. */
export function schemaWithDefaults<T extends object>(
    defaults: T,
    properties: PolicyConfigSchema["properties"],
): PolicyConfigSchema {
    const withDefaults: PolicyConfigSchema["properties"] = {};
    for (const [key, schema] of Object.entries(properties)) {
        const fallback = (defaults as Record<string, unknown>)[key];
        withDefaults[key] = fallback === undefined ? schema : { ...schema, default: fallback as never };
    }
    return { properties: withDefaults };
}

/** The policy's config with defaults for every key the pack config leaves out. */
export function configWithDefaults<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
    const given = args.getConfig<Partial<T>>() ?? {};
    const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
    for (const [key, value] of Object.entries(given)) {
        if (value !== undefined) merged[key] = value;
    }
    return merged as T;
}

/** JSON schema for a list of strings. */
export function stringList(description: string): PolicyConfigSchema["properties"][string] {
    return { type: "array", items: { type: "string" }, description };
}
