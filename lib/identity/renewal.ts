// What the next update does to each user certificate, from the expiries the stack recorded last time
// (its certificateExpiry output) and the renewal settings: the providers decide (tls LocallySignedCert's
// earlyRenewalHours, for CSR-API users a renewal clock of the same kind), this says it in words before anything runs, so a preview
// names the certificates it will reissue and why, and a certificate that already expired is a warning.
import { CertificateUserConfig } from "../config/identity";

export interface RenewalNotice {
    user: string;
    severity: "info" | "warning";
    message: string;
}

const HOUR_MS = 3600_000;

/** One notice per certificate user that is due for renewal or expired; nothing for the others or for new users. */
export function renewalNotices(recordedExpiry: Record<string, string>, users: CertificateUserConfig[], now: Date): RenewalNotice[] {
    const notices: RenewalNotice[] = [];
    for (const user of users) {
        const recorded = recordedExpiry[user.name];
        const notAfter = recorded === undefined ? NaN : Date.parse(recorded);
        if (Number.isNaN(notAfter)) continue;
        const end = new Date(notAfter).toISOString();
        if (now.getTime() >= notAfter) {
            notices.push({
                user: user.name, severity: "warning",
                message: `the certificate of user ${user.name} expired at ${end}: kubeconfigs holding it no longer work; ` +
                    "this update issues a new one",
            });
            continue;
        }
        const windowOpens = notAfter - user.renewBeforeHours * HOUR_MS;
        if (now.getTime() >= windowOpens) {
            notices.push({
                user: user.name, severity: "info",
                message: `the certificate of user ${user.name} ends at ${end}; its renewal window (renewBeforeHours ` +
                    `${user.renewBeforeHours}) opened at ${new Date(windowOpens).toISOString()}: this update reissues it`,
            });
        }
    }
    return notices;
}

/** The certificateExpiry output as the stack's last update recorded it; {} when there is none or it is malformed. */
export function recordedExpiry(stackOutputs: unknown): Record<string, string> {
    const outputs = (stackOutputs ?? {}) as Record<string, unknown>;
    const expiry = outputs.certificateExpiry;
    if (expiry === null || typeof expiry !== "object" || Array.isArray(expiry)) return {};
    return Object.fromEntries(Object.entries(expiry as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"));
}
