// The config's shapes are written once, with TypeBox: each schema is a JSON Schema that ajv runs, and its
// TypeScript type is inferred from it (Static<typeof Schema>). The helpers below make the safe choice the
// default: objects refuse unknown keys, strings are one line of plain text, numbers have bounds. ajv's
// errors become issues that name the exact key path, in words, with a "did you mean" for misspelt keys.

import { Static, StringOptions, TProperties, TSchema, Type } from "@sinclair/typebox";
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { Issues } from "./configError";
import { unknownKeyMessage } from "./didYouMean";
import { PathSegment, relativePath } from "./keyPath";

export { type Static, Type };

/** No control characters (newlines, tabs, escapes): node scripts and manifests receive these values. */
const SINGLE_LINE = "^[^\\u0000-\\u001f\\u007f]*$";

/** An object of settings: every key not listed is an error. */
export function Settings<T extends TProperties>(properties: T, description?: string) {
    return Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });
}

/** One of a fixed list of strings; the type is their union. */
export function OneOf<const T extends readonly string[]>(values: T, description?: string) {
    return Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...(description ? { description } : {}) });
}

/** A single line of text (no newline or control character). Further rules are checked in code. */
export function Line(options: StringOptions = {}) {
    return Type.String({ pattern: SINGLE_LINE, ...options });
}

/** Text that may span lines (PEM certificates). */
export function Text(options: StringOptions = {}) {
    return Type.String(options);
}

/** A whole number from min to max; `why` says what the bounds are. */
export function Int(min: number, max: number, why?: string) {
    return Type.Integer({ minimum: min, maximum: max, ...(why ? { description: why } : {}) });
}

export const Optional = Type.Optional;
export const Bool = () => Type.Boolean();
export function List<T extends TSchema>(items: T, options: { minItems?: number; maxItems?: number } = {}) {
    return Type.Array(items, options);
}
/** A map of names to single-line strings (labels, selectors). */
export function StringMap() {
    return Type.Record(Type.String(), Line());
}

/** Unset keys may arrive as present-but-undefined; the schema treats them as absent. */
export function withoutUndefined(raw: unknown): unknown {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return raw;
    return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
const compiled = new WeakMap<TSchema, ValidateFunction>();

function validatorOf(schema: TSchema): ValidateFunction {
    let validate = compiled.get(schema);
    if (validate === undefined) {
        validate = ajv.compile(schema);
        compiled.set(schema, validate);
    }
    return validate;
}

/**
 * Checks `value` (found at `at`, e.g. ["users"]) against `schema`; adds an issue per problem and returns
 * true when the shape is right (the value is then a Static<typeof schema>).
 */
export function checkShape<T extends TSchema>(schema: T, value: unknown, at: PathSegment[], issues: Issues): value is Static<T> {
    const validate = validatorOf(schema);
    if (validate(value)) return true;
    const seen = new Set<string>();
    for (const error of validate.errors ?? []) {
        const issue = describe(error, value, at);
        const id = `${issue.path}\u0000${issue.message}`;
        if (seen.has(id)) continue;
        seen.add(id);
        if (issue.unknown) issues.unknown(issue.path, issue.message);
        else issues.add(issue.path, issue.value, issue.message);
    }
    return false;
}

interface Described { path: string; value: unknown; message: string; unknown?: boolean }

const TYPE_WORDS: Record<string, string> = {
    string: "a string", integer: "a whole number", number: "a number", boolean: "true or false",
    array: "a list", object: "an object (a map of settings)", null: "null",
};

function describe(error: ErrorObject, root: unknown, at: PathSegment[]): Described {
    const { segments: inner, value } = walk(root, error.instancePath);
    const segments = [...at, ...inner];
    const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
    const why = typeof parent.description === "string" ? ` (${parent.description})` : "";
    const params = error.params as Record<string, unknown>;
    const path = relativePath(segments);
    switch (error.keyword) {
        case "additionalProperties": {
            const extra = String(params.additionalProperty);
            const known = Object.keys((parent.properties ?? {}) as object);
            return { path: relativePath([...segments, extra]), value: undefined, message: unknownKeyMessage(extra, known), unknown: true };
        }
        case "required":
            return { path: relativePath([...segments, String(params.missingProperty)]), value: undefined, message: "is required" };
        case "enum":
            return { path, value, message: `must be one of ${(params.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(", ")}` };
        case "type": {
            const types = ([] as string[]).concat(params.type as string | string[]);
            return { path, value, message: `must be ${types.map(t => TYPE_WORDS[t] ?? t).join(" or ")}` };
        }
        case "minimum":
        case "maximum":
            return {
                path, value,
                message: parent.minimum !== undefined && parent.maximum !== undefined
                    ? `must be between ${parent.minimum} and ${parent.maximum}${why}`
                    : `must be ${error.keyword === "minimum" ? "at least" : "at most"} ${params.limit}${why}`,
            };
        case "exclusiveMinimum":
            return { path, value, message: `must be greater than ${params.limit}${why}` };
        case "pattern":
            return {
                path, value,
                message: params.pattern === SINGLE_LINE ? "must be a single line (no newlines or control characters)" : `must be ${parent.description ?? "in the documented format"}`,
            };
        case "minLength":
            return { path, value, message: params.limit === 1 ? "must not be empty" : `must be at least ${params.limit} characters` };
        case "maxLength":
            return { path, value, message: `must be at most ${params.limit} characters${why}` };
        case "minItems":
            return { path, value, message: `must list at least ${params.limit}` };
        case "maxItems":
            return { path, value, message: `must list at most ${params.limit}${why}` };
        default:
            return { path, value, message: error.message ?? "is invalid" };
    }
}

/** The JSON pointer's segments (indexes as numbers where the value is a list) and the value it points at. */
function walk(root: unknown, pointer: string): { segments: PathSegment[]; value: unknown } {
    const segments: PathSegment[] = [];
    let current: unknown = root;
    for (const raw of pointer === "" ? [] : pointer.slice(1).split("/")) {
        const name = raw.replace(/~1/g, "/").replace(/~0/g, "~");
        const segment: PathSegment = Array.isArray(current) && /^[0-9]+$/.test(name) ? Number(name) : name;
        segments.push(segment);
        current = current !== null && typeof current === "object" ? (current as Record<string | number, unknown>)[segment] : undefined;
    }
    return { segments, value: current };
}
