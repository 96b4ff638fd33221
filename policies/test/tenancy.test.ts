import { execFileSync } from "child_process";
import { generateKeyPairSync } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { csrSubjects } from "../lib/csrSubject";
import { kubernetesKind, urnTypeChain } from "../lib/tenant";
import { CSR_API_USER_TYPE, tenantStaysInItsNamespaces } from "../rules/tenancy";
import { runStack, TestResource, UNKNOWN, urnFor } from "./harness";

const policy = tenantStaysInItsNamespaces();
const STACK = "pulumi:pulumi:Stack";
const IDENTITY = "kube-baseline:identity:Identity";
const TENANT = { name: "team-a", baselineStack: "organization/kube-baseline/base", namespaces: ["a-dev", "a-prod"], clusterRoles: ["pods-viewer"], identityPrefix: "team-a:" };
const stack = (tenant: unknown = TENANT): TestResource => ({ type: STACK, name: "kube-baseline-team-a", props: { apiServerUrl: "https://192.0.2.10:6443", tenant } });

const ns = (name: string, type = "kubernetes:core/v1:Namespace"): TestResource => ({ type, name: `ns-${name}`, props: { metadata: { name } } });
const inNamespace = (type: string, name: string, namespace: unknown, extra: object = {}): TestResource =>
    ({ type, name, props: { metadata: { name, ...(namespace === undefined ? {} : { namespace }) }, ...extra } });
const roleBinding = (namespace: string, roleRef: object) => inNamespace("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "devs", namespace, { roleRef, subjects: [] });

function opensslCsr(subject: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kb-csr-"));
    try {
        const key = path.join(dir, "key.pem");
        fs.writeFileSync(key, generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }));
        return execFileSync("openssl", ["req", "-new", "-key", key, "-subj", subject, "-utf8"], { encoding: "utf8" });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
/** kube-baseline's CSR-API approval command: a child of CsrApiUser, the request on stdin. */
const approval = (stdin: unknown, parents = [IDENTITY, CSR_API_USER_TYPE]): TestResource =>
    ({ type: "command:remote:Command", name: "identity-csr-team-a_alice-csr", parents, props: { create: "sh -c '...'", stdin } });

async function violations(...resources: TestResource[]): Promise<string[]> {
    const result = await runStack(policy, [stack(), ...resources]);
    return result.violations.map(v => v.message);
}

describe("tenant-stays-in-its-namespaces", () => {
    it("passes what kube-baseline's tenant program makes: its namespaces, objects in them, allowed bindings, its CSR approvals", async () => {
        expect(await violations(
            ns("a-dev"), ns("a-prod"),
            inNamespace("kubernetes:networking.k8s.io/v1:NetworkPolicy", "default-deny", "a-dev"),
            inNamespace("kubernetes:core/v1:ServiceAccount", "app", "a-prod"),
            inNamespace("kubernetes:core/v1:Secret", "app-token", "a-prod"),
            inNamespace("kubernetes:rbac.authorization.k8s.io/v1:Role", "reader", "a-dev"),
            roleBinding("a-dev", { kind: "ClusterRole", name: "pods-viewer", apiGroup: "rbac.authorization.k8s.io" }),
            roleBinding("a-prod", { kind: "Role", name: "reader" }),
            approval(opensslCsr("/O=team-a:devs/CN=team-a:alice")),
            { type: "tls:index/privateKey:PrivateKey", name: "key", props: { algorithm: "ECDSA" } },
            { type: "pulumi:providers:kubernetes", name: "cluster", props: {} },
            { type: "pulumi:pulumi:StackReference", name: "baseline", props: { name: "base" } },
        )).toEqual([]);
    });

    it.each([
        ["another tenant's namespace", ns("b-dev"), /Namespace 'b-dev' is not one of tenant team-a's namespaces \(a-dev, a-prod\)/],
        ["a patch of a namespace not its own", ns("kube-system", "kubernetes:core/v1:NamespacePatch"), /NamespacePatch 'kube-system' is not one of tenant team-a's/],
        ["an object in another namespace", inNamespace("kubernetes:core/v1:ConfigMap", "cm", "b-dev"), /ConfigMap 'cm' is in namespace 'b-dev', not one of tenant team-a's/],
        ["an object with no namespace (it lands in default)", inNamespace("kubernetes:apps/v1:Deployment", "web", undefined), /Deployment 'web' is in namespace 'default'/],
        ["a ClusterRole", inNamespace("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "mine", undefined), /ClusterRole 'mine' is cluster-scoped/],
        ["a ClusterRoleBinding, even with a namespace set", inNamespace("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "x", "a-dev"), /ClusterRoleBinding 'x' is cluster-scoped/],
        ["a CRD", inNamespace("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "things.example.com", undefined), /cluster-scoped/],
        ["a webhook", inNamespace("kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration", "hook", undefined), /cluster-scoped/],
        ["a Calico GlobalNetworkPolicy", inNamespace("kubernetes:crd.projectcalico.org/v1:GlobalNetworkPolicy", "allow-all", undefined), /cluster-scoped/],
        ["a node label patch", inNamespace("kubernetes:core/v1:NodePatch", "w1", undefined), /NodePatch 'w1' is cluster-scoped/],
        ["a RoleBinding to a ClusterRole the baseline does not allow", roleBinding("a-dev", { kind: "ClusterRole", name: "admin" }),
            /RoleBinding 'devs' binds ClusterRole 'admin', which the baseline does not let tenant team-a bind \(allowed: pods-viewer\)/],
        ["a Helm release", inNamespace("kubernetes:helm.sh/v3:Release", "app", "a-dev"), /installs whatever its chart holds/],
        ["a certificate signed with the CA key", { type: "tls:index/locallySignedCert:LocallySignedCert", name: "cert", props: {} }, /signs with the cluster CA's private key/],
        ["the CA key read", { type: "kube-baseline:identity:ClusterCaKey", name: "ca", props: {} }, /signs with the cluster CA's private key/],
        ["static tokens", { type: "kube-baseline:identity:StaticTokens", name: "tokens", props: {} }, /patches the kube-apiserver/],
        ["a node command of its own", { type: "command:remote:Command", name: "sysctl", props: { create: "sysctl -w x=1" } }, /runs a command on a node/],
        ["a node command dressed as another component's", approval("", [IDENTITY, "kube-baseline:network:NodeKernel"]), /runs a command on a node/],
    ])("fails %s", async (_, resource, message) => {
        const found = await runStack(policy, [stack(), resource]);
        expect(found.violations).toEqual([{ message: expect.stringMatching(message), urn: expect.stringContaining(resource.type) }]);
    });

    it("fails a CSR approval for a user or group outside the tenant's prefix", async () => {
        expect(await violations(approval(opensslCsr("/O=team-a:devs/O=ops/CN=team-b:bob")))).toEqual([
            expect.stringMatching(/issues a certificate for user 'team-b:bob', outside the tenant's prefix 'team-a:'/),
            expect.stringMatching(/issues a certificate in group 'ops', outside the tenant's prefix/),
        ]);
        expect(await violations(approval("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----"))).toEqual([expect.stringMatching(/cannot be read/)]);
    });

    it("judges nothing that is not known yet", async () => {
        expect(await violations(approval(UNKNOWN), inNamespace("kubernetes:core/v1:ConfigMap", "cm", UNKNOWN), ns(UNKNOWN),
            roleBinding("a-dev", { kind: "ClusterRole", name: UNKNOWN }))).toEqual([]);
        expect((await runStack(policy, [stack(UNKNOWN), ns("b-dev")])).violations).toEqual([]);
    });

    it("leaves stacks that are no tenant stack alone, unless the pack config is for tenant stacks", async () => {
        const baseline = { type: STACK, name: "kube-baseline-dev", props: { apiServerUrl: "https://192.0.2.10:6443" } };
        const clusterRole = inNamespace("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "pods-viewer", undefined);
        expect((await runStack(policy, [baseline, clusterRole])).violations).toEqual([]);
        expect((await runStack(policy, [baseline, clusterRole], { requireTenantOutput: true })).violations)
            .toEqual([{ message: expect.stringMatching(/exports no 'tenant' output, but the pack config is for tenant stacks/), urn: undefined }]);
    });

    it("reads a resource's kind and its parents from type tokens and URNs", () => {
        expect(kubernetesKind("kubernetes:core/v1:NamespacePatch")).toEqual({ group: "core", kind: "Namespace", patch: true });
        expect(kubernetesKind("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")).toEqual({ group: "rbac.authorization.k8s.io", kind: "RoleBinding", patch: false });
        expect(kubernetesKind("kubernetes:yaml/v2:ConfigGroup")).toBeUndefined();
        expect(kubernetesKind("tls:index/privateKey:PrivateKey")).toBeUndefined();
        expect(urnTypeChain(urnFor("command:remote:Command", "c", [IDENTITY, CSR_API_USER_TYPE]))).toEqual([IDENTITY, CSR_API_USER_TYPE, "command:remote:Command"]);
        expect(csrSubjects(opensslCsr("/O=a:x/O=a:y/CN=a:me"))).toEqual({ commonNames: ["a:me"], organizations: ["a:x", "a:y"] });
    });
});
