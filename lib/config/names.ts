// Name rules shared by several settings. Names end up in Kubernetes objects, certificate subjects, token.csv and
// node commands: each rule keeps a name to what its destination accepts, and none may start with "-", which a
// command on a node would read as an option.

import { isIpv4 } from "../network/cidr";
import { Issues } from "./configError";

/** RFC 1123 label: what Kubernetes requires of namespace names. */
export const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: what Kubernetes requires of most object names (roles, bindings, service accounts, nodes). */
export const RFC1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** User and group names end up in a certificate subject (64 chars max) and in token.csv (no commas or quotes). */
const PRINCIPAL_NAME = /^[A-Za-z0-9]([A-Za-z0-9._@:+-]*[A-Za-z0-9])?$/;
export const MAX_PRINCIPAL_LENGTH = 64;
export const SYSTEM_MASTERS = "system:masters";

export function checkNamespaceName(issues: Issues, path: string, name: string): void {
    if (name.length > 63 || !RFC1123_LABEL.test(name)) {
        issues.add(path, name, "namespace names must be RFC 1123 labels: at most 63 lowercase letters, digits or '-', starting and ending alphanumeric");
    }
}

/** Kubernetes object names (RFC 1123 subdomains); `what` names the kind in the message. */
export function checkObjectName(issues: Issues, path: string, name: string, what = "object"): void {
    if (name.length > 253 || !RFC1123_SUBDOMAIN.test(name)) {
        issues.add(path, name, `must be a valid ${what} name: lowercase RFC 1123 (a-z, 0-9, '-', '.'), at most 253 characters, starting and ending alphanumeric`);
    }
}

export function checkPrincipalName(issues: Issues, path: string, name: string, what: "user" | "group"): void {
    if (name.trim() === "") {
        issues.add(path, name, `${what} name must not be empty`);
    } else if (name.startsWith("system:")) {
        issues.add(path, name, `"system:" names are reserved for Kubernetes components; choose a ${what} name without that prefix`);
    } else if (name.length > MAX_PRINCIPAL_LENGTH || !PRINCIPAL_NAME.test(name)) {
        issues.add(path, name, `${what} name must be at most ${MAX_PRINCIPAL_LENGTH} letters, digits or . _ @ : + - (no spaces, commas or quotes), starting and ending with a letter or digit`);
    }
}

/** Reports every entry after the first that repeats an earlier one. */
export function reportDuplicates(issues: Issues, ids: string[], pathOf: (i: number) => string, what: string, shown: (i: number) => unknown = i => ids[i]): void {
    const seen = new Map<string, number>();
    ids.forEach((id, i) => {
        const first = seen.get(id);
        if (first !== undefined) issues.add(pathOf(i), shown(i), `duplicate ${what}: same as ${pathOf(first)}`);
        else seen.set(id, i);
    });
}

/** A DNS name (RFC 1123, case-insensitive) or an IPv4 address; never starts with "-". */
export function isHostName(host: string): boolean {
    if (/^[0-9.]+$/.test(host)) return isIpv4(host);
    return host.length <= 253 && RFC1123_SUBDOMAIN.test(host.toLowerCase());
}
