// Pulumi mocks for the network components' graph tests: records every registered resource with its
// inputs, and (through a transformation on the component under test) its parent, dependencies and options.

import * as pulumi from "@pulumi/pulumi";

export interface Registered {
    type: string;
    name: string;
    inputs: any;
}

export interface Captured {
    type: string;
    name: string;
    parent?: string;
    dependsOn: string[];
    retainOnDelete?: boolean;
}

export type StateFor = (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown> | undefined;

export function installMocks(stateFor: StateFor = () => undefined): Registered[] {
    const registered: Registered[] = [];
    pulumi.runtime.setMocks({
        newResource(args) {
            registered.push({ type: args.type, name: args.name, inputs: args.inputs });
            return { id: args.id ?? `${args.name}-id`, state: { ...args.inputs, ...(stateFor(args) ?? {}) } };
        },
        call(args) {
            return args.inputs;
        },
    }, "kube-baseline", "unit", false);
    return registered;
}

/** A transformation that records parent, dependsOn (by resource name) and retainOnDelete of each child. */
export function captureGraph(): { captured: Captured[]; transformation: pulumi.ResourceTransformation } {
    const names = new Map<pulumi.Resource, string>();
    const captured: Captured[] = [];
    const transformation: pulumi.ResourceTransformation = args => {
        names.set(args.resource, args.name);
        const dependsOn = ([] as pulumi.Resource[]).concat((args.opts.dependsOn as pulumi.Resource[] | pulumi.Resource | undefined) ?? []);
        captured.push({
            type: args.type,
            name: args.name,
            parent: args.opts.parent ? names.get(args.opts.parent) ?? "(component)" : undefined,
            dependsOn: dependsOn.map(r => names.get(r) ?? "(outside)"),
            retainOnDelete: args.opts.retainOnDelete,
        });
        return undefined;
    };
    return { captured, transformation };
}

export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise(resolve => output.apply(value => { resolve(value); return value; }));
}

/** Lets queued registrations finish. */
export async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve));
}

export function byName(registered: Registered[], name: string): Registered {
    const found = registered.filter(r => r.name === name);
    if (found.length !== 1) throw new Error(`expected one resource named ${name}, got ${found.length}: ${registered.map(r => r.name).join(", ")}`);
    return found[0];
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** True when the mocked input value was registered as a Pulumi secret. */
export function isSecret(value: unknown): boolean {
    return value !== null && typeof value === "object" && SECRET_SIG in (value as object);
}

/** The value with secret wrappers removed (deeply). */
export function plain(value: any): any {
    if (isSecret(value)) return plain(value.value);
    if (Array.isArray(value)) return value.map(plain);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    return value;
}
