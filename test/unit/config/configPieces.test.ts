// The pieces the config validation rests on: how Pulumi's config is read, how values are shown, paths
// normalised, misspellings matched, and the renewal window resolved onto each certificate user.

import { inspect } from "util";
import { ConfigError, formatIssues } from "../../../lib/config/configError";
import { readStackConfigValues, SECRET_IS_SET } from "../../../lib/config/configValues";
import { closestName } from "../../../lib/config/didYouMean";
import { validateIdentityConfig } from "../../../lib/config/identity";
import { shownValue } from "../../../lib/config/mask";
import { dedicatedDirectoryProblem, normalizeAbsolutePath } from "../../../lib/config/paths";
import { fakePem } from "../fakeSecrets";

describe("readStackConfigValues (pulumi.runtime.allConfig() output)", () => {
    test("JSON text becomes values, plain strings stay strings, other namespaces are ignored", () => {
        expect(readStackConfigValues({
            "kube-baseline:cluster": '{"source":"sandbox"}',
            "kube-baseline:users": "[]",
            "kube-baseline:nameSpaces": "not json at all",
            "kubernetes:context": "kind-kind",
        })).toEqual({ cluster: { source: "sandbox" }, users: [], nameSpaces: "not json at all" });
    });
    test("the secret keys are withheld: validation learns only that they are set", () => {
        const values = readStackConfigValues({ "kube-baseline:sshPrivateKey": fakePem("OPENSSH PRIVATE KEY"), "kube-baseline:clusterCaKey": "k" });
        expect(values).toEqual({ sshPrivateKey: SECRET_IS_SET, clusterCaKey: SECRET_IS_SET });
    });
});

describe("shownValue: what an error may print of a value", () => {
    test.each([
        ["users[0].name", "alice", '"alice"'],
        ["bgp.asNumber", 70000, "70000"],
        ["kubeProxy.strictARP", "yes", '"yes"'],
        ["users[0].key.rsaBits", 2048, "2048"],
        ["cluster.nodes[0].ssh.hostKey", "ssh-ed25519 AAAA", "(masked, 16 characters)"],
        ["bgp.externalPeers[0].passwordSecret.key", "tor1", "(masked, 4 characters)"],
        ["cluster.db_password", "pw", "(masked, 2 characters)"],
        ["users[0].name", "a\nb", "(masked, 3 characters)"],
        ["users[0].name", "x".repeat(101), "(masked, 101 characters)"],
        ["users[0].uid", "abcdef.0123456789abcdef", "(masked, 23 characters)"],
        ["cni.manifest.url", "https://u:p@example.com/x", "(masked, 25 characters)"],
        ["bgp", { routeReflectors: {} }, "(an object)"],
        ["cluster.nodes", [1, 2], "(a list of 2)"],
        ["users[0].uid", undefined, "(unset)"],
    ])("%s = %j shows as %s", (path, value, shown) => {
        expect(shownValue(path, value)).toBe(shown);
    });
    test("the value of an unknown key is never shown", () => {
        expect(shownValue("kube-baseline:foo", "harmless", { hide: true })).toBe("(not shown)");
    });
    test("a ConfigError prints masked values in its message and keeps the raw ones out of inspect()", () => {
        const error = new ConfigError([{ key: "kube-baseline:cluster.nodes[0].ssh.hostKey", value: "hunter2 secret", message: "bad" }]);
        expect(error.message).toBe("invalid stack configuration (1 problem):\n  - kube-baseline:cluster.nodes[0].ssh.hostKey = (masked, 14 characters): bad");
        expect(inspect(error)).not.toContain("hunter2");
        expect(error.issues[0].value).toBe("hunter2 secret");
        expect(formatIssues([])).toBe("invalid stack configuration (0 problems):\n");
    });
});

describe("paths", () => {
    test.each([
        ["/etc/kubernetes/auth", "/etc/kubernetes/auth"],
        ["/etc//kubernetes///auth/", "/etc/kubernetes/auth"],
        ["/etc/./kubernetes/./auth/.", "/etc/kubernetes/auth"],
        ["/", "/"],
        ["//", "/"],
    ])("%s normalises to %s", (input, output) => {
        expect(normalizeAbsolutePath(input)).toEqual({ path: output });
    });
    test.each(["etc/kubernetes", "/etc/../root", "/etc/kube rnetes", "/etc/$(id)", "", "/etc/kubernetes\n"])("%j is refused", input => {
        expect(normalizeAbsolutePath(input).problem).toBeDefined();
    });
    test("a dedicated directory: its own, or a reason", () => {
        const pods = "/etc/kubernetes/manifests";
        expect(dedicatedDirectoryProblem("/etc/kubernetes/auth", pods)).toBeUndefined();
        expect(dedicatedDirectoryProblem("/opt/kube-baseline/auth", pods)).toBeUndefined();
        expect(dedicatedDirectoryProblem("/etc", pods)).toMatch(/system directory/);
        expect(dedicatedDirectoryProblem("/etc/kubernetes/manifests/x", pods)).toMatch(/static pod manifest directory/);
        expect(dedicatedDirectoryProblem("/etc/kubernetes/pki", pods)).toMatch(/kubeadm owns/);
        // Another static-pod directory moves kubeadm's reserved entries with it.
        expect(dedicatedDirectoryProblem("/srv/k8s/pki/x", "/srv/k8s/manifests")).toMatch(/\/srv\/k8s\/pki, which kubeadm owns/);
        expect(dedicatedDirectoryProblem("/srv/k8s", "/srv/k8s/manifests")).toMatch(/must not contain the static pod manifest directory/);
    });
});

describe("did you mean", () => {
    const known = ["cluster", "users", "namespaces", "networkPolicy", "kubeProxy", "nodeKernel"];
    test.each([["nameSpaces", "namespaces"], ["user", "users"], ["kubeproxy", "kubeProxy"], ["networkPolicys", "networkPolicy"], ["clustr", "cluster"]])("%s -> %s", (typo, meant) => {
        expect(closestName(typo, known)).toBe(meant);
    });
    test.each(["tokens", "x", "certificatesAndMore"])("%s: nothing close enough", word => {
        expect(closestName(word, known)).toBeUndefined();
    });
});

describe("certificates.renewBeforeHours onto each certificate user", () => {
    const users = [
        { name: "alice", authentication: "csr", validityHours: 24 },
        { name: "bob", authentication: "x509", validityHours: 8 },
        { name: "carol", authentication: "csr", validityHours: 2 },
        { name: "dave", authentication: "csr", validityHours: 1 },
    ];
    const renew = (certificates: object) => {
        const { config, issues } = validateIdentityConfig({ certificates, users });
        expect(issues).toEqual([]);
        return Object.fromEntries(config!.users.map(u => [u.name, "renewBeforeHours" in u ? u.renewBeforeHours : undefined]));
    };
    test("unset: a third of each user's validity, rounded down, at least an hour", () => {
        expect(renew({})).toEqual({ alice: 8, bob: 2, carol: 1, dave: 1 });
    });
    test("set: the same number for every certificate user, below each validity", () => {
        const { config, issues } = validateIdentityConfig({ certificates: { renewBeforeHours: 1 }, users: users.slice(0, 3) });
        expect(issues).toEqual([]);
        expect(config!.users.map(u => "renewBeforeHours" in u && u.renewBeforeHours)).toEqual([1, 1, 1]);
        expect(config!.certificates.renewBeforeHours).toBe(1);
    });
    test("set at or above a user's validity: refused, naming the user and both values", () => {
        const { issues } = validateIdentityConfig({ certificates: { renewBeforeHours: 2 }, users });
        expect(issues.map(i => i.key)).toEqual(["kube-baseline:certificates.renewBeforeHours", "kube-baseline:certificates.renewBeforeHours"]);
        expect(issues[0].message).toMatch(/user "carol" \(users\[2\]\.validityHours\) is valid for 2 hours, and renewing 2 hours/);
        expect(issues[1].message).toMatch(/user "dave" .* valid for 1 hours/);
    });
    test("token users have no renewal window", () => {
        const { config } = validateIdentityConfig({ staticTokens: { allowed: true }, certificates: { renewBeforeHours: 500 }, users: [{ name: "wang", authentication: "token", uid: "1001" }] });
        expect(config!.users[0]).toEqual({ name: "wang", authentication: "token", groups: [], uid: "1001" });
    });
});
