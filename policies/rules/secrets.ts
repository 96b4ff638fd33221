// Secrets never in plaintext: kubeconfigs, tokens and private keys in the stack's outputs (and in the
// outputs of the program's components, its dynamic identity resources and Kubernetes providers) are
// marked secret, so the state file and `pulumi stack output` never show them.
//
// Where this looks: stack policies receive every resource with its outputs; the root resource
// `pulumi:pulumi:Stack` carries the program's exports as its props. Secretness comes from
// ../lib/secretMarks (see there for why a seam is needed).

import { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";
import { stringList } from "../lib/config";
import { stackPolicy } from "../lib/policy";
import { installSecretMarks, Secretness, secretnessOf } from "../lib/secretMarks";
import { isUnknown } from "../lib/values";

export const STACK_TYPE = "pulumi:pulumi:Stack";

export interface SecretOutputsConfig {
    /** Case-insensitive regular expressions; a property whose key matches holds a secret. */
    sensitiveKeyPatterns: string[];
    /** Keys that match a pattern but hold no secret (e.g. "kubeconfigPath"). */
    exemptKeys: string[];
    /** Type tokens (or prefixes ending in ':') whose outputs are checked. */
    resourceTypes: string[];
}

export const DEFAULT_SENSITIVE_KEY_PATTERNS = ["kubeconfig", "private[-_]?key", "client[-_]?key", "ca[-_]?key", "password", "tokens?$", "token[-_]?csv"];

/** A kubeconfig given as a file path rather than content holds no credential. */
function looksLikePath(value: string): boolean {
    return /^(\/|~\/|\.\.?\/)\S*$/.test(value);
}

/**
 * The paths of sensitive values that are not secret. A value is sensitive when it is a string at or below a
 * key matching a pattern; unknown values are skipped. Pure, given the secretness.
 */
export function plaintextSensitivePaths(props: unknown, secretness: Secretness, config: Pick<SecretOutputsConfig, "sensitiveKeyPatterns" | "exemptKeys">): string[] {
    const patterns = config.sensitiveKeyPatterns.map(p => new RegExp(p, "i"));
    const found: string[] = [];
    const walk = (value: unknown, path: (string | number)[], sensitiveKey: string | undefined): void => {
        if (secretness.isSecret(path)) return;
        // A value not known yet (preview) cannot be judged: the engine does not carry secretness on unknown
        // outputs to the analyzer. It is judged when the update runs the stack policies on the real values.
        if (isUnknown(value)) return;
        if (typeof value === "string") {
            if (sensitiveKey === undefined || value === "") return;
            if (/kubeconfig/i.test(sensitiveKey) && looksLikePath(value)) return;
            found.push(path.map(String).join("."));
        } else if (Array.isArray(value)) {
            value.forEach((e, i) => walk(e, [...path, i], sensitiveKey));
        } else if (value !== null && typeof value === "object") {
            for (const [key, child] of Object.entries(value)) {
                const matches = !config.exemptKeys.includes(key) && patterns.some(p => p.test(key));
                walk(child, [...path, key], sensitiveKey ?? (matches ? key : undefined));
            }
        }
    };
    walk(props, [], undefined);
    return found;
}

function typeSelected(type: string, selectors: string[]): boolean {
    return selectors.some(s => (s.endsWith(":") ? type.startsWith(s) : type === s));
}

export function secretOutputs(enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy {
    // The seam must be in place before the engine sends the first resource.
    installSecretMarks();
    return stackPolicy<SecretOutputsConfig>({
        name: "secret-outputs",
        description: "Kubeconfigs, tokens and private keys in stack outputs (and in component, dynamic-resource and provider outputs) are secrets.",
        remediationSteps: "Wrap the value in pulumi.secret(...) or list the output in additionalSecretOutputs.",
        severity: "critical",
        defaults: {
            sensitiveKeyPatterns: DEFAULT_SENSITIVE_KEY_PATTERNS,
            exemptKeys: [],
            resourceTypes: [STACK_TYPE, "kube-baseline:", "pulumi-nodejs:", "pulumi:providers:kubernetes", "tls:", "random:", "command:"],
        },
        schema: {
            sensitiveKeyPatterns: stringList("Case-insensitive regular expressions for keys whose values are secrets."),
            exemptKeys: stringList("Keys that match a pattern but hold no secret."),
            resourceTypes: stringList("Type tokens whose outputs are checked; an entry ending in ':' is a prefix."),
        },
        check: (resources, config, report, args) => {
            const selected = resources.filter(r => typeSelected(r.type, config.resourceTypes));
            if (selected.length > 0 && selected.every(r => !secretnessOf(r.props).known)) {
                args.notApplicable("this @pulumi/policy version does not let the pack see which values are secret");
            }
            for (const resource of selected) {
                const secretness = secretnessOf(resource.props);
                if (!secretness.known) continue;
                const what = resource.type === STACK_TYPE ? "Stack output" : `Output of ${resource.type.split(":").pop()} '${resource.name}'`;
                for (const path of plaintextSensitivePaths(resource.props, secretness, config)) {
                    report(`${what} '${path}' holds a credential in plaintext: it would be stored unencrypted in the state and shown by 'pulumi stack output'.`, resource.urn);
                }
            }
        },
    }, enforcementLevel);
}
