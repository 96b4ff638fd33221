// The pack behind @pulumi/policy's own analyzer RPC handlers, fed protobuf requests shaped like the
// engine's: secrets arrive wrapped, unknowns as sentinels. This is the path `pulumi preview
// --policy-pack` takes, minus the CLI and the gRPC socket.

import { packPolicies } from "../pack";
import { secret, UNKNOWN } from "./harness";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const proto = require("@pulumi/pulumi/proto/analyzer_pb");
const server = require("@pulumi/policy/server");

const policies = packPolicies();
const analyze = server.makeAnalyzeRpcFun("kube-baseline", "0.1.0", "advisory", policies);
const analyzeStack = server.makeAnalyzeStackRpcFun("kube-baseline", "0.1.0", "advisory", policies);

interface Diagnostic {
    policy: string;
    message: string;
    mandatory: boolean;
}

function options(): any {
    const opts = new proto.AnalyzerResourceOptions();
    opts.setAdditionalsecretoutputsList([]);
    return opts;
}

function call(fn: (call: unknown, cb: (err: unknown, resp: any) => void) => void, request: unknown): Promise<Diagnostic[]> {
    return new Promise((resolve, reject) => {
        fn({ request }, (err, resp) => {
            if (err) return reject(err);
            resolve(resp.getDiagnosticsList().map((d: any) => ({
                policy: d.getPolicyname(),
                message: d.getMessage(),
                mandatory: d.getEnforcementlevel() === proto.EnforcementLevel.MANDATORY,
            })));
        });
    });
}

function resourceRequest(type: string, name: string, props: object): unknown {
    const req = new proto.AnalyzeRequest();
    req.setType(type);
    req.setName(name);
    req.setUrn(`urn:pulumi:dev::kube-baseline::${type}::${name}`);
    req.setProperties(Struct.fromJavaScript(props));
    req.setOptions(options());
    return req;
}

function stackRequest(resources: { type: string; name: string; props: object }[]): unknown {
    const req = new proto.AnalyzeStackRequest();
    req.setResourcesList(resources.map(r => {
        const res = new proto.AnalyzerResource();
        res.setType(r.type);
        res.setName(r.name);
        res.setUrn(`urn:pulumi:dev::kube-baseline::${r.type}::${r.name}`);
        res.setProperties(Struct.fromJavaScript(r.props));
        res.setOptions(options());
        return res;
    }));
    return req;
}

const STACK = "pulumi:pulumi:Stack";

describe("the pack behind @pulumi/policy's analyzer server", () => {
    it("fails a stack that exports a plaintext kubeconfig, and passes a secret one", async () => {
        const plaintext = await call(analyzeStack, stackRequest([{ type: STACK, name: "kube-baseline-dev", props: { kubeconfig: "apiVersion: v1\nkind: Config\n" } }]));
        expect(plaintext).toEqual([{ policy: "secret-outputs", message: expect.stringMatching(/Stack output 'kubeconfig'/), mandatory: true }]);
        const secretOne = await call(analyzeStack, stackRequest([{ type: STACK, name: "kube-baseline-dev", props: { kubeconfig: secret("apiVersion: v1\nkind: Config\n") } }]));
        expect(secretOne).toEqual([]);
    });

    it("reports a wildcard role as a mandatory violation of rbac-no-wildcards (and of what '*' verbs include)", async () => {
        const diagnostics = await call(analyze, resourceRequest("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "wide", {
            metadata: { name: "wide" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }],
        }));
        expect(diagnostics.map(d => [d.policy, d.mandatory])).toEqual([
            ["rbac-no-wildcards", true], ["rbac-no-escalation-verbs", true], ["rbac-no-workload-create", true],
        ]);
    });

    it("runs every policy on preview-time unknowns without a \"can't run\" note", async () => {
        const requests = [
            resourceRequest("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "r", { metadata: { name: UNKNOWN, labels: UNKNOWN }, rules: [{ apiGroups: UNKNOWN, resources: [UNKNOWN], verbs: ["get"] }] }),
            resourceRequest("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "b", { metadata: { name: "b" }, roleRef: UNKNOWN, subjects: UNKNOWN }),
            resourceRequest("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "apps", labels: { "pod-security.kubernetes.io/enforce": UNKNOWN } } }),
            resourceRequest("kubernetes:core/v1:ServiceAccount", "sa", { metadata: { name: UNKNOWN }, automountServiceAccountToken: UNKNOWN }),
            resourceRequest("kubernetes:crd.projectcalico.org/v1:IPPool", "pool", { metadata: { name: "p" }, spec: { cidr: UNKNOWN, blockSize: UNKNOWN } }),
            resourceRequest("kubernetes:core/v1:NodePatch", "node", { metadata: { name: "n", annotations: UNKNOWN } }),
            resourceRequest("pulumi-nodejs:dynamic:Resource", "alice-key", { algorithm: "RSA", rsaBits: UNKNOWN }),
            resourceRequest("pulumi-nodejs:dynamic:Resource", "alice-cert", { commonName: "alice", organizations: UNKNOWN, validityHours: UNKNOWN }),
            resourceRequest("kubernetes:certificates.k8s.io/v1:CertificateSigningRequest", "csr", { spec: UNKNOWN }),
        ];
        for (const request of requests) expect(await call(analyze, request)).toEqual([]);
        const stack = await call(analyzeStack, stackRequest([
            { type: STACK, name: "s", props: { kubeconfig: secret(UNKNOWN), endpoint: UNKNOWN } },
            { type: "kubernetes:core/v1:Namespace", name: "ns", props: { metadata: { name: UNKNOWN, labels: UNKNOWN } } },
            { type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", name: "np", props: { metadata: { namespace: UNKNOWN }, spec: UNKNOWN } },
            { type: "kubernetes:core/v1:Pod", name: "pod", props: { metadata: { namespace: UNKNOWN }, spec: UNKNOWN } },
            { type: "kubernetes:crd.projectcalico.org/v1:BGPConfiguration", name: "bgp", props: { metadata: { name: "default" }, spec: { nodeToNodeMeshEnabled: UNKNOWN } } },
            { type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", name: "agg", props: { metadata: { name: "agg" }, aggregationRule: { clusterRoleSelectors: UNKNOWN } } },
            { type: "kubernetes:core/v1:Secret", name: "token", props: { metadata: { name: "t", namespace: UNKNOWN }, type: UNKNOWN } },
            { type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", name: "rb", props: { metadata: { name: "rb", namespace: UNKNOWN }, roleRef: { kind: "ClusterRole", name: "edit" } } },
            { type: "kubernetes:rbac.authorization.k8s.io/v1:Role", name: "role", props: { metadata: { name: "r", namespace: "kube-system" }, rules: [{ apiGroups: [""], resources: UNKNOWN, verbs: ["get"] }] } },
        ]));
        expect(stack).toEqual([]);
    });
});
