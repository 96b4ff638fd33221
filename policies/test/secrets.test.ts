import { installSecretMarks, secretPathsOf } from "../lib/secretMarks";
import { secretOutputs } from "../rules/secrets";
import { fakePem } from "../../test/unit/fakeSecrets";
import { runStack, secret, UNKNOWN, urnFor } from "./harness";

const STACK = "pulumi:pulumi:Stack";
const DYNAMIC = "pulumi-nodejs:dynamic:Resource";

// Building the policy installs the seam that records which values were secret on the wire.
const policy = secretOutputs();
const stack = (outputs: object) => ({ type: STACK, name: "kube-baseline-dev", props: outputs });
// Fake credentials built at run time: the source holds no key-shaped text for a secret scanner to flag.
const PRIVATE_KEY_PEM = fakePem("RSA PRIVATE KEY");
const KUBECONFIG = `apiVersion: v1\nkind: Config\nusers:\n- name: alice\n  user:\n    client-key-data: ${Buffer.from(PRIVATE_KEY_PEM).toString("base64")}\n`;

describe("secret-outputs", () => {
    it("flags a plaintext kubeconfig stack output", async () => {
        const result = await runStack(policy, [stack({ apiEndpoint: "https://127.0.0.1:6443", kubeconfig: KUBECONFIG })]);
        expect(result.violations).toEqual([{
            message: expect.stringMatching(/Stack output 'kubeconfig' holds a credential in plaintext/),
            urn: urnFor(STACK, "kube-baseline-dev"),
        }]);
    });

    it("passes secret kubeconfigs and tokens, whole maps or leaf by leaf", async () => {
        const outputs = {
            apiEndpoint: "https://127.0.0.1:6443",
            kubeconfig: secret(KUBECONFIG),
            kubeconfigs: secret({ alice: KUBECONFIG, bob: KUBECONFIG }),
            users: [{ name: "carol", token: secret("abcdef.0123456789abcdef") }],
        };
        expect((await runStack(policy, [stack(outputs)])).violations).toEqual([]);
    });

    it("names each plaintext leaf under a sensitive key", async () => {
        const outputs = { kubeconfigs: { alice: secret(KUBECONFIG), bob: KUBECONFIG }, users: [{ name: "carol", token: "abcdef.0123456789abcdef" }] };
        const messages = (await runStack(policy, [stack(outputs)])).violations.map(v => v.message);
        expect(messages).toEqual([
            expect.stringMatching(/'kubeconfigs\.bob'/),
            expect.stringMatching(/'users\.0\.token'/),
        ]);
    });

    it("does not judge a value not known yet at preview (it is judged at update time)", async () => {
        // Unknown at preview: judged at update time, when the value is known.
        expect((await runStack(policy, [stack({ kubeconfig: UNKNOWN })])).violations).toEqual([]);
        expect((await runStack(policy, [stack({ kubeconfig: secret(UNKNOWN) })])).violations).toEqual([]);
    });

    it("ignores non-secret look-alikes: file paths, booleans, exempt keys, other outputs", async () => {
        const outputs = { kubeconfigPath: "/home/ci/.kube/config", automountServiceAccountToken: false, tokenTtl: 3600, namespaces: ["apps"], caCertificate: "-----BEGIN CERTIFICATE-----" };
        expect((await runStack(policy, [stack(outputs)])).violations).toEqual([]);
        expect((await runStack(policy, [stack({ bootstrapToken: "abc" })], { exemptKeys: ["bootstrapToken"] })).violations).toEqual([]);
    });

    it("checks component outputs, dynamic resources and Kubernetes providers, not other resources", async () => {
        const component = { type: "kube-baseline:identity:X509User", name: "alice", props: { kubeconfig: KUBECONFIG } };
        const key = { type: DYNAMIC, name: "alice-key", props: { algorithm: "RSA", rsaBits: 2048, privateKeyPem: PRIVATE_KEY_PEM } };
        const provider = { type: "pulumi:providers:kubernetes", name: "cluster", props: { kubeconfig: KUBECONFIG } };
        const configMap = { type: "kubernetes:core/v1:ConfigMap", name: "kube-proxy", props: { data: { "kubeconfig.conf": "apiVersion: v1" } } };
        const result = await runStack(policy, [component, key, provider, configMap]);
        expect(result.violations.map(v => v.urn)).toEqual([
            urnFor(component.type, "alice"),
            urnFor(DYNAMIC, "alice-key"),
            urnFor(provider.type, "cluster"),
        ]);
        const secured = [{ ...key, props: { ...key.props, privateKeyPem: secret(PRIVATE_KEY_PEM) } }];
        expect((await runStack(policy, secured)).violations).toEqual([]);
        // kube-baseline's typed dynamic resources: the token must be secret, its public id need not be.
        const token = (value: unknown) => ({ type: "pulumi-nodejs:dynamic/kube-baseline:KubeadmToken", name: "bob", props: { keepers: {}, tokenId: "abcdef", token: value } });
        expect((await runStack(policy, [token(secret("abcdef.0123456789abcdef"))])).violations).toEqual([]);
        expect((await runStack(policy, [token("abcdef.0123456789abcdef")])).violations.map(v => v.message)).toEqual([
            expect.stringMatching(/Output of KubeadmToken 'bob' 'token'/),
        ]);
    });

    it("reports itself not applicable when secretness cannot be seen", async () => {
        const result = await runStack(policy, [{ ...stack({ kubeconfig: KUBECONFIG }), bypassDeserializer: true }]);
        expect(result.violations).toEqual([]);
        expect(result.notApplicable).toMatch(/cannot|does not/);
    });
});

describe("secret marks", () => {
    it("records the outermost secret paths of a wire-format property bag", () => {
        const wire = { a: secret({ b: "x" }), list: ["plain", secret("y")], plain: { c: 1 } };
        expect([...secretPathsOf(wire)].sort()).toEqual([JSON.stringify(["a"]), JSON.stringify(["list", "1"])].sort());
    });

    it("installs once on @pulumi/policy's deserializer", () => {
        expect(installSecretMarks()).toBe(true);
        expect(installSecretMarks()).toBe(true);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const module = require("@pulumi/policy/deserialize");
        const first = module.deserializeProperties;
        installSecretMarks();
        expect(module.deserializeProperties).toBe(first);
    });
});
