// Anonymous access limited to the health endpoints, through an AuthenticationConfiguration file's
// `anonymous.conditions` (apiserver.config.k8s.io/v1 in v1.35, see kubernetesFacts.ts): kubelet's probes and load
// balancers keep reaching /livez, /readyz and /healthz without credentials, every other path refuses anonymous
// requests. `--anonymous-auth=false` would refuse the probes too (kubeadm#798), and the apiserver refuses
// --anonymous-auth beside a file that sets `anonymous`, so the patch removes that flag.

import { parse, stringify } from "yaml";
import { AUTHENTICATION_CONFIGURATION_API_VERSION } from "./kubernetesFacts";

export const HEALTH_ENDPOINTS: readonly string[] = ["/livez", "/readyz", "/healthz"];

export function renderAuthenticationConfiguration(paths: readonly string[]): string {
    if (paths.length === 0) throw new Error("anonymous access needs at least one path (an empty list would refuse kubelet's probes)");
    return stringify({
        apiVersion: AUTHENTICATION_CONFIGURATION_API_VERSION,
        kind: "AuthenticationConfiguration",
        anonymous: { enabled: true, conditions: paths.map(path => ({ path })) },
    }, { lineWidth: 0 });
}

/**
 * What an AuthenticationConfiguration says about anonymous requests: undefined when it does not configure them
 * (then --anonymous-auth decides), else enabled and, when limited, the exact paths.
 */
export function parseAnonymousAuthentication(text: string): { enabled: boolean; paths?: string[] } | undefined {
    const doc = parse(text) as { kind?: string; anonymous?: { enabled?: boolean; conditions?: Array<{ path?: string }> } } | null;
    if (!doc || doc.kind !== "AuthenticationConfiguration") throw new Error("not an AuthenticationConfiguration");
    if (!doc.anonymous) return undefined;
    const conditions = doc.anonymous.conditions ?? [];
    return { enabled: doc.anonymous.enabled === true, paths: conditions.length > 0 ? conditions.map(c => String(c.path)) : undefined };
}
