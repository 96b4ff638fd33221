// kube-baseline:breakGlass: the only users that may hold system:masters (cluster-admin through a built-in binding
// RBAC cannot restrict) and the only bindings that may grant cluster-admin or another privileged role.

import { Issues } from "./configError";
import { List, Line, Optional, Settings, Static } from "./schema";

export const BreakGlassSchema = Settings({
    systemMastersUsers: Optional(List(Line())),
    clusterAdminBindings: Optional(List(Line())),
});

export type BreakGlassConfig = Required<Static<typeof BreakGlassSchema>>;

export function resolveBreakGlass(raw: Static<typeof BreakGlassSchema>): BreakGlassConfig {
    return { systemMastersUsers: raw.systemMastersUsers ?? [], clusterAdminBindings: raw.clusterAdminBindings ?? [] };
}

/** Every break-glass entry names a user or binding that exists: a stale entry is a grant waiting to happen. */
export function checkBreakGlassReferences(issues: Issues, breakGlass: BreakGlassConfig, userNames: string[], bindingNames: string[]): void {
    breakGlass.systemMastersUsers.forEach((name, i) => {
        if (!userNames.includes(name)) issues.add(`breakGlass.systemMastersUsers[${i}]`, name, "no such user in kube-baseline:users");
    });
    breakGlass.clusterAdminBindings.forEach((name, i) => {
        if (!bindingNames.includes(name)) issues.add(`breakGlass.clusterAdminBindings[${i}]`, name, "no such binding in kube-baseline:rbac");
    });
}
