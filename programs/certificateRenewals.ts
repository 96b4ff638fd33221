// Renewal notices for a stack's certificate users (baseline and tenant stacks alike).
import * as pulumi from "@pulumi/pulumi";
import { CertificateUserConfig, UserConfig } from "../lib/config/identity";
import { recordedExpiry, renewalNotices } from "../lib/identity/renewal";

/**
 * Says which user certificates this update reissues and why, and warns about expired ones, from the expiries this
 * stack recorded last time; also returned as an output (a stack output is awaited before the program ends). The
 * engine's builtin readStackOutputs reads them without storing anything (a StackReference would keep a copy of
 * every output, kubeconfigs included, in the state).
 */
export function announceRenewals(allUsers: UserConfig[]): pulumi.Output<Record<string, string>> {
    const users = allUsers.filter((u): u is CertificateUserConfig => u.authentication !== "token");
    const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
    const recorded = users.length === 0 ? Promise.resolve({}) : pulumi.runtime.invoke("pulumi:pulumi:readStackOutputs", { name: self })
        .then(result => recordedExpiry(result.outputs), (error: unknown) => {
            // A stack that never ran has no outputs to read.
            pulumi.log.debug(`no recorded certificate expiries: ${String(error)}`);
            return {};
        });
    return pulumi.output(recorded).apply(expiry => {
        const notices = renewalNotices(expiry, users, new Date());
        for (const notice of notices) {
            if (notice.severity === "warning") pulumi.log.warn(notice.message); else pulumi.log.info(notice.message);
        }
        return Object.fromEntries(notices.map(n => [n.user, n.message]));
    });
}
