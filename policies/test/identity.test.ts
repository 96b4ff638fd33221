import {
    identityCertificateValidity,
    identityKeyStrength,
    identityNoStaticTokens,
    identityNoSystemMastersCertificates,
} from "../rules/identity";
import { identityKindOf } from "../lib/identity";
import { execFileSync } from "child_process";
import { generateKeyPairSync } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { csrOrganizations } from "../lib/csrSubject";
import { runResource, UNKNOWN } from "./harness";

/** A CSR made by openssl (not by the program's own builder) with the given subject. */
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

const DYNAMIC = "pulumi-nodejs:dynamic:Resource";
// kube-baseline's dynamic resources name their module and type.
const KB_KEY = "pulumi-nodejs:dynamic/kube-baseline:PrivateKey";
const KB_CERT = "pulumi-nodejs:dynamic/kube-baseline:ClientCertificate";
const KB_TOKEN = "pulumi-nodejs:dynamic/kube-baseline:KubeadmToken";
const TLS_KEY = "tls:index/privateKey:PrivateKey";
const TLS_CERT = "tls:index/locallySignedCert:LocallySignedCert";
const TLS_CSR = "tls:index/certRequest:CertRequest";
const K8S_CSR = "kubernetes:certificates.k8s.io/v1:CertificateSigningRequest";
// Dynamic resources also carry their serialized provider; policies must not depend on it.
const provider = { __provider: "exports.handler = ..." };

describe("identityKindOf", () => {
    it("tells the program's dynamic resources apart by their props and name", () => {
        expect(identityKindOf(DYNAMIC, "alice-key", { ...provider, algorithm: "RSA", rsaBits: 2048 })).toBe("PrivateKey");
        expect(identityKindOf(DYNAMIC, "alice-cert", { ...provider, commonName: "alice", organizations: ["dev"], validityHours: 24 })).toBe("ClientCertificate");
        expect(identityKindOf(DYNAMIC, "bob-token", { ...provider, user: "bob" })).toBe("KubeadmToken");
        expect(identityKindOf(DYNAMIC, "node-sysctls", { ...provider, path: "/etc/sysctl.d" })).toBeUndefined();
        expect(identityKindOf("kubernetes:core/v1:Secret", "token", {})).toBeUndefined();
    });

    it("takes the kind from a typed dynamic resource's token", () => {
        expect(identityKindOf(KB_KEY, "a", {})).toBe("PrivateKey");
        expect(identityKindOf(KB_CERT, "a", {})).toBe("ClientCertificate");
        expect(identityKindOf(KB_TOKEN, "a", { keepers: {} })).toBe("KubeadmToken");
        expect(identityKindOf("pulumi-nodejs:dynamic/kube-baseline:SshHostKey", "host-key", { algorithm: "ED25519" })).toBeUndefined();
    });
});

describe("identity-key-strength", () => {
    const policy = identityKeyStrength();

    it("flags an RSA key below the floor (tls and the program's own)", async () => {
        expect(await runResource(policy, { type: TLS_KEY, props: { algorithm: "RSA", rsaBits: 1024 } })).toEqual([
            expect.stringMatching(/RSA key of 1024 bits is below the floor of 2048/),
        ]);
        expect(await runResource(policy, { type: DYNAMIC, name: "alice-key", props: { ...provider, algorithm: "RSA", rsaBits: 1024 } })).toHaveLength(1);
    });

    it("passes RSA 2048 and the tls default, and ED25519", async () => {
        expect(await runResource(policy, { type: TLS_KEY, props: { algorithm: "RSA", rsaBits: 4096 } })).toEqual([]);
        expect(await runResource(policy, { type: TLS_KEY, props: { algorithm: "RSA" } })).toEqual([]);
        expect(await runResource(policy, { type: TLS_KEY, props: { algorithm: "ED25519" } })).toEqual([]);
    });

    it("uses a configured floor, default bits included", async () => {
        const v = await runResource(policy, { type: TLS_KEY, props: { algorithm: "RSA" } }, { minRsaBits: 3072 });
        expect(v).toEqual([expect.stringMatching(/2048 bits \(unset: @pulumi\/tls's default\) is below the floor of 3072/)]);
    });

    it("flags ECDSA below P256, including an unset curve (tls defaults to P224)", async () => {
        expect(await runResource(policy, { type: TLS_KEY, props: { algorithm: "ECDSA", ecdsaCurve: "P224" } })).toHaveLength(1);
        expect(await runResource(policy, { type: TLS_KEY, props: { algorithm: "ECDSA" } })).toEqual([expect.stringMatching(/'P224' \(unset: @pulumi\/tls's default\)/)]);
        expect(await runResource(policy, { type: DYNAMIC, name: "k", props: { ...provider, algorithm: "ECDSA", ecdsaCurve: "P384" } })).toEqual([]);
    });

    it("applies kube-baseline's own defaults (RSA 4096, P256) to its typed PrivateKey, and judges unset fields of an untyped one only when set", async () => {
        expect(await runResource(policy, { type: KB_KEY, name: "alice", props: { ...provider, algorithm: "ECDSA" } })).toEqual([]);
        expect(await runResource(policy, { type: KB_KEY, name: "alice", props: { ...provider, algorithm: "RSA" } }, { minRsaBits: 4096 })).toEqual([]);
        expect(await runResource(policy, { type: KB_KEY, name: "alice", props: { ...provider, algorithm: "RSA", rsaBits: 1024 } })).toHaveLength(1);
        expect(await runResource(policy, { type: DYNAMIC, name: "k", props: { ...provider, algorithm: "ECDSA" } })).toEqual([]);
    });

    it("does not crash on unknown bits or algorithm", async () => {
        expect(await runResource(policy, { type: TLS_KEY, props: { algorithm: "RSA", rsaBits: UNKNOWN } })).toEqual([]);
        expect(await runResource(policy, { type: DYNAMIC, name: "k", props: { ...provider, algorithm: UNKNOWN, rsaBits: 512 } })).toEqual([]);
    });

    it("ignores dynamic resources that are not keys", async () => {
        expect(await runResource(policy, { type: DYNAMIC, name: "alice-cert", props: { ...provider, commonName: "alice", organizations: [], validityHours: 1 } })).toEqual([]);
    });
});

describe("identity-certificate-validity", () => {
    const policy = identityCertificateValidity();
    const cert = (validityHours: unknown) => ({ type: DYNAMIC, name: "alice-cert", props: { ...provider, commonName: "alice", organizations: ["dev"], validityHours } });

    it("flags a certificate longer than the ceiling (the manual's 3650 days)", async () => {
        expect(await runResource(policy, cert(87600))).toEqual([expect.stringMatching(/validity of 87600h exceeds the ceiling of 720h/)]);
    });

    it("checks kube-baseline's typed ClientCertificate", async () => {
        const typed = { type: KB_CERT, name: "alice", props: { ...provider, commonName: "alice", organizations: ["dev"], validityHours: 8760 } };
        expect(await runResource(policy, typed)).toHaveLength(1);
    });

    it("passes a short-lived certificate, and honours a configured ceiling", async () => {
        expect(await runResource(policy, cert(24))).toEqual([]);
        expect(await runResource(policy, cert(2000), { maxValidityHours: 2160 })).toEqual([]);
        expect(await runResource(policy, cert(2000), { maxValidityHours: 1000 })).toHaveLength(1);
    });

    it("checks tls client certificates and leaves server certificates alone", async () => {
        const tls = (uses: string[]) => ({ type: TLS_CERT, props: { validityPeriodHours: 8760, allowedUses: uses } });
        expect(await runResource(policy, tls(["digital_signature", "client_auth"]))).toHaveLength(1);
        expect(await runResource(policy, tls(["server_auth"]))).toEqual([]);
    });

    it("flags a CSR-API client certificate without expirationSeconds or above the ceiling", async () => {
        const csr = (spec: object) => ({ type: K8S_CSR, props: { metadata: { name: "alice" }, spec: { signerName: "kubernetes.io/kube-apiserver-client", usages: ["client auth"], ...spec } } });
        expect(await runResource(policy, csr({}))).toEqual([expect.stringMatching(/expirationSeconds is unset/)]);
        expect(await runResource(policy, csr({ expirationSeconds: 30 * 24 * 3600 + 1 }))).toHaveLength(1);
        expect(await runResource(policy, csr({ expirationSeconds: 86400 }))).toEqual([]);
    });

    it("ignores CSRs for other signers, and unknown validity", async () => {
        expect(await runResource(policy, { type: K8S_CSR, props: { spec: { signerName: "kubernetes.io/kubelet-serving" } } })).toEqual([]);
        expect(await runResource(policy, cert(UNKNOWN))).toEqual([]);
    });
});

describe("identity-no-system-masters-certificates", () => {
    const policy = identityNoSystemMastersCertificates();
    const cert = (organizations: unknown) => ({ type: DYNAMIC, name: "alice-cert", props: { ...provider, commonName: "alice", organizations, validityHours: 24 } });

    it("flags a certificate in system:masters", async () => {
        expect(await runResource(policy, cert(["dev", "system:masters"]))).toEqual([expect.stringMatching(/organization 'system:masters'/)]);
        expect(await runResource(policy, { ...cert(["system:masters"]), type: KB_CERT })).toHaveLength(1);
    });

    it("flags a tls CertRequest whose subject organization is system:masters", async () => {
        expect(await runResource(policy, { type: TLS_CSR, props: { subject: { commonName: "root", organization: "system:masters" } } })).toHaveLength(1);
        expect(await runResource(policy, { type: TLS_CSR, props: { subject: { commonName: "alice", organization: "dev" } } })).toEqual([]);
    });

    it("passes ordinary groups, and system:masters when breakGlass is set", async () => {
        expect(await runResource(policy, cert(["dev"]))).toEqual([]);
        expect(await runResource(policy, cert(["system:masters"]), { breakGlass: true })).toEqual([]);
    });

    it("does not crash on unknown organizations", async () => {
        expect(await runResource(policy, cert(UNKNOWN))).toEqual([]);
        expect(await runResource(policy, cert([UNKNOWN, "system:masters"]))).toHaveLength(1);
    });

    // kube-baseline builds its own CSRs (one O per group): tls.LocallySignedCert signs the subject of certRequestPem,
    // and a CSR-API user's node command carries the request on stdin.
    const masters = opensslCsr("/O=dev/O=system:masters/CN=mallory");
    const ordinary = opensslCsr("/O=dev/O=ops/CN=alice");
    it("reads every O of a CSR, whoever made it", () => {
        expect(csrOrganizations(masters)).toEqual(["dev", "system:masters"]);
        expect(csrOrganizations(ordinary)).toEqual(["dev", "ops"]);
        expect(csrOrganizations("no request here")).toEqual([]);
        expect(csrOrganizations("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----")).toBeUndefined();
    });

    it("flags a LocallySignedCert whose request asks for system:masters", async () => {
        expect(await runResource(policy, { type: TLS_CERT, name: "mallory-cert", props: { certRequestPem: masters } }))
            .toEqual([expect.stringMatching(/organization 'system:masters'/)]);
        expect(await runResource(policy, { type: TLS_CERT, name: "alice-cert", props: { certRequestPem: ordinary } })).toEqual([]);
        expect(await runResource(policy, { type: TLS_CERT, name: "later", props: { certRequestPem: UNKNOWN } })).toEqual([]);
    });

    it("flags a node command that hands the CSR API a request for system:masters", async () => {
        const command = (stdin: unknown) => ({ type: "command:remote:Command", name: "u-mallory-csr", props: { create: "sh -c ...", stdin } });
        expect(await runResource(policy, command(masters))).toEqual([expect.stringMatching(/Command 'u-mallory-csr'.*system:masters/)]);
        expect(await runResource(policy, command(ordinary))).toEqual([]);
        expect(await runResource(policy, command("token,user,1,dev\n"))).toEqual([]);
    });

    it("flags a request it cannot read rather than passing it", async () => {
        const broken = "-----BEGIN CERTIFICATE REQUEST-----\nMIIBAAAA\n-----END CERTIFICATE REQUEST-----";
        expect(await runResource(policy, { type: TLS_CERT, name: "odd", props: { certRequestPem: broken } }))
            .toEqual([expect.stringMatching(/cannot be read/)]);
    });
});

describe("identity-no-static-tokens", () => {
    const policy = identityNoStaticTokens();

    it("is advisory unless the pack config says otherwise", () => {
        expect(policy.enforcementLevel).toBe("advisory");
        expect(identityNoStaticTokens("mandatory").enforcementLevel).toBe("mandatory");
    });

    it("flags the StaticTokens component and each KubeadmToken, citing CIS 1.2.2", async () => {
        expect(await runResource(policy, { type: "kube-baseline:identity:StaticTokens", name: "tokens", props: {} })).toEqual([expect.stringMatching(/CIS 1\.2\.2/)]);
        expect(await runResource(policy, { type: DYNAMIC, name: "bob-token", props: { ...provider, user: "bob" } })).toHaveLength(1);
        expect(await runResource(policy, { type: KB_TOKEN, name: "bob", props: { ...provider, keepers: { user: "bob" } } })).toHaveLength(1);
    });

    it("flags a command that sets --token-auth-file", async () => {
        const cmd = (create: unknown) => ({ type: "command:remote:Command", name: "patch-apiserver", props: { create } });
        expect(await runResource(policy, cmd("sed -i 's|- kube-apiserver|- kube-apiserver\\n    - --token-auth-file=/etc/kubernetes/tokens/token.csv|' m.yaml"))).toHaveLength(1);
        expect(await runResource(policy, cmd("sysctl --system"))).toEqual([]);
        expect(await runResource(policy, cmd(UNKNOWN))).toEqual([]);
    });

    it("does not mistake a key or certificate for a token", async () => {
        expect(await runResource(policy, { type: DYNAMIC, name: "token-signer-key", props: { ...provider, algorithm: "ECDSA", ecdsaCurve: "P256" } })).toEqual([]);
    });
});
