// CIS Kubernetes Benchmark checks computed from the live control-plane manifests (and the files they point at that
// the caller could read): the flag-based checks of sections 1.2 (API server), 1.3 (controller manager) and 1.4
// (scheduler), and 3.2.1/3.2.2 (audit policy), numbered and worded as kube-bench's cfg/cis-1.12 (CIS Kubernetes
// Benchmark v1.12.0, the newest kube-bench ships; it maps Kubernetes 1.32-1.34 to it). Tests follow kube-bench's
// (a flag that must have a value fails when absent), with two differences said in the reason where they apply:
// 1.2.1 also passes when an AuthenticationConfiguration limits anonymous requests to the health endpoints (what
// --anonymous-auth=false would do without breaking kubelet's probes), and 1.2.28 reads the whole file.

import { auditLevelFor, AuditRequest, parseAuditPolicy } from "./auditPolicy";
import { HEALTH_ENDPOINTS, parseAnonymousAuthentication } from "./anonymousAuth";
import { ControlPlaneComponent } from "./components";
import { entryName, parseEncryptionConfiguration } from "./encryption";
import { CIS_STRONG_CIPHER_SUITES } from "./kubernetesFacts";
import { readStaticPod, StaticPodView } from "./staticPodManifest";
import { goDurationSeconds } from "./goDuration";

export const CIS_BENCHMARK = { name: "CIS Kubernetes Benchmark", version: "v1.12.0", kubeBenchConfig: "cis-1.12" } as const;

export type CisStatus = "pass" | "fail";
export interface CisCheck { id: string; title: string; status: CisStatus; reason: string }

export interface CisInput {
    /** Manifest text per component, as read from a control-plane node. */
    manifests: Partial<Record<ControlPlaneComponent, string>>;
    /** Files the checks may read, by their path on the node (audit policy, EncryptionConfiguration, AuthenticationConfiguration). */
    files?: Record<string, string>;
}

type Verdict = [boolean, string];
interface Definition {
    id: string;
    component: ControlPlaneComponent;
    title: string;
    test: (f: Flags, files: Record<string, string>) => Verdict;
}

/** The component's flags with kube-bench's reading: a bare "--flag" is "true". */
class Flags {
    constructor(private readonly view: StaticPodView) {}
    value(name: string): string | undefined {
        if (!this.view.flags.has(name)) return undefined;
        return this.view.flags.get(name) ?? "true";
    }
    list(name: string): string[] {
        return (this.value(name) ?? "").split(",").map(s => s.trim()).filter(s => s !== "");
    }
}

const set = (name: string): Definition["test"] => f =>
    f.value(name) !== undefined ? [true, `--${name}=${f.value(name)}`] : [false, `--${name} is not set`];
const notSet = (name: string): Definition["test"] => f =>
    f.value(name) === undefined ? [true, `--${name} is not set`] : [false, `--${name}=${f.value(name)} is set`];
const equals = (name: string, wanted: string): Definition["test"] => f => {
    const v = f.value(name);
    return v === wanted ? [true, `--${name}=${v}`] : [false, v === undefined ? `--${name} is not set (it must be ${wanted})` : `--${name}=${v} (it must be ${wanted})`];
};
const atLeast = (name: string, min: number): Definition["test"] => f => {
    const v = f.value(name);
    if (v === undefined) return [false, `--${name} is not set (it must be at least ${min})`];
    return Number(v) >= min ? [true, `--${name}=${v}`] : [false, `--${name}=${v} is below ${min}`];
};
const listHas = (name: string, entry: string): Definition["test"] => f =>
    f.list(name).includes(entry) ? [true, `--${name} includes ${entry}`] : [false, f.value(name) === undefined ? `--${name} is not set` : `--${name}=${f.value(name)} does not include ${entry}`];
const listLacks = (name: string, entry: string, absentPasses: boolean): Definition["test"] => f => {
    if (f.value(name) === undefined) return absentPasses ? [true, `--${name} is not set`] : [false, `--${name} is not set`];
    return f.list(name).includes(entry) ? [false, `--${name}=${f.value(name)} includes ${entry}`] : [true, `--${name} does not include ${entry}`];
};
const both = (a: string, b: string): Definition["test"] => f => {
    const missing = [a, b].filter(n => f.value(n) === undefined);
    return missing.length === 0 ? [true, `--${a} and --${b} are set`] : [false, `${missing.map(n => `--${n}`).join(" and ")} not set`];
};
const absentOr = (name: string, wanted: string): Definition["test"] => f => {
    const v = f.value(name);
    return v === undefined || v === wanted ? [true, v === undefined ? `--${name} is not set (default)` : `--${name}=${v}`] : [false, `--${name}=${v} (it must be ${wanted} or unset)`];
};

function fileOf(f: Flags, flag: string, files: Record<string, string>): { path?: string; text?: string; reason?: string } {
    const path = f.value(flag);
    if (path === undefined) return { reason: `--${flag} is not set` };
    const text = files[path];
    return text === undefined ? { path, reason: `--${flag}=${path}, but that file could not be read for the check` } : { path, text };
}

function anonymousCheck(f: Flags, files: Record<string, string>): Verdict {
    if (f.value("anonymous-auth") === "false") return [true, "--anonymous-auth=false"];
    if (f.value("authentication-config") !== undefined) {
        const file = fileOf(f, "authentication-config", files);
        if (file.text === undefined) return [false, file.reason!];
        let anonymous;
        try {
            anonymous = parseAnonymousAuthentication(file.text);
        } catch (e) {
            return [false, `${file.path}: ${(e as Error).message}`];
        }
        if (anonymous) {
            if (!anonymous.enabled) return [true, `${file.path} disables anonymous requests`];
            const paths = anonymous.paths ?? [];
            const extra = paths.filter(p => !HEALTH_ENDPOINTS.includes(p));
            if (paths.length > 0 && extra.length === 0) {
                return [true, `anonymous requests only to ${paths.join(", ")} (${file.path}); kube-bench's literal test wants --anonymous-auth=false, which would also refuse kubelet's probes`];
            }
            return [false, paths.length === 0 ? `${file.path} allows anonymous requests to every path` : `${file.path} allows anonymous requests to ${extra.join(", ")}`];
        }
    }
    return [false, f.value("anonymous-auth") === undefined ? "--anonymous-auth is not set (anonymous requests are allowed by default)" : `--anonymous-auth=${f.value("anonymous-auth")}`];
}

function encryptionProvidersCheck(f: Flags, files: Record<string, string>): Verdict {
    const file = fileOf(f, "encryption-provider-config", files);
    if (file.text === undefined) return [false, file.reason!];
    let ring;
    try {
        ring = parseEncryptionConfiguration(file.text);
    } catch (e) {
        return [false, `${file.path}: ${(e as Error).message}`];
    }
    if (ring.length === 0) return [false, `${file.path} does not cover secrets`];
    const first = ring[0].provider;
    return ["aescbc", "kms", "secretbox"].includes(first)
        ? [true, `Secrets are encrypted with ${entryName(ring[0])}`]
        : [false, `the first provider for Secrets is ${first}, so new Secrets are stored ${first === "identity" ? "in plaintext" : `with ${first}`}`];
}

function cipherSuitesCheck(f: Flags): Verdict {
    const suites = f.list("tls-cipher-suites");
    if (suites.length === 0) return [false, "--tls-cipher-suites is not set (Go's defaults include CBC suites)"];
    const weak = suites.filter(s => !CIS_STRONG_CIPHER_SUITES.includes(s));
    return weak.length === 0 ? [true, `--tls-cipher-suites lists only strong suites (${suites.length})`] : [false, `--tls-cipher-suites includes ${weak.join(", ")}`];
}

function requestTimeoutCheck(f: Flags): Verdict {
    const v = f.value("request-timeout");
    if (v === undefined) return [false, "--request-timeout is not set (the apiserver's 1m0s applies unstated)"];
    const seconds = goDurationSeconds(v);
    return seconds !== undefined && seconds > 0 ? [true, `--request-timeout=${v}`] : [false, `--request-timeout=${v} is not a duration`];
}

function auditPolicyFileCheck(f: Flags, files: Record<string, string>): Verdict {
    const path = f.value("audit-policy-file");
    if (path === undefined) return [false, "--audit-policy-file is not set"];
    const text = files[path];
    if (text === undefined) return [true, `--audit-policy-file=${path}`];
    try {
        parseAuditPolicy(text);
        return [true, `--audit-policy-file=${path}`];
    } catch (e) {
        return [false, `${path}: ${(e as Error).message}`];
    }
}

/** The areas CIS 3.2.2 names, as requests the policy must log (Metadata exactly where bodies would be secrets). */
const AUDIT_CONCERNS: Array<{ what: string; request: AuditRequest; exactly?: "Metadata" }> = [
    { what: "reading a Secret", request: { user: "alice", verb: "get", resource: "secrets", namespace: "default", name: "x" }, exactly: "Metadata" },
    { what: "changing a ConfigMap", request: { user: "alice", verb: "update", resource: "configmaps", namespace: "default", name: "x" }, exactly: "Metadata" },
    { what: "a TokenReview", request: { user: "alice", verb: "create", apiGroup: "authentication.k8s.io", resource: "tokenreviews" }, exactly: "Metadata" },
    { what: "changing a Pod", request: { user: "alice", verb: "patch", resource: "pods", namespace: "default", name: "x" } },
    { what: "creating a Deployment", request: { user: "alice", verb: "create", apiGroup: "apps", resource: "deployments", namespace: "default" } },
    { what: "pods/exec", request: { user: "alice", verb: "create", resource: "pods", subresource: "exec", namespace: "default", name: "x" } },
    { what: "pods/portforward", request: { user: "alice", verb: "create", resource: "pods", subresource: "portforward", namespace: "default", name: "x" } },
    { what: "pods/proxy", request: { user: "alice", verb: "get", resource: "pods", subresource: "proxy", namespace: "default", name: "x" } },
    { what: "services/proxy", request: { user: "alice", verb: "get", resource: "services", subresource: "proxy", namespace: "default", name: "x" } },
];

function auditConcernsCheck(f: Flags, files: Record<string, string>): Verdict {
    const file = fileOf(f, "audit-policy-file", files);
    if (file.text === undefined) return [false, file.reason!];
    let rules;
    try {
        rules = parseAuditPolicy(file.text).rules;
    } catch (e) {
        return [false, `${file.path}: ${(e as Error).message}`];
    }
    const gaps: string[] = [];
    for (const c of AUDIT_CONCERNS) {
        const level = auditLevelFor(rules, c.request);
        if (level === "None") gaps.push(`${c.what} is not logged`);
        else if (c.exactly && level !== c.exactly) gaps.push(`${c.what} is logged at ${level} (its body is sensitive: Metadata only)`);
    }
    return gaps.length === 0 ? [true, "the policy logs Secrets, ConfigMaps and TokenReviews at Metadata, Pod and Deployment changes, exec, port-forward and proxy"] : [false, gaps.join("; ")];
}

const A: ControlPlaneComponent = "kube-apiserver";
const CM: ControlPlaneComponent = "kube-controller-manager";
const S: ControlPlaneComponent = "kube-scheduler";

export const CIS_CHECKS: readonly Definition[] = [
    { id: "1.2.1", component: A, title: "Ensure that the --anonymous-auth argument is set to false", test: anonymousCheck },
    { id: "1.2.2", component: A, title: "Ensure that the --token-auth-file parameter is not set", test: notSet("token-auth-file") },
    { id: "1.2.3", component: A, title: "Ensure that the --DenyServiceExternalIPs is set", test: listHas("enable-admission-plugins", "DenyServiceExternalIPs") },
    { id: "1.2.4", component: A, title: "Ensure that the --kubelet-client-certificate and --kubelet-client-key arguments are set as appropriate", test: both("kubelet-client-certificate", "kubelet-client-key") },
    { id: "1.2.5", component: A, title: "Ensure that the --kubelet-certificate-authority argument is set as appropriate", test: set("kubelet-certificate-authority") },
    { id: "1.2.6", component: A, title: "Ensure that the --authorization-mode argument is not set to AlwaysAllow", test: listLacks("authorization-mode", "AlwaysAllow", false) },
    { id: "1.2.7", component: A, title: "Ensure that the --authorization-mode argument includes Node", test: listHas("authorization-mode", "Node") },
    { id: "1.2.8", component: A, title: "Ensure that the --authorization-mode argument includes RBAC", test: listHas("authorization-mode", "RBAC") },
    { id: "1.2.9", component: A, title: "Ensure that the admission control plugin EventRateLimit is set", test: listHas("enable-admission-plugins", "EventRateLimit") },
    { id: "1.2.10", component: A, title: "Ensure that the admission control plugin AlwaysAdmit is not set", test: listLacks("enable-admission-plugins", "AlwaysAdmit", true) },
    { id: "1.2.11", component: A, title: "Ensure that the admission control plugin AlwaysPullImages is set", test: listHas("enable-admission-plugins", "AlwaysPullImages") },
    { id: "1.2.12", component: A, title: "Ensure that the admission control plugin ServiceAccount is set", test: listLacks("disable-admission-plugins", "ServiceAccount", true) },
    { id: "1.2.13", component: A, title: "Ensure that the admission control plugin NamespaceLifecycle is set", test: listLacks("disable-admission-plugins", "NamespaceLifecycle", true) },
    { id: "1.2.14", component: A, title: "Ensure that the admission control plugin NodeRestriction is set", test: listHas("enable-admission-plugins", "NodeRestriction") },
    { id: "1.2.15", component: A, title: "Ensure that the --profiling argument is set to false", test: equals("profiling", "false") },
    { id: "1.2.16", component: A, title: "Ensure that the --audit-log-path argument is set", test: set("audit-log-path") },
    { id: "1.2.17", component: A, title: "Ensure that the --audit-log-maxage argument is set to 30 or as appropriate", test: atLeast("audit-log-maxage", 30) },
    { id: "1.2.18", component: A, title: "Ensure that the --audit-log-maxbackup argument is set to 10 or as appropriate", test: atLeast("audit-log-maxbackup", 10) },
    { id: "1.2.19", component: A, title: "Ensure that the --audit-log-maxsize argument is set to 100 or as appropriate", test: atLeast("audit-log-maxsize", 100) },
    { id: "1.2.20", component: A, title: "Ensure that the --request-timeout argument is set as appropriate", test: requestTimeoutCheck },
    { id: "1.2.21", component: A, title: "Ensure that the --service-account-lookup argument is set to true", test: absentOr("service-account-lookup", "true") },
    { id: "1.2.22", component: A, title: "Ensure that the --service-account-key-file argument is set as appropriate", test: set("service-account-key-file") },
    { id: "1.2.23", component: A, title: "Ensure that the --etcd-certfile and --etcd-keyfile arguments are set as appropriate", test: both("etcd-certfile", "etcd-keyfile") },
    { id: "1.2.24", component: A, title: "Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate", test: both("tls-cert-file", "tls-private-key-file") },
    { id: "1.2.25", component: A, title: "Ensure that the --client-ca-file argument is set as appropriate", test: set("client-ca-file") },
    { id: "1.2.26", component: A, title: "Ensure that the --etcd-cafile argument is set as appropriate", test: set("etcd-cafile") },
    { id: "1.2.27", component: A, title: "Ensure that the --encryption-provider-config argument is set as appropriate", test: set("encryption-provider-config") },
    { id: "1.2.28", component: A, title: "Ensure that encryption providers are appropriately configured", test: encryptionProvidersCheck },
    { id: "1.2.29", component: A, title: "Ensure that the API Server only makes use of Strong Cryptographic Ciphers", test: cipherSuitesCheck },
    { id: "1.2.30", component: A, title: "Ensure that the --service-account-extend-token-expiration parameter is set to false", test: equals("service-account-extend-token-expiration", "false") },
    { id: "1.3.1", component: CM, title: "Ensure that the --terminated-pod-gc-threshold argument is set as appropriate", test: set("terminated-pod-gc-threshold") },
    { id: "1.3.2", component: CM, title: "Ensure that the --profiling argument is set to false", test: equals("profiling", "false") },
    { id: "1.3.3", component: CM, title: "Ensure that the --use-service-account-credentials argument is set to true", test: f => {
        const v = f.value("use-service-account-credentials");
        return v !== undefined && v !== "false" ? [true, `--use-service-account-credentials=${v}`] : [false, v === undefined ? "--use-service-account-credentials is not set" : "--use-service-account-credentials=false"];
    } },
    { id: "1.3.4", component: CM, title: "Ensure that the --service-account-private-key-file argument is set as appropriate", test: set("service-account-private-key-file") },
    { id: "1.3.5", component: CM, title: "Ensure that the --root-ca-file argument is set as appropriate", test: set("root-ca-file") },
    { id: "1.3.6", component: CM, title: "Ensure that the RotateKubeletServerCertificate argument is set to true", test: listLacks("feature-gates", "RotateKubeletServerCertificate=false", true) },
    { id: "1.3.7", component: CM, title: "Ensure that the --bind-address argument is set to 127.0.0.1", test: absentOr("bind-address", "127.0.0.1") },
    { id: "1.4.1", component: S, title: "Ensure that the --profiling argument is set to false", test: equals("profiling", "false") },
    { id: "1.4.2", component: S, title: "Ensure that the --bind-address argument is set to 127.0.0.1", test: absentOr("bind-address", "127.0.0.1") },
    { id: "3.2.1", component: A, title: "Ensure that a minimal audit policy is created", test: auditPolicyFileCheck },
    { id: "3.2.2", component: A, title: "Ensure that the audit policy covers key security concerns", test: auditConcernsCheck },
];

/** Every check in CIS_CHECKS, pass or fail, with the reason. A component whose manifest is missing fails its checks. */
export function computeCisChecks(input: CisInput): CisCheck[] {
    const files = input.files ?? {};
    const views = new Map<ControlPlaneComponent, Flags | string>();
    for (const component of [A, CM, S]) {
        const text = input.manifests[component];
        if (text === undefined) {
            views.set(component, `no ${component} manifest was read`);
            continue;
        }
        try {
            views.set(component, new Flags(readStaticPod(text, component)));
        } catch (e) {
            views.set(component, (e as Error).message);
        }
    }
    return CIS_CHECKS.map(d => {
        const view = views.get(d.component)!;
        if (typeof view === "string") return { id: d.id, title: d.title, status: "fail", reason: view };
        const [ok, reason] = d.test(view, files);
        return { id: d.id, title: d.title, status: ok ? "pass" : "fail", reason };
    });
}

export interface TurnedFailing { id: string; title: string; before: string; after: string }

/** Checks that pass in `before` and fail (or are missing) in `after`: what a policy stops in a preview. */
export function checksTurnedFailing(before: readonly CisCheck[], after: readonly CisCheck[]): TurnedFailing[] {
    const now = new Map(after.map(c => [c.id, c]));
    return before.filter(c => c.status === "pass").flatMap(c => {
        const later = now.get(c.id);
        if (later && later.status === "pass") return [];
        return [{ id: c.id, title: c.title, before: c.reason, after: later ? later.reason : "no longer computed" }];
    });
}
