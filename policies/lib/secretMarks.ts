// Which property values the engine sent as secrets.
//
// The engine sends every property to the policy pack with secrets still marked (a `{sig: secret,
// value}` wrapper), but @pulumi/policy's validate paths unwrap them before a policy sees `props`, so
// a policy cannot tell `pulumi.secret(kubeconfig)` from a plaintext kubeconfig. We keep the public
// API and add one seam: `installSecretMarks` wraps @pulumi/policy's own deserializer (module
// `@pulumi/policy/deserialize`, pinned at 1.20.0) so that, next to the plain props it returns, we
// keep the wire form they came from. `secretnessOf(props)` reads the paths that were secret there.
// When the seam is absent (another @pulumi/policy layout) `secretnessOf` says so and the policy
// reports itself not applicable rather than guessing.

import { plain } from "./values";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const INSTALLED = Symbol.for("kube-baseline.secretMarks.installed");

/** A property path, encoded as a string key. */
export function pathKey(path: readonly (string | number)[]): string {
    return JSON.stringify(path.map(String));
}

/** The paths of every secret-wrapped value in a wire-format property bag (the outermost wrapper). Pure. */
export function secretPathsOf(wire: unknown, path: (string | number)[] = [], found = new Set<string>()): Set<string> {
    if (wire === null || typeof wire !== "object") return found;
    const record = wire as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) {
        found.add(pathKey(path));
        return found;
    }
    if (Array.isArray(wire)) wire.forEach((e, i) => secretPathsOf(e, [...path, i], found));
    else for (const [k, v] of Object.entries(record)) secretPathsOf(v, [...path, k], found);
    return found;
}

/** A deserialized property bag's wire form, and its secret paths once someone asked for them. */
interface Mark {
    wire: { toJavaScript(): unknown };
    paths?: Set<string> | null; // null: the wire form could not be read
}

// The engine sends each resource to every policy, and @pulumi/policy deserializes it for each: the paths are
// worked out only for the few bags the secret-output policy reads, when it reads them.
const marks = new WeakMap<object, Mark>();

function secretPathsFor(mark: Mark): Set<string> | null {
    if (mark.paths === undefined) {
        try {
            mark.paths = secretPathsOf(mark.wire.toJavaScript());
        } catch {
            mark.paths = null;
        }
    }
    return mark.paths;
}

export interface Secretness {
    /** False when the seam is not installed: secretness cannot be told. */
    known: boolean;
    /** True when the value at `path` (or any value around it) was a secret. */
    isSecret(path: readonly (string | number)[]): boolean;
}

export function secretnessOf(props: unknown): Secretness {
    const target = plain(props);
    const mark = target !== null && typeof target === "object" ? marks.get(target as object) : undefined;
    const paths = mark ? secretPathsFor(mark) : null;
    return {
        known: paths !== null,
        isSecret: path => {
            if (!paths) return false;
            for (let i = 0; i <= path.length; i++) if (paths.has(pathKey(path.slice(0, i)))) return true;
            return false;
        },
    };
}

interface DeserializeModule {
    deserializeProperties: ((struct: { toJavaScript(): unknown }, proxySecrets: boolean) => object) & { [INSTALLED]?: true };
}

/** Remembers secret paths for every property bag @pulumi/policy deserializes. Idempotent. */
export function installSecretMarks(module?: DeserializeModule): boolean {
    let target = module;
    if (!target) {
        try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            target = require("@pulumi/policy/deserialize") as DeserializeModule;
        } catch {
            return false;
        }
    }
    const original = target.deserializeProperties;
    if (typeof original !== "function") return false;
    if (original[INSTALLED]) return true;
    const wrapped = function (this: unknown, struct: { toJavaScript(): unknown }, proxySecrets: boolean): object {
        const result = original.call(this, struct, proxySecrets);
        // Without a mark (or with a wire form that cannot be read) the secret-output policy reports itself not
        // applicable; validation goes on.
        if (result !== null && typeof result === "object") marks.set(result, { wire: struct });
        return result;
    } as DeserializeModule["deserializeProperties"];
    wrapped[INSTALLED] = true;
    target.deserializeProperties = wrapped;
    return true;
}
