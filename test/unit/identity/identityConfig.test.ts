// Config validation of the identity area: every bad value gives an issue naming the key and the value; good
// configs come back with secure defaults (RSA 4096, restricted Pod Security, short validity, no static tokens).

import { formatIssues } from "../../../lib/config/configError";
import { IDENTITY_CONFIG_KEYS, IdentityConfig, validateIdentityConfig } from "../../../lib/config/identity";

/** A config in the shape of the dev stack: the manuals' users, pods-viewer, a restricted namespace. */
function devConfig(): Record<string, any> {
    return {
        breakGlass: { systemMastersUsers: [], clusterAdminBindings: [] },
        users: [
            { name: "test", authentication: "x509", groups: ["ops"] },
            { name: "alice", authentication: "csr", groups: ["dev"], validityHours: 24, key: { algorithm: "ECDSA" } },
            { name: "wang", authentication: "token", uid: "1001", groups: ["dev"] },
        ],
        staticTokens: { allowed: true },
        rbac: {
            clusterRoles: [{ name: "pods-viewer", template: "pods-viewer" }],
            roles: [{ name: "config-reader", namespace: "dev", rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }] }],
            roleBindings: [
                { name: "wang-pods-viewer", namespace: "dev", roleRef: { kind: "ClusterRole", name: "pods-viewer" },
                  subjects: [{ kind: "User", name: "wang" }, { kind: "Group", name: "ops" }] },
                { name: "app-config", namespace: "dev", roleRef: { kind: "Role", name: "config-reader" },
                  subjects: [{ kind: "ServiceAccount", name: "app", namespace: "dev" }] },
            ],
            serviceAccounts: [{ name: "app", namespace: "dev", longLivedToken: true }],
        },
        namespaces: [{ name: "dev", tenant: "team-a" }, { name: "staging" }],
    };
}

function issuesOf(raw: unknown) {
    const result = validateIdentityConfig(raw);
    return result.issues;
}

function expectIssue(raw: unknown, key: string, value: unknown, message: RegExp) {
    const issues = issuesOf(raw);
    expect(issues).toContainEqual({ key, value, message: expect.stringMatching(message) });
}

describe("validateIdentityConfig: a good config", () => {
    test("is accepted with secure defaults filled in", () => {
        const { config, issues } = validateIdentityConfig(devConfig());
        expect(issues).toEqual([]);
        const c = config as IdentityConfig;
        const test = c.users.find(u => u.name === "test")!;
        expect(test).toMatchObject({ authentication: "x509", key: { algorithm: "RSA", rsaBits: 4096 }, validityHours: 720 });
        expect(c.users.find(u => u.name === "alice")).toMatchObject({ key: { algorithm: "ECDSA", ecdsaCurve: "P256" }, validityHours: 24 });
        expect(c.namespaces[0].podSecurity).toEqual({ enforce: "restricted", warn: "restricted", audit: "restricted", version: "latest" });
        expect(c.namespaces[0].networkPolicy).toEqual({ defaultDeny: true, allowDns: true, allowSameNamespace: true, allowIngressFromNamespaces: [] });
        expect(c.rbac.clusterRoles[0].rules).toEqual([
            { apiGroups: [""], resources: ["pods", "services"], verbs: ["get", "list", "watch"] },
            { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] },
        ]);
        expect(c.staticTokens).toMatchObject({ directory: "/etc/kubernetes/auth", fileName: "token.csv", readyTimeoutSeconds: 300 });
        expect(c.networkPolicy.calicoGlobalDefaultDeny.enabled).toBe(false);
    });

    test("an absent config is an empty, valid one with static tokens forbidden", () => {
        // What index.ts builds from unset keys: every key present, every value undefined.
        expect(validateIdentityConfig(Object.fromEntries(IDENTITY_CONFIG_KEYS.map(k => [k, undefined]))).issues).toEqual([]);
        const { config, issues } = validateIdentityConfig(undefined);
        expect(issues).toEqual([]);
        expect(config!.staticTokens.allowed).toBe(false);
        expect(config!.users).toEqual([]);
    });
});

describe("validateIdentityConfig: user names and groups", () => {
    test("empty user name", () => {
        const raw = devConfig();
        raw.users[0].name = "";
        expectIssue(raw, "kube-baseline:users[0].name", "", /must not be empty/);
    });
    test("system:-prefixed user name", () => {
        const raw = devConfig();
        raw.users[0].name = "system:admin";
        expectIssue(raw, "kube-baseline:users[0].name", "system:admin", /reserved/);
    });
    test("a user name that cannot go into token.csv or a certificate", () => {
        const raw = devConfig();
        raw.users[2].name = "wang,admin";
        expectIssue(raw, "kube-baseline:users[2].name", "wang,admin", /no spaces, commas or quotes/);
    });
    test("duplicate users", () => {
        const raw = devConfig();
        raw.users.push({ name: "test", authentication: "csr" });
        expectIssue(raw, "kube-baseline:users[3].name", "test", /duplicate user: already defined at users\[0\]/);
    });
    test("system:masters without a break-glass entry", () => {
        const raw = devConfig();
        raw.users[0].groups = ["system:masters"];
        expectIssue(raw, "kube-baseline:users[0].groups[0]", "system:masters", /breakGlass\.systemMastersUsers/);
    });
    test("system:masters with an explicit break-glass entry is accepted", () => {
        const raw = devConfig();
        raw.users[0].groups = ["system:masters"];
        raw.breakGlass.systemMastersUsers = ["test"];
        expect(issuesOf(raw)).toEqual([]);
    });
    test("other system: groups are refused", () => {
        const raw = devConfig();
        raw.users[0].groups = ["system:nodes"];
        expectIssue(raw, "kube-baseline:users[0].groups[0]", "system:nodes", /belong to Kubernetes components/);
    });
    test("a break-glass entry for a user that does not exist", () => {
        const raw = devConfig();
        raw.breakGlass.systemMastersUsers = ["ghost"];
        expectIssue(raw, "kube-baseline:breakGlass.systemMastersUsers[0]", "ghost", /no such user/);
    });
});

describe("validateIdentityConfig: static tokens", () => {
    test("duplicate token uids", () => {
        const raw = devConfig();
        raw.users.push({ name: "li", authentication: "token", uid: "1001" });
        expectIssue(raw, "kube-baseline:users[3].uid", "1001", /duplicate token uid: already used by users\[2\]/);
    });
    test("token users need a uid", () => {
        const raw = devConfig();
        delete raw.users[2].uid;
        expectIssue(raw, "kube-baseline:users[2].uid", undefined, /need a uid/);
    });
    test("forbidden unless the environment opts in", () => {
        const raw = devConfig();
        raw.staticTokens.allowed = false;
        expectIssue(raw, "kube-baseline:users[2].authentication", "token", /forbidden in this environment.*CIS 1\.2\.2/);
    });
    test("token directory inside the static pod manifest directory", () => {
        const raw = devConfig();
        raw.staticTokens.directory = "/etc/kubernetes/manifests/auth";
        expectIssue(raw, "kube-baseline:staticTokens.directory", "/etc/kubernetes/manifests/auth", /kubelet would treat its files as pods/);
    });
    test("paths with shell or YAML syntax", () => {
        const raw = devConfig();
        raw.staticTokens.directory = "/etc/kubernetes/$(reboot)";
        expectIssue(raw, "kube-baseline:staticTokens.directory", "/etc/kubernetes/$(reboot)", /absolute path of letters/);
    });
    test("a readiness timeout out of bounds", () => {
        const raw = devConfig();
        raw.staticTokens.readyTimeoutSeconds = 5;
        expectIssue(raw, "kube-baseline:staticTokens.readyTimeoutSeconds", 5, /between 10 and 3600/);
    });
});

describe("validateIdentityConfig: certificates and keys", () => {
    test("validity not a positive whole number of hours, or above a year", () => {
        for (const bad of [0, -24, 1.5, 8761]) {
            const raw = devConfig();
            raw.users[0].validityHours = bad;
            expectIssue(raw, "kube-baseline:users[0].validityHours", bad, Number.isInteger(bad) ? /between 1 and 8760/ : /whole number/);
        }
    });
    test("validity above the configured maximum", () => {
        const raw = devConfig();
        raw.certificates = { maxValidityHours: 168 };
        raw.users[0].validityHours = 8760;
        expectIssue(raw, "kube-baseline:users[0].validityHours", 8760, /above the maximum of 168 hours/);
    });
    test("the default validity follows a lower maximum", () => {
        const raw = devConfig();
        raw.certificates = { maxValidityHours: 48 };
        const { config } = validateIdentityConfig(raw);
        expect(config!.users.find(u => u.name === "test")).toMatchObject({ validityHours: 48 });
    });
    test("RSA keys below 3072 bits are too weak", () => {
        const raw = devConfig();
        raw.users[0].key = { algorithm: "RSA", rsaBits: 2048 };
        expectIssue(raw, "kube-baseline:users[0].key.rsaBits", 2048, /too weak/);
    });
    test("a weak default key is refused too", () => {
        const raw = devConfig();
        raw.certificates = { defaultKey: { algorithm: "RSA", rsaBits: 1024 } };
        expectIssue(raw, "kube-baseline:certificates.defaultKey.rsaBits", 1024, /too weak/);
    });
    test("unknown curves and algorithms are refused by the schema", () => {
        const raw = devConfig();
        raw.users[1].key = { algorithm: "ECDSA", ecdsaCurve: "P224" };
        expectIssue(raw, "kube-baseline:users[1].key.ecdsaCurve", "P224", /must be one of "P256", "P384"/);
        const raw2 = devConfig();
        raw2.users[1].key = { algorithm: "DSA" };
        expectIssue(raw2, "kube-baseline:users[1].key.algorithm", "DSA", /must be one of "RSA", "ECDSA", "ED25519"/);
    });
});

describe("validateIdentityConfig: namespaces", () => {
    test("invalid namespace names (RFC 1123 label)", () => {
        for (const bad of ["Dev", "dev_1", "-dev", "a".repeat(64), ""]) {
            const raw = devConfig();
            raw.namespaces[1].name = bad;
            expectIssue(raw, "kube-baseline:namespaces[1].name", bad, /RFC 1123/);
        }
    });
    test("duplicate namespaces", () => {
        const raw = devConfig();
        raw.namespaces.push({ name: "dev" });
        expectIssue(raw, "kube-baseline:namespaces[2].name", "dev", /duplicate namespace/);
    });
    test("unknown Pod Security levels", () => {
        const raw = devConfig();
        raw.namespaces[0].podSecurity = { enforce: "strict" };
        expectIssue(raw, "kube-baseline:namespaces[0].podSecurity.enforce", "strict", /must be one of "privileged", "baseline", "restricted"/);
    });
    test("a weaker level needs an exemption reason", () => {
        const raw = devConfig();
        raw.namespaces[1].podSecurity = { enforce: "baseline" };
        expectIssue(raw, "kube-baseline:namespaces[1].podSecurity.enforce", "baseline", /exemptionReason/);
        raw.namespaces[1].podSecurity.exemptionReason = "legacy ingress controller needs NET_BIND_SERVICE";
        expect(issuesOf(raw)).toEqual([]);
    });
    test("a bad Pod Security version", () => {
        const raw = devConfig();
        raw.namespaces[0].podSecurity = { version: "1.30" };
        expectIssue(raw, "kube-baseline:namespaces[0].podSecurity.version", "1.30", /"latest" or a Kubernetes minor version/);
    });
    test("built-in namespaces are not ours to create", () => {
        const raw = devConfig();
        raw.namespaces[1].name = "kube-system";
        expectIssue(raw, "kube-baseline:namespaces[1].name", "kube-system", /exists in every cluster/);
    });
    test("labels that kube-baseline manages cannot be set by hand", () => {
        const raw = devConfig();
        raw.namespaces[0].labels = { "pod-security.kubernetes.io/enforce": "privileged" };
        expectIssue(raw, "kube-baseline:namespaces[0].labels.pod-security.kubernetes.io/enforce", "privileged", /managed by kube-baseline/);
    });
    test("a tenant namespace cannot drop its default deny", () => {
        const raw = devConfig();
        raw.namespaces[0].networkPolicy = { defaultDeny: false };
        expectIssue(raw, "kube-baseline:namespaces[0].networkPolicy.defaultDeny", false, /tenant isolation/);
    });
});

describe("validateIdentityConfig: RBAC", () => {
    test("a RoleBinding to a Role that is not defined", () => {
        const raw = devConfig();
        raw.rbac.roleBindings[1].roleRef.name = "secret-reader";
        expectIssue(raw, "kube-baseline:rbac.roleBindings[1].roleRef.name", "secret-reader", /no Role "secret-reader" is defined in namespace dev/);
    });
    test("a RoleBinding to a Role defined in another namespace", () => {
        const raw = devConfig();
        raw.rbac.roleBindings[1].namespace = "staging";
        expectIssue(raw, "kube-baseline:rbac.roleBindings[1].roleRef.name", "config-reader", /in namespace staging/);
    });
    test("a RoleBinding to a ClusterRole that is neither defined nor built in", () => {
        const raw = devConfig();
        raw.rbac.roleBindings[0].roleRef.name = "pod-viewer";
        expectIssue(raw, "kube-baseline:rbac.roleBindings[0].roleRef.name", "pod-viewer", /no ClusterRole "pod-viewer"/);
    });
    test("built-in ClusterRoles can be bound without defining them", () => {
        const raw = devConfig();
        raw.rbac.roleBindings[0].roleRef.name = "view";
        expect(issuesOf(raw)).toEqual([]);
    });
    test("cluster-admin needs a break-glass entry, also for ServiceAccount tokens", () => {
        const raw = devConfig();
        raw.rbac.clusterRoleBindings = [{ name: "dashboard-admin", roleRef: { kind: "ClusterRole", name: "cluster-admin" },
            subjects: [{ kind: "ServiceAccount", name: "app", namespace: "dev" }] }];
        expectIssue(raw, "kube-baseline:rbac.clusterRoleBindings[0].roleRef.name", "cluster-admin", /breakGlass\.clusterAdminBindings/);
        raw.breakGlass.clusterAdminBindings = ["dashboard-admin"];
        expect(issuesOf(raw)).toEqual([]);
    });
    test("escalating verbs make a role privileged: its binding needs break-glass; incomplete rules are refused", () => {
        const raw = devConfig();
        raw.rbac.roles[0].rules = [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind", "get"] }, { verbs: ["get"] }];
        expectIssue(raw, "kube-baseline:rbac.roleBindings[1].roleRef.name", "config-reader",
            /Role "config-reader" in dev is privileged \(rbac\.roles\[0\]\.rules\[0\]\.verbs\[0\]: bind lets a subject grant itself more rights\).*breakGlass\.clusterAdminBindings/);
        expectIssue(raw, "kube-baseline:rbac.roles[0].rules[1].resources", undefined, /needs apiGroups/);
    });
    test("unknown role templates", () => {
        const raw = devConfig();
        raw.rbac.clusterRoles[0].template = "pod-viewer";
        expectIssue(raw, "kube-baseline:rbac.clusterRoles[0].template", "pod-viewer", /unknown role template; known: pods-viewer/);
    });
    test("ServiceAccount subjects need a namespace", () => {
        const raw = devConfig();
        delete raw.rbac.roleBindings[1].subjects[0].namespace;
        expectIssue(raw, "kube-baseline:rbac.roleBindings[1].subjects[0].namespace", undefined, /need a namespace/);
    });
    test("a long-lived token for an unbound ServiceAccount", () => {
        const raw = devConfig();
        raw.rbac.serviceAccounts.push({ name: "dashboard", namespace: "dev", longLivedToken: true });
        expectIssue(raw, "kube-baseline:rbac.serviceAccounts[1].longLivedToken", true, /least-privilege role/);
    });
});

describe("validateIdentityConfig: shape errors and reporting", () => {
    test("wrong types name the key and the value; unknown keys are named with a suggestion, their value hidden", () => {
        const raw = devConfig();
        raw.users[0].groups = "ops";
        raw.staticTokens.alowed = true;
        const issues = issuesOf(raw);
        expect(issues).toContainEqual({ key: "kube-baseline:users[0].groups", value: "ops", message: "must be a list" });
        expect(issues).toContainEqual({ key: "kube-baseline:staticTokens.alowed", value: null, hideValue: true, message: "is not a known setting; did you mean allowed?" });
        expect(formatIssues(issues)).toContain("kube-baseline:staticTokens.alowed = (not shown): is not a known setting; did you mean allowed?");
    });
    test("every issue is reported at once, and formats into one readable error", () => {
        const raw = devConfig();
        raw.users[0].name = "";
        raw.namespaces[1].name = "Bad";
        raw.rbac.roleBindings[1].roleRef.name = "nope";
        const issues = issuesOf(raw);
        expect(issues.length).toBeGreaterThanOrEqual(3);
        expect(formatIssues(issues)).toMatch(/kube-baseline:namespaces\[1\]\.name = "Bad"/);
    });
    test("the Calico global policy needs Calico", () => {
        const raw = devConfig();
        raw.networkPolicy = { calicoGlobalDefaultDeny: { enabled: true } };
        expect(validateIdentityConfig(raw, { cni: "flannel" }).issues).toContainEqual({
            key: "kube-baseline:networkPolicy.calicoGlobalDefaultDeny.enabled", value: true, message: expect.stringMatching(/needs Calico/),
        });
        expect(validateIdentityConfig(raw, { cni: "calico" }).issues).toEqual([]);
    });
});
