// kube-baseline:users: who gets a credential, and how. x509: key and certificate made by the program, signed with
// the cluster CA key; csr: certificate issued by the cluster through certificates.k8s.io/v1 (the CA key stays on
// the control plane); token: a static bearer token in the apiserver's token file (legacy, CIS 1.2.2).

import { BreakGlassConfig } from "./breakGlass";
import { CertificatePolicy, checkKey, checkValidity, KeySpec, KeySpecSchema, MAX_VALIDITY_HOURS, renewBeforeHoursFor, resolveKey } from "./certificates";
import { Issues } from "./configError";
import { checkPrincipalName, SYSTEM_MASTERS } from "./names";
import { Int, Line, List, OneOf, Optional, Settings, Static } from "./schema";

export const USER_AUTHENTICATIONS = ["x509", "csr", "token"] as const;
/** x509, csr (certificate users) or token. */
export type UserAuthentication = typeof USER_AUTHENTICATIONS[number];

export const UserSchema = Settings({
    name: Line(),
    authentication: OneOf(USER_AUTHENTICATIONS),
    groups: Optional(List(Line())),
    validityHours: Optional(Int(1, MAX_VALIDITY_HOURS, "hours, at most a year: a client certificate cannot be revoked")),
    key: Optional(KeySpecSchema),
    uid: Optional(Line()),
});
export const UsersSchema = List(UserSchema);
type RawUser = Static<typeof UserSchema>;

export interface CertificateUserConfig {
    name: string;
    authentication: "x509" | "csr";
    groups: string[];
    validityHours: number;
    /** Renew when fewer than this many hours of validity are left (certificates.renewBeforeHours, or a third). */
    renewBeforeHours: number;
    key: KeySpec;
}
export interface TokenUserConfig {
    name: string;
    authentication: "token";
    groups: string[];
    uid: string;
}
export type UserConfig = CertificateUserConfig | TokenUserConfig;

const TOKEN_UID = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** Only some kinds of user allowed here (a tenant stack issues neither static tokens nor CA-signed certificates), and why. */
export interface AllowedAuthentications { authentications: readonly UserAuthentication[]; why: string }

export function resolveUsers(
    raw: RawUser[], policy: CertificatePolicy, breakGlass: BreakGlassConfig, staticTokensAllowed: boolean, issues: Issues,
    allowed?: AllowedAuthentications,
): UserConfig[] {
    const seenNames = new Map<string, number>();
    const seenUids = new Map<string, number>();
    return raw.map((u, i): UserConfig => {
        const at = `users[${i}]`;
        checkPrincipalName(issues, `${at}.name`, u.name, "user");
        const first = seenNames.get(u.name);
        if (first !== undefined) issues.add(`${at}.name`, u.name, `duplicate user: already defined at users[${first}]`);
        else seenNames.set(u.name, i);

        const groups = u.groups ?? [];
        groups.forEach((g, j) => {
            checkGroup(issues, `${at}.groups[${j}]`, g, u.name, breakGlass);
            if (groups.indexOf(g) !== j) issues.add(`${at}.groups[${j}]`, g, `is listed twice (also ${at}.groups[${groups.indexOf(g)}])`);
        });

        const refused = allowed !== undefined && !allowed.authentications.includes(u.authentication);
        if (refused) issues.add(`${at}.authentication`, u.authentication, allowed.why);
        if (u.authentication === "token") {
            if (!staticTokensAllowed && !refused) {
                issues.add(`${at}.authentication`, u.authentication,
                    "static tokens are forbidden in this environment (set kube-baseline:staticTokens.allowed to true to opt in; they fail CIS 1.2.2)");
            }
            for (const field of ["validityHours", "key"] as const) {
                if (u[field] !== undefined) issues.add(`${at}.${field}`, u[field], "only applies to certificate users (x509, csr)");
            }
            const uid = u.uid ?? "";
            if (!TOKEN_UID.test(uid) || uid.length > 64) {
                issues.add(`${at}.uid`, u.uid, "token users need a uid of at most 64 letters, digits, '.', '_' or '-', starting and ending with a letter or digit");
            } else {
                const firstUid = seenUids.get(uid);
                if (firstUid !== undefined) issues.add(`${at}.uid`, uid, `duplicate token uid: already used by users[${firstUid}]`);
                else seenUids.set(uid, i);
            }
            return { name: u.name, authentication: "token", groups, uid };
        }
        if (u.uid !== undefined) issues.add(`${at}.uid`, u.uid, "only applies to token users");
        const validityHours = u.validityHours ?? policy.defaultValidityHours;
        if (u.validityHours !== undefined) checkValidity(issues, `${at}.validityHours`, validityHours, policy.maxValidityHours);
        const key = u.key ? resolveKey(u.key) : policy.defaultKey;
        if (u.key) checkKey(issues, `${at}.key`, key);
        return { name: u.name, authentication: u.authentication, groups, validityHours, renewBeforeHours: renewBeforeHoursFor(validityHours, policy), key };
    });
}

function checkGroup(issues: Issues, path: string, group: string, user: string, breakGlass: BreakGlassConfig): void {
    if (group === SYSTEM_MASTERS) {
        if (!breakGlass.systemMastersUsers.includes(user)) {
            issues.add(path, group, `system:masters is bound to cluster-admin by a binding RBAC cannot restrict; list "${user}" in kube-baseline:breakGlass.systemMastersUsers to issue it deliberately`);
        }
        return;
    }
    if (group.startsWith("system:")) {
        issues.add(path, group, "\"system:\" groups belong to Kubernetes components (nodes, bootstrappers, service accounts); use your own group");
        return;
    }
    checkPrincipalName(issues, path, group, "group");
}
