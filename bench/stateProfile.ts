// Where the state's bytes are (the engine writes all of it after every step): by resource field (inputs, outputs,
// stackTrace, ...), by resource type, and the largest properties, each summed over the resources of a type. Sizes
// are of the JSON as `pulumi stack export` prints it. Pure.

export interface StateProfile {
    totalKiB: number;
    resources: number;
    byField: Array<{ field: string; kib: number }>;
    byType: Array<{ type: string; count: number; kib: number; inputsKiB: number; outputsKiB: number }>;
    /** A property of the resources of one type, in their inputs or outputs, summed. */
    largestProperties: Array<{ type: string; where: "inputs" | "outputs"; property: string; kib: number }>;
}

interface ExportedResource { type?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown>; [field: string]: unknown }

const kib = (value: unknown) => (value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value)) / 1024);
const byDescending = <T extends { kib: number }>(a: T, b: T) => b.kib - a.kib;

export function profileState(exported: unknown, top = 10): StateProfile {
    const resources = ((exported as { deployment?: { resources?: ExportedResource[] } })?.deployment?.resources) ?? [];
    const fields = new Map<string, number>();
    const types = new Map<string, { count: number; kib: number; inputsKiB: number; outputsKiB: number }>();
    const properties = new Map<string, { type: string; where: "inputs" | "outputs"; property: string; kib: number }>();
    for (const r of resources) {
        const type = r.type ?? "?";
        const t = types.get(type) ?? { count: 0, kib: 0, inputsKiB: 0, outputsKiB: 0 };
        t.count++;
        for (const [field, value] of Object.entries(r)) {
            const size = kib(value);
            fields.set(field, (fields.get(field) ?? 0) + size);
            t.kib += size;
            if (field === "inputs") t.inputsKiB += size;
            if (field === "outputs") t.outputsKiB += size;
        }
        types.set(type, t);
        for (const where of ["inputs", "outputs"] as const) {
            for (const [property, value] of Object.entries(r[where] ?? {})) {
                const key = `${type}\u0000${where}\u0000${property}`;
                const p = properties.get(key) ?? { type, where, property, kib: 0 };
                p.kib += kib(value);
                properties.set(key, p);
            }
        }
    }
    return {
        totalKiB: kib(exported),
        resources: resources.length,
        byField: [...fields].map(([field, size]) => ({ field, kib: size })).sort(byDescending),
        byType: [...types].map(([type, t]) => ({ type, ...t })).sort(byDescending).slice(0, top),
        largestProperties: [...properties.values()].sort(byDescending).slice(0, top),
    };
}
