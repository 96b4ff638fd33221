// Resource-graph tests with Pulumi mocks: which resources each identity component creates, that every child hangs
// under its component (the parent's type is part of a child's URN), what goes into the SSH commands (no token on a
// command line) and which outputs are secret. The node-side scripts and pure builders have their own tests.

import * as pulumi from "@pulumi/pulumi";
import { generateKeyPairSync } from "crypto";
import { fakePem } from "../fakeSecrets";
import { KUBEADM_APISERVER_MANIFEST, TEST_CERTIFICATE_PEM } from "./fixtures";

const CLIENT_KEY = generateKeyPairSync("ec", { namedCurve: "P-256" });
const CLIENT_KEY_PEM = CLIENT_KEY.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
const CLIENT_PUB_PEM = CLIENT_KEY.publicKey.export({ type: "spki", format: "pem" }) as string;
const CA_KEY_PEM = fakePem("PRIVATE KEY", "MIIca-key-from-the-node");

interface Registered { type: string; name: string; inputs: any }

const TYPES = {
    privateKey: "tls:index/privateKey:PrivateKey",
    cert: "tls:index/locallySignedCert:LocallySignedCert",
    randomPassword: "random:index/randomPassword:RandomPassword",
    selfSignedCert: "tls:index/selfSignedCert:SelfSignedCert",
    command: "command:remote:Command",
};
const registered: Registered[] = [];
let tokenCounter = 0;

pulumi.runtime.setMocks({
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: any } {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state: any = { ...args.inputs };
        if (args.type === TYPES.privateKey) Object.assign(state, { privateKeyPem: CLIENT_KEY_PEM, publicKeyPem: CLIENT_PUB_PEM });
        if (args.type === TYPES.cert) Object.assign(state, { certPem: TEST_CERTIFICATE_PEM, validityEndTime: "2126-10-29T17:13:16Z" });
        if (args.type === TYPES.randomPassword) {
            Object.assign(state, { result: `tok${String(tokenCounter++).padStart(3, "0")}0123456789abcdef` });
        }
        if (args.type === TYPES.selfSignedCert) Object.assign(state, { validityStartTime: "2026-12-02T00:00:00Z" });
        if (args.type === TYPES.command) {
            // What the node would print: the manifest (base64) for reads, the certificate for CSRs, the CA key.
            const stdout = args.name.includes("-read-") ? Buffer.from(KUBEADM_APISERVER_MANIFEST).toString("base64")
                : args.name.endsWith("-csr") ? TEST_CERTIFICATE_PEM
                : args.name.endsWith("ca-key-read") ? CA_KEY_PEM : "";
            Object.assign(state, { stdout, stderr: "" });
        }
        return { id: `${args.name}-id`, state };
    },
    call: args => args.inputs,
}, "kube-baseline", "unit");

// Components are loaded after the mocks are in place.
import { IdentityConfig, validateIdentityConfig } from "../../../lib/config/identity";
import { CsrApiUser, Identity, Namespaces, NetworkPolicies, Rbac, StaticTokens, X509User } from "../../../components/identity";
import { hasTokenAuthFlag } from "../../../lib/identity/apiserverManifest";

const CLUSTER = { name: "kube-test", apiServerUrl: "https://10.0.0.101:6443", caCertificatePem: TEST_CERTIFICATE_PEM };
const NODES = ["cp1", "cp2"].map((name, i) => ({
    name, ssh: { host: `10.0.0.10${i + 1}`, port: 22, user: i === 0 ? "root" : "ops", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeHostKeyForTests" },
}));
const SSH_KEY = fakePem("OPENSSH PRIVATE KEY", "fake");

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise(resolve => output.apply(v => { resolve(v); return v; }));
}

/** Waits until no registration has come in for a while: the graph is complete. */
async function settled(): Promise<void> {
    let count = -1;
    while (count !== registered.length) {
        count = registered.length;
        await new Promise(r => setTimeout(r, 150));
    }
}

/** URN of every registered resource: urn:pulumi:<stack>::<project>::<parent types $ own type>::<name>. */
function urns(): string[] {
    const monitor = pulumi.runtime.getMonitor() as unknown as { getRegisteredResources(): Map<string, unknown> };
    return [...monitor.getRegisteredResources().keys()];
}

function childrenOf(parentType: string, parentName: string): Array<{ type: string; name: string }> {
    // Children's names start with their component's name; their qualified type ends with <parent>$<type>.
    return urns()
        .map(u => { const [, , qualified, name] = u.split("::"); const types = qualified.split("$"); return { types, name }; })
        .filter(r => r.types.length >= 2 && r.types[r.types.length - 2] === parentType && r.name.startsWith(parentName))
        .map(r => ({ type: r.types[r.types.length - 1], name: r.name }));
}

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** True when the value reached the engine as a secret. */
function isSecretInput(value: any): boolean {
    return value !== null && typeof value === "object" && value[SIG_KEY] === SECRET_SIG;
}

/** The value with secret wrappers removed, for assertions on content. */
function plain(value: any): any {
    if (isSecretInput(value)) return plain(value.value);
    if (Array.isArray(value)) return value.map(plain);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    return value;
}

function inputsOf(name: string): any {
    return plain(rawInputsOf(name));
}

function rawInputsOf(name: string): any {
    const r = registered.find(x => x.name === name);
    if (!r) throw new Error(`no resource named ${name}; have ${registered.map(x => x.name).join(", ")}`);
    return r.inputs;
}

/** The script inside a remoteShellCommand line. */
function scriptOf(command: string): string {
    const m = /printf '%s' '([A-Za-z0-9+/=]+)' \| base64 -d/.exec(command);
    if (!m) throw new Error(`not a wrapped script: ${command.slice(0, 80)}`);
    return Buffer.from(m[1], "base64").toString("utf8");
}

function config(raw: unknown): IdentityConfig {
    const { config, issues } = validateIdentityConfig(raw);
    expect(issues).toEqual([]);
    return config!;
}

/** A CSR's subject as `openssl req -subject` would print it (O's in order, then CN), read with node's DER parsing. */
function csrSubject(pem: string): string[] {
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s/g, ""), "base64");
    return [...der.toString("latin1").matchAll(/\x06\x03\x55\x04(\x0a|\x03)\x0c(.)/g)].map(m => {
        const at = m.index! + m[0].length;
        return `${m[1] === "\x0a" ? "O" : "CN"}=${der.subarray(at, at + m[2].charCodeAt(0)).toString("utf8")}`;
    });
}

describe("X509User", () => {
    test("a key and a CA-signed client certificate under the component; kubeconfig secret, expiry plain", async () => {
        const user = config({ users: [{ name: "test", authentication: "x509", groups: ["ops", "dev"], validityHours: 24 }] }).users[0];
        const x = new X509User("u-test", { user: user as any, cluster: CLUSTER, caKeyPem: pulumi.secret(CA_KEY_PEM) });
        const kubeconfig = await valueOf(x.kubeconfig);
        await settled();
        expect(childrenOf("kube-baseline:identity:X509User", "u-test")).toEqual(expect.arrayContaining([
            { type: TYPES.privateKey, name: "u-test-key" },
            { type: TYPES.cert, name: "u-test-cert" },
        ]));
        expect(inputsOf("u-test-key")).toMatchObject({ algorithm: "RSA", rsaBits: 4096 });
        const cert = inputsOf("u-test-cert");
        expect(cert).toMatchObject({
            validityPeriodHours: 24, earlyRenewalHours: 8, caPrivateKeyPem: CA_KEY_PEM, caCertPem: TEST_CERTIFICATE_PEM,
            allowedUses: ["digital_signature", "key_encipherment", "client_auth"],
        });
        // Every group is its own O; the CSR is public (no key in it) and the CA key a secret input.
        expect(csrSubject(cert.certRequestPem)).toEqual(["O=ops", "O=dev", "CN=test"]);
        expect(cert.certRequestPem).not.toContain("PRIVATE KEY");
        expect(isSecretInput(rawInputsOf("u-test-cert").certRequestPem)).toBe(false);
        expect(isSecretInput(rawInputsOf("u-test-cert").caPrivateKeyPem)).toBe(true);
        expect(kubeconfig).toContain(`client-key-data: ${Buffer.from(CLIENT_KEY_PEM).toString("base64")}`);
        expect(kubeconfig).toContain("current-context: test@kube-test");
        expect(await pulumi.isSecret(x.kubeconfig)).toBe(true);
        expect(await valueOf(x.notAfter)).toBe("2126-10-29T17:13:16.000Z");
        expect(await pulumi.isSecret(x.notAfter)).toBe(false);
    });

    test("refuses a user of another authentication kind", () => {
        const user = config({ users: [{ name: "alice", authentication: "csr" }] }).users[0];
        expect(() => new X509User("u-wrong", { user: user as any, cluster: CLUSTER, caKeyPem: CA_KEY_PEM })).toThrow(/not x509/);
    });
});

describe("CsrApiUser", () => {
    test("the key stays here, the CSR goes on stdin to kubectl on the control plane, the certificate comes back", async () => {
        const user = config({ users: [{ name: "alice", authentication: "csr", groups: ["dev"], validityHours: 12 }] }).users[0];
        const c = new CsrApiUser("u-alice", { user: user as any, cluster: CLUSTER, controlPlaneNode: NODES[1], sshPrivateKey: SSH_KEY });
        const kubeconfig = await valueOf(c.kubeconfig);
        await settled();
        expect(childrenOf("kube-baseline:identity:CsrApiUser", "u-alice")).toEqual(expect.arrayContaining([
            { type: TYPES.privateKey, name: "u-alice-key" },
            { type: TYPES.selfSignedCert, name: "u-alice-renewal-clock" },
            { type: TYPES.command, name: "u-alice-csr" },
        ]));
        // The renewal clock runs out renewBeforeHours (a third of 12) before the certificate ends.
        expect(inputsOf("u-alice-renewal-clock")).toMatchObject({ validityPeriodHours: 8, earlyRenewalHours: 0, allowedUses: [] });
        const cmd = inputsOf("u-alice-csr");
        expect(cmd.connection).toMatchObject({ host: "10.0.0.102", user: "ops", hostKey: NODES[1].ssh.hostKey });
        expect(cmd.addPreviousOutputInEnv).toBe(false);
        expect(cmd.create).toMatch(/^sudo -n sh -c/);
        const script = scriptOf(cmd.create);
        expect(script).toContain('"signerName":"kubernetes.io/kube-apiserver-client"');
        expect(script).toContain('"expirationSeconds":43200');
        expect(script).toContain('"usages":["client auth"]');
        expect(script).toContain("certificate approve");
        // The clock's start is part of the script: a renewed clock re-runs it.
        expect(script).toContain("# renewal: 2026-12-02T00:00:00Z");
        expect(cmd.stdin).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
        expect(csrSubject(cmd.stdin)).toEqual(["O=dev", "CN=alice"]);
        expect(cmd.stdin).not.toContain("PRIVATE KEY");
        expect(cmd.triggers).toEqual(["alice", "dev"]);
        expect(await valueOf(c.certificatePem)).toBe(TEST_CERTIFICATE_PEM);
        expect(await valueOf(c.notAfter)).toBe("2126-10-29T17:13:16.000Z");
        expect(kubeconfig).toContain(`client-certificate-data: ${Buffer.from(TEST_CERTIFICATE_PEM).toString("base64")}`);
        expect(await pulumi.isSecret(c.kubeconfig)).toBe(true);
        expect(await pulumi.isSecret(c.certificatePem)).toBe(false);
    });
});

describe("StaticTokens", () => {
    const cfg = config({
        staticTokens: { allowed: true },
        users: [
            { name: "wang", authentication: "token", uid: "1001", groups: ["dev"] },
            { name: "li", authentication: "token", uid: "1002" },
        ],
    });
    const users = cfg.users as any[];

    test("a token per user under the component; token.csv is the secret content of its part of the control-plane patch", async () => {
        const t = new StaticTokens("st", { users, settings: cfg.staticTokens, cluster: CLUSTER });
        const kubeconfigs = await valueOf(t.kubeconfigs);
        const patch = await valueOf(t.patch);
        await settled();
        expect(childrenOf("kube-baseline:identity:StaticTokens", "st").sort((a, b) => a.name.localeCompare(b.name))).toEqual([
            { type: TYPES.randomPassword, name: "st-token-li" },
            { type: TYPES.randomPassword, name: "st-token-wang" },
        ]);
        expect(inputsOf("st-token-wang")).toMatchObject({ length: 22, lower: true, numeric: true, upper: false, special: false });

        // The patch: the flag (owned), token.csv (0600, secret, so on stdin only) in a 0700 directory, mounted read-only.
        const apiserver = patch["kube-apiserver"]!;
        expect(apiserver.flags).toEqual({ "token-auth-file": "/etc/kubernetes/auth/token.csv" });
        expect(apiserver.ownedFlags).toEqual(["token-auth-file"]);
        expect(apiserver.directories).toEqual([{ path: "/etc/kubernetes/auth", mode: "0700", owner: "root:root" }]);
        expect(apiserver.mounts).toEqual([{ name: "kube-baseline-static-tokens", hostPath: "/etc/kubernetes/auth", mountPath: "/etc/kubernetes/auth", readOnly: true, type: "DirectoryOrCreate" }]);
        const [file] = apiserver.files;
        expect(file).toMatchObject({ path: "/etc/kubernetes/auth/token.csv", mode: "0600", owner: "root:root", secret: true });
        expect(file.content).toMatch(/^tok\d{3}\.0123456789abcdef,wang,1001,"dev"\ntok\d{3}\.0123456789abcdef,li,1002\n$/);
        expect(await pulumi.isSecret(t.patch)).toBe(true);

        // Each user's kubeconfig carries exactly the token written for that user into token.csv.
        for (const user of ["wang", "li"]) {
            const token = /token: (\S+)/.exec(kubeconfigs[user])![1];
            expect(file.content).toContain(`${token},${user},`);
        }
        expect(Object.keys(kubeconfigs).sort()).toEqual(["li", "wang"]);
        expect(await pulumi.isSecret(t.kubeconfigs)).toBe(true);
        expect(t.tokenFile).toBe("/etc/kubernetes/auth/token.csv");
        // The apply commands earlier versions ran under this component (taken over by ControlPlane).
        expect(t.legacyApplyPrefix).toBe("st-apply");
    });

    test("refuses to run where static tokens are not allowed", () => {
        expect(() => new StaticTokens("st-off", {
            users, settings: { ...cfg.staticTokens, allowed: false }, cluster: CLUSTER,
        })).toThrow(/not allowed/);
    });
});

describe("Rbac, Namespaces, NetworkPolicies", () => {
    const cfg = config({
        users: [{ name: "wang", authentication: "x509" }],
        rbac: {
            clusterRoles: [{ name: "pods-viewer", template: "pods-viewer" }],
            roles: [{ name: "cm-reader", namespace: "dev", rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }] }],
            roleBindings: [{ name: "wang-pods", namespace: "dev", roleRef: { kind: "ClusterRole", name: "pods-viewer" }, subjects: [{ kind: "User", name: "wang" }] },
                { name: "dash-view", namespace: "dev", roleRef: { kind: "Role", name: "cm-reader" }, subjects: [{ kind: "ServiceAccount", name: "dash", namespace: "dev" }] }],
            serviceAccounts: [{ name: "dash", namespace: "dev", longLivedToken: true }, { name: "app", namespace: "dev" }],
        },
        namespaces: [{ name: "dev", tenant: "a" }, { name: "ops" }],
        networkPolicy: { calicoGlobalDefaultDeny: { enabled: true } },
    });

    test("Rbac: roles, bindings, ServiceAccounts (automount off) and one token Secret, under the component", async () => {
        const rbac = new Rbac("rb", { rbac: cfg.rbac });
        await valueOf(rbac.urn);
        await settled();
        expect(childrenOf("kube-baseline:identity:Rbac", "rb").sort((a, b) => a.name.localeCompare(b.name))).toEqual([
            { type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", name: "rb-clusterrole-pods-viewer" },
            { type: "kubernetes:rbac.authorization.k8s.io/v1:Role", name: "rb-role-dev-cm-reader" },
            { type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", name: "rb-rolebinding-dev-dash-view" },
            { type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", name: "rb-rolebinding-dev-wang-pods" },
            { type: "kubernetes:core/v1:ServiceAccount", name: "rb-sa-dev-app" },
            { type: "kubernetes:core/v1:ServiceAccount", name: "rb-sa-dev-dash" },
            { type: "kubernetes:core/v1:Secret", name: "rb-sa-token-dev-dash" },
        ]);
        expect(inputsOf("rb-sa-dev-app")).toMatchObject({ automountServiceAccountToken: false, metadata: { name: "app", namespace: "dev" } });
        expect(inputsOf("rb-sa-token-dev-dash")).toMatchObject({
            type: "kubernetes.io/service-account-token", metadata: { annotations: { "kubernetes.io/service-account.name": "dash" } },
        });
        expect(inputsOf("rb-rolebinding-dev-wang-pods")).toMatchObject({ roleRef: { kind: "ClusterRole", name: "pods-viewer" } });
        expect(registered.some(r => r.name.startsWith("rb-") && r.type.endsWith(":ClusterRoleBinding"))).toBe(false);
        expect(rbac.serviceAccountTokenSecrets).toEqual([{ namespace: "dev", serviceAccount: "dash", secretName: "dash-token" }]);
    });

    test("Namespaces: one Namespace each, PSA-labelled", async () => {
        const ns = new Namespaces("ns", { namespaces: cfg.namespaces });
        await valueOf(ns.urn);
        await settled();
        expect(childrenOf("kube-baseline:identity:Namespaces", "ns").map(c => c.name).sort()).toEqual(["ns-dev", "ns-ops"]);
        expect(inputsOf("ns-dev").metadata.labels).toMatchObject({
            "pod-security.kubernetes.io/enforce": "restricted", "kube-baseline.io/tenant": "a",
        });
    });

    test("NetworkPolicies: per-namespace policies and, with Calico, the GlobalNetworkPolicy", async () => {
        const np = new NetworkPolicies("np", { namespaces: cfg.namespaces, networkPolicy: cfg.networkPolicy, cni: "calico" });
        await valueOf(np.urn);
        await settled();
        const children = childrenOf("kube-baseline:identity:NetworkPolicies", "np");
        expect(children.filter(c => c.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy").map(c => c.name).sort()).toEqual([
            "np-dev-allow-dns", "np-dev-allow-same-namespace", "np-dev-allow-same-tenant", "np-dev-default-deny",
            "np-ops-allow-dns", "np-ops-allow-same-namespace", "np-ops-default-deny",
        ]);
        expect(children).toContainEqual({ type: "kubernetes:crd.projectcalico.org/v1:GlobalNetworkPolicy", name: "np-calico-global-default-deny" });
        expect(np.globalPolicy).toBe("default.kube-baseline-default-deny");
    });

    test("NetworkPolicies: the Calico variant refuses another CNI", () => {
        expect(() => new NetworkPolicies("np-flannel", { namespaces: cfg.namespaces, networkPolicy: cfg.networkPolicy, cni: "flannel" }))
            .toThrow(/needs Calico/);
    });
});

describe("Identity", () => {
    const raw = {
        staticTokens: { allowed: true },
        users: [
            { name: "test", authentication: "x509", groups: ["ops"] },
            { name: "alice", authentication: "csr", groups: ["dev"] },
            { name: "wang", authentication: "token", uid: "1001", groups: ["dev"] },
        ],
        rbac: { clusterRoles: [{ name: "pods-viewer", template: "pods-viewer" }],
            roleBindings: [{ name: "wang-pods", namespace: "dev", roleRef: { kind: "ClusterRole", name: "pods-viewer" }, subjects: [{ kind: "User", name: "wang" }] }] },
        namespaces: [{ name: "dev" }],
    };

    test("wires every part under itself; kubeconfigs of all users secret, expiries plain; CA key read from the node", async () => {
        const id = new Identity("idn", { config: config(raw), cluster: CLUSTER, controlPlaneNodes: NODES, sshPrivateKey: SSH_KEY, cni: "flannel" });
        const kubeconfigs = await valueOf(id.kubeconfigs);
        await settled();
        expect(childrenOf("kube-baseline:identity:Identity", "idn").map(c => c.type).sort()).toEqual([
            "kube-baseline:identity:ClusterCaKey",
            "kube-baseline:identity:CsrApiUser",
            "kube-baseline:identity:Namespaces",
            "kube-baseline:identity:NetworkPolicies",
            "kube-baseline:identity:Rbac",
            "kube-baseline:identity:StaticTokens",
            "kube-baseline:identity:X509User",
        ]);
        expect(Object.keys(kubeconfigs).sort()).toEqual(["alice", "test", "wang"]);
        expect(await pulumi.isSecret(id.kubeconfigs)).toBe(true);
        expect(await valueOf(id.certificateExpiry)).toEqual({ test: "2126-10-29T17:13:16.000Z", alice: "2126-10-29T17:13:16.000Z" });
        expect(await pulumi.isSecret(id.certificateExpiry)).toBe(false);
        // The CA key was read over SSH from the first control-plane node and handed to the certificate, as a secret.
        expect(childrenOf("kube-baseline:identity:ClusterCaKey", "idn-ca-key")).toEqual([{ type: TYPES.command, name: "idn-ca-key-read" }]);
        expect(scriptOf(inputsOf("idn-ca-key-read").create)).toContain("cat '/etc/kubernetes/pki/ca.key'");
        // The key is the command's output: nothing of it is logged.
        expect(inputsOf("idn-ca-key-read").logging).toBe("none");
        expect(inputsOf("idn-x509-test-cert").caPrivateKeyPem).toBe(CA_KEY_PEM);
        expect(isSecretInput(rawInputsOf("idn-x509-test-cert").caPrivateKeyPem)).toBe(true);
        expect(id.namespaces).toEqual(["dev"]);
    });

    test("with the CA key in secret config, nothing is read from the node", async () => {
        const onlyX509 = { users: [{ name: "bob", authentication: "x509" }] };
        const id = new Identity("idk", { config: config(onlyX509), cluster: CLUSTER, controlPlaneNodes: NODES, sshPrivateKey: SSH_KEY, clusterCaKeyPem: pulumi.secret(CA_KEY_PEM) });
        await valueOf(id.kubeconfigs);
        await settled();
        expect(registered.some(r => r.name === "idk-ca-key-read")).toBe(false);
        expect(inputsOf("idk-x509-bob-cert").caPrivateKeyPem).toBe(CA_KEY_PEM);
        expect(registered.some(r => r.name.startsWith("idk-static-tokens"))).toBe(false);
    });
});
