// The kubectl floor's input: the Kubernetes objects a stack made, taken from `pulumi stack export`, reduced
// to what a user would write in a manifest, ordered so that `kubectl apply -f` never meets an object whose
// namespace does not exist yet, and written as one multi-document YAML file. Pure.
import * as YAML from "yaml";

export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [field: string]: unknown;
}

interface StateResource { urn?: string; type?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }

/** Pulumi's marker of a secret value in exported state. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** Fields the server fills in or that describe a live object, never part of a manifest. */
const SERVER_FIELDS = new Set(["status"]);
const KEPT_METADATA = ["name", "namespace", "labels", "annotations"] as const;

/**
 * The Kubernetes objects in a `pulumi stack export` document: every resource of a `kubernetes:` type except
 * the provider itself, from the inputs the program gave (the outputs when there are none).
 */
export function kubeObjectsFromExport(exported: unknown): KubeObject[] {
    const resources = (exported as { deployment?: { resources?: StateResource[] } })?.deployment?.resources;
    if (!Array.isArray(resources)) throw new Error("not a `pulumi stack export` document: no deployment.resources");
    return resources
        .filter(r => typeof r.type === "string" && r.type.startsWith("kubernetes:"))
        .map(r => manifestObject(r.inputs ?? r.outputs ?? {}, r.urn ?? "?"));
}

/** One object as a manifest: apiVersion, kind, name/namespace/labels/annotations, and the rest of its body. */
export function manifestObject(raw: Record<string, unknown>, urn = "?"): KubeObject {
    if (containsSecret(raw)) throw new Error(`${urn} holds a secret value; the kubectl floor cannot replay it`);
    const { apiVersion, kind, metadata } = raw as { apiVersion?: unknown; kind?: unknown; metadata?: Record<string, unknown> };
    if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof metadata?.name !== "string") {
        throw new Error(`${urn} has no apiVersion, kind and metadata.name`);
    }
    const kept: KubeObject["metadata"] = { name: metadata.name };
    for (const key of KEPT_METADATA) {
        const value = metadata[key];
        if (value !== undefined && value !== null && !(typeof value === "object" && Object.keys(value).length === 0)) {
            (kept as Record<string, unknown>)[key] = value;
        }
    }
    const body = Object.fromEntries(Object.entries(raw).filter(([key]) =>
        !["apiVersion", "kind", "metadata"].includes(key) && !key.startsWith("__") && !SERVER_FIELDS.has(key)));
    return { apiVersion, kind, metadata: kept, ...body };
}

function containsSecret(value: unknown): boolean {
    if (value === null || typeof value !== "object") return false;
    if ((value as Record<string, unknown>)[SECRET_SIG] !== undefined) return true;
    return Object.values(value as Record<string, unknown>).some(containsSecret);
}

/**
 * Apply order: Namespaces, then CRDs, then the other cluster-wide objects, then ServiceAccounts and Roles, then
 * everything else in namespaces (bindings name accounts and roles that then exist). Stable within a group.
 */
export function orderForApply(objects: KubeObject[]): KubeObject[] {
    const rank = (o: KubeObject): number => {
        if (o.kind === "Namespace") return 0;
        if (o.kind === "CustomResourceDefinition") return 1;
        if (o.metadata.namespace === undefined) return o.kind.endsWith("Binding") ? 3 : 2;
        if (o.kind === "ServiceAccount" || o.kind === "Role") return 4;
        return 5;
    };
    return objects.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i).map(x => x.o);
}

export function toYamlDocuments(objects: KubeObject[]): string {
    return objects.map(o => YAML.stringify(o)).join("---\n");
}
