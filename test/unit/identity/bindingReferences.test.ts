// What a binding depends on: its own role and the ServiceAccounts it names, nothing else (the Rbac component
// makes each binding depend on exactly these, so dependencies do not grow with bindings x accounts).
import { bindingReferences } from "../../../lib/identity/rbacObjects";

test("a RoleBinding of a ClusterRole names that ClusterRole and its ServiceAccount subjects, once each", () => {
    expect(bindingReferences({
        name: "pods-viewers", namespace: "dev", roleRef: { kind: "ClusterRole", name: "pods-viewer" },
        subjects: [
            { kind: "User", name: "alice" }, { kind: "Group", name: "ops" },
            { kind: "ServiceAccount", name: "app", namespace: "dev" }, { kind: "ServiceAccount", name: "ci", namespace: "tools" },
            { kind: "ServiceAccount", name: "app", namespace: "dev" },
        ],
    })).toEqual({ role: "ClusterRole/pods-viewer", serviceAccounts: ["dev/app", "tools/ci"] });
});

test("a RoleBinding of a Role names the Role in the binding's namespace", () => {
    expect(bindingReferences({ name: "b", namespace: "dev", roleRef: { kind: "Role", name: "cm-reader" }, subjects: [{ kind: "User", name: "bob" }] }))
        .toEqual({ role: "Role/dev/cm-reader", serviceAccounts: [] });
});

test("a ClusterRoleBinding names its ClusterRole", () => {
    expect(bindingReferences({ name: "b", roleRef: { kind: "ClusterRole", name: "view" }, subjects: [{ kind: "ServiceAccount", name: "s", namespace: "n" }] }))
        .toEqual({ role: "ClusterRole/view", serviceAccounts: ["n/s"] });
});
