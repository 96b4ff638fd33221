// Builds validation args the way @pulumi/policy's analyzer server does: props go through the wire
// format (a protobuf Struct), the package's own deserializer and its unknown-checking proxy, so a policy
// that reads an unknown value through the proxy fails here exactly as it would in a preview.

import {
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { UNKNOWN_STRING } from "../lib/values";

/* eslint-disable @typescript-eslint/no-require-imports */
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(o: object): unknown } };
const deserialize = require("@pulumi/policy/deserialize") as { deserializeProperties(s: unknown, proxySecrets: boolean): object };
const proxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(o: T): T };
/* eslint-enable @typescript-eslint/no-require-imports */

/** A value the engine does not know yet (preview). */
export const UNKNOWN = UNKNOWN_STRING;

/** A value the program marked secret, as it travels on the wire. */
export function secret<T>(value: T): { [key: string]: unknown } {
    return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

/** Props as a policy receives them. */
export function wireProps(props: object): Record<string, any> {
    // JSON drops undefined fields, as the SDK does before it sends props.
    const struct = Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));
    return proxy.unknownCheckingProxy(deserialize.deserializeProperties(struct, false)) as Record<string, any>;
}

export interface TestResource {
    type: string;
    name?: string;
    props: object;
    additionalSecretOutputs?: string[];
    /** Skip the package's deserializer (props arrive without the secret record). */
    bypassDeserializer?: boolean;
    /** The types of its parents, outermost first (they are part of its URN). */
    parents?: string[];
}

function urnOf(type: string, name: string, parents: string[] = []): string {
    return `urn:pulumi:dev::kube-baseline::${[...parents, type].join("$")}::${name}`;
}

class NotApplicable extends Error {
    constructor(readonly reason?: string) {
        super(`not applicable: ${reason}`);
    }
}

function options(r: TestResource) {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: r.additionalSecretOutputs ?? [],
    };
}

/** Runs a resource policy on one resource; returns the violation messages. */
export async function runResource(policy: ResourceValidationPolicy, resource: TestResource, config: object = {}): Promise<string[]> {
    const name = resource.name ?? "test";
    const violations: string[] = [];
    const args: ResourceValidationArgs = {
        type: resource.type,
        name,
        urn: urnOf(resource.type, name),
        props: wireProps(resource.props),
        opts: options(resource),
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
    for (const validate of validations) await Promise.resolve(validate(args, message => violations.push(message)));
    return violations;
}

export interface StackResult {
    violations: { message: string; urn?: string }[];
    notApplicable?: string;
}

/** Runs a stack policy over resources (props are their outputs); returns violations or the not-applicable reason. */
export async function runStack(policy: StackValidationPolicy, resources: TestResource[], config: object = {}): Promise<StackResult> {
    const violations: { message: string; urn?: string }[] = [];
    const policyResources: PolicyResource[] = resources.map((r, i) => {
        const name = r.name ?? `r${i}`;
        return {
            type: r.type,
            name,
            urn: urnOf(r.type, name, r.parents),
            props: r.bypassDeserializer ? proxy.unknownCheckingProxy({ ...r.props }) : wireProps(r.props),
            opts: options(r),
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        };
    });
    const args: StackValidationArgs = {
        resources: policyResources,
        stackTags: new Map(),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    try {
        await Promise.resolve(policy.validateStack(args, (message, urn) => violations.push({ message, urn })));
    } catch (e) {
        if (e instanceof NotApplicable) return { violations, notApplicable: e.reason ?? "" };
        throw e;
    }
    return { violations, notApplicable: undefined };
}

export const urnFor = urnOf;
