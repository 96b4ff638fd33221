// The shape every policy in the pack shares: a factory takes the enforcement level, the policy filters
// on type tokens, merges its config defaults and hands plain (unproxied) props to a pure check.

import {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { configWithDefaults, schemaWithDefaults } from "./config";
import { plain } from "./values";

/** A resource as the checks see it: props are the plain object, unknowns left as sentinels. */
export interface CheckedResource {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
    additionalSecretOutputs: string[];
}

export interface PolicyMeta<C extends object> {
    name: string;
    description: string;
    severity: Severity;
    remediationSteps: string;
    defaults: C;
    schema: PolicyConfigSchema["properties"];
}

export interface ResourcePolicySpec<C extends object> extends PolicyMeta<C> {
    /** Type tokens this policy looks at (a trailing '*' makes a prefix); every other resource passes untouched. */
    types: readonly string[];
    check(resource: CheckedResource, config: C, report: (message: string) => void): void;
}

export interface StackPolicySpec<C extends object> extends PolicyMeta<C> {
    check(resources: CheckedResource[], config: C, report: (message: string, urn?: string) => void, args: StackValidationArgs): void;
}

function meta<C extends object>(spec: PolicyMeta<C>, enforcementLevel: EnforcementLevel) {
    return {
        name: spec.name,
        description: spec.description,
        enforcementLevel,
        severity: spec.severity,
        remediationSteps: spec.remediationSteps,
        configSchema: schemaWithDefaults(spec.defaults, spec.schema),
    };
}

function checked(r: ResourceValidationArgs | PolicyResource): CheckedResource {
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: plain(r.props) as Record<string, unknown>,
        additionalSecretOutputs: r.opts?.additionalSecretOutputs ?? [],
    };
}

export function resourcePolicy<C extends object>(spec: ResourcePolicySpec<C>, enforcementLevel: EnforcementLevel): ResourceValidationPolicy {
    const exact = new Set(spec.types.filter(t => !t.endsWith("*")));
    const prefixes = spec.types.filter(t => t.endsWith("*")).map(t => t.slice(0, -1));
    const applies = (type: string) => exact.has(type) || prefixes.some(p => type.startsWith(p));
    return {
        ...meta(spec, enforcementLevel),
        validateResource: (args, reportViolation) => {
            if (!applies(args.type)) return;
            spec.check(checked(args), configWithDefaults(args, spec.defaults), message => reportViolation(message));
        },
    };
}

export function stackPolicy<C extends object>(spec: StackPolicySpec<C>, enforcementLevel: EnforcementLevel): StackValidationPolicy {
    return {
        ...meta(spec, enforcementLevel),
        validateStack: (args, reportViolation) => {
            spec.check(args.resources.map(checked), configWithDefaults(args, spec.defaults), reportViolation, args);
        },
    };
}
