// The subject of a Kubernetes client certificate: the apiserver reads CN as the user name and each O
// as one group (pure).
import type { CheckFailure } from "@pulumi/pulumi/dynamic";
import { containsUnknown } from "./values";

/** An X.509 name as @peculiar/x509 takes it in JSON form: one relative distinguished name per entry. */
export type JsonSubject = Array<Record<string, string[]>>;

/** CN first, then one O per organization in the given order (like `openssl req -subj "/CN=u/O=g1/O=g2"`). */
export function clientSubject(commonName: string, organizations: readonly string[]): JsonSubject {
  return [{ CN: [commonName] }, ...organizations.map((o) => ({ O: [o] }))];
}

/** RFC 4514-style rendering, for messages and outputs. */
export function subjectToString(commonName: string, organizations: readonly string[]): string {
  const escape = (v: string) => v.replace(/([,+"\\<>;=])/g, "\\$1");
  return [`CN=${escape(commonName)}`, ...organizations.map((o) => `O=${escape(o)}`)].join(", ");
}

// Control characters have no business in a user or group name and break log lines.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Check failures for the subject inputs; values not known yet (preview) are not judged. */
export function subjectIssues(commonName: unknown, organizations: unknown): CheckFailure[] {
  const issues: CheckFailure[] = [];
  if (!containsUnknown(commonName)) {
    if (typeof commonName !== "string" || commonName.trim() === "" || CONTROL_CHARACTERS.test(commonName)) {
      issues.push({
        property: "commonName",
        reason: `commonName must be a non-empty string without control characters (got ${JSON.stringify(commonName)})`,
      });
    }
  }
  if (organizations !== undefined && !containsUnknown(organizations)) {
    if (!Array.isArray(organizations)) {
      issues.push({ property: "organizations", reason: `organizations must be a list of strings (got ${JSON.stringify(organizations)})` });
    } else {
      const seen = new Set<string>();
      organizations.forEach((o, i) => {
        if (containsUnknown(o)) {
          return;
        }
        if (typeof o !== "string" || o.trim() === "" || CONTROL_CHARACTERS.test(o)) {
          issues.push({
            property: `organizations[${i}]`,
            reason: `organizations[${i}] must be a non-empty string without control characters (got ${JSON.stringify(o)})`,
          });
        } else if (seen.has(o)) {
          issues.push({ property: `organizations[${i}]`, reason: `organizations[${i}] repeats the group ${JSON.stringify(o)}` });
        } else {
          seen.add(o);
        }
      });
    }
  }
  return issues;
}
