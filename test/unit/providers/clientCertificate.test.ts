import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import * as crypto from "crypto";
import {
  ClientCertificateInputs,
  ClientCertificateState,
  clientCertificateProvider,
  issueClientCertificate,
} from "../../../providers/clientCertificate";

x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);
const subtle = crypto.webcrypto.subtle;
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

type CaKind = "RSA" | "P256" | "P384";

interface TestCa {
  caCertPem: string;
  caKeyPem: string;
  cert: x509.X509Certificate;
}

/** A CA like kubeadm's: self-signed, CA:TRUE, keyCertSign; its key in the legacy PEM form kubeadm writes. */
async function makeCa(kind: CaKind, name: string, withSubjectKeyId = true): Promise<TestCa> {
  const alg =
    kind === "RSA"
      ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 }
      : { name: "ECDSA", namedCurve: kind === "P256" ? "P-256" : "P-384", hash: kind === "P256" ? "SHA-256" : "SHA-384" };
  const keys = (await subtle.generateKey(alg, true, ["sign", "verify"])) as unknown as CryptoKeyPair;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
  ];
  if (withSubjectKeyId) {
    extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  }
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 10 * 365 * 24 * 3600_000),
    keys,
    signingAlgorithm: alg,
    extensions,
  });
  const pkcs8 = Buffer.from(await subtle.exportKey("pkcs8", keys.privateKey as unknown as crypto.webcrypto.CryptoKey));
  const keyObject = crypto.createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  const caKeyPem = keyObject.export({ type: kind === "RSA" ? "pkcs1" : "sec1", format: "pem" }).toString();
  return { caCertPem: cert.toString("pem"), caKeyPem, cert };
}

function clientKey(type: "rsa" | "ec" | "ed25519"): string {
  const pair =
    type === "rsa"
      ? crypto.generateKeyPairSync("rsa", { modulusLength: 2048 })
      : type === "ec"
        ? crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" })
        : crypto.generateKeyPairSync("ed25519");
  return pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

/** The raw DER of a TLV element and the elements inside it (just enough DER to find tbsCertificate fields). */
function derChildren(der: Buffer): Buffer[] {
  const children: Buffer[] = [];
  const header = (buf: Buffer, at: number) => {
    let length = buf[at + 1];
    let offset = at + 2;
    if (length & 0x80) {
      const n = length & 0x7f;
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + buf[offset + i];
      offset += n;
    }
    return { offset, end: offset + length };
  };
  const outer = header(der, 0);
  for (let at = outer.offset; at < outer.end; ) {
    const { end } = header(der, at);
    children.push(der.subarray(at, end));
    at = end;
  }
  return children;
}

function rawNames(certDer: Buffer): { issuer: Buffer; subject: Buffer } {
  const tbs = derChildren(derChildren(certDer)[0]);
  const base = tbs[0][0] === 0xa0 ? 1 : 0; // explicit [0] version
  return { issuer: tbs[base + 2], subject: tbs[base + 4] };
}

function inputs(ca: TestCa, privateKeyPem: string, overrides: Partial<ClientCertificateInputs> = {}): ClientCertificateInputs {
  return {
    privateKeyPem,
    commonName: "jane",
    organizations: ["app1", "ops"],
    caCertPem: ca.caCertPem,
    caKeyPem: ca.caKeyPem,
    validityHours: 24,
    ...overrides,
  };
}

async function create(request: ClientCertificateInputs): Promise<{ id: string; outs: ClientCertificateState }> {
  return (await clientCertificateProvider.create(request)) as { id: string; outs: ClientCertificateState };
}

let rsaCa: TestCa;
let ecCa: TestCa;

beforeAll(async () => {
  rsaCa = await makeCa("RSA", "CN=kubernetes");
  ecCa = await makeCa("P256", "CN=kubernetes-ec");
}, 60_000);

describe("ClientCertificate provider: the issued certificate", () => {
  test.each([
    ["RSA CA, RSA client key", () => rsaCa, "rsa" as const],
    ["RSA CA, ECDSA client key", () => rsaCa, "ec" as const],
    ["ECDSA CA, ED25519 client key", () => ecCa, "ed25519" as const],
  ])("%s: CN/O subject, issued and signed by the CA, client auth only", async (_label, getCa, keyType) => {
    const ca = getCa();
    const key = clientKey(keyType);
    const { id, outs } = await create(inputs(ca, key));

    const cert = new crypto.X509Certificate(outs.certPem);
    const caCert = new crypto.X509Certificate(ca.caCertPem);
    expect(cert.subject).toBe("CN=jane\nO=app1\nO=ops");
    expect(cert.issuer).toBe(caCert.subject);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]); // Node lists the extended key usages here
    expect(cert.publicKey.export({ type: "spki", format: "pem" })).toBe(outs.publicKeyPem);
    expect(crypto.createPublicKey(key).export({ type: "spki", format: "pem" })).toBe(outs.publicKeyPem);
    expect(id).toBe(outs.serialNumber);
    expect(BigInt(`0x${cert.serialNumber}`)).toBe(BigInt(`0x${outs.serialNumber}`));

    const parsed = new x509.X509Certificate(outs.certPem);
    const keyUsage = parsed.getExtension(x509.KeyUsagesExtension);
    const expectedUsage =
      x509.KeyUsageFlags.digitalSignature | (keyType === "rsa" ? x509.KeyUsageFlags.keyEncipherment : 0);
    expect(keyUsage?.usages).toBe(expectedUsage);
    expect(keyUsage?.critical).toBe(true);
    const basic = parsed.getExtension(x509.BasicConstraintsExtension);
    expect(basic?.ca).toBe(false);
    expect(basic?.critical).toBe(true);
    const caKeyId = ca.cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    expect(caKeyId).toBeDefined();
    expect(parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(caKeyId);
  });

  test("the CSR carries the subject and the client's key and is self-consistent", async () => {
    const key = clientKey("ec");
    const { outs } = await create(inputs(rsaCa, key));
    const csr = new x509.Pkcs10CertificateRequest(outs.csrPem);
    expect(await csr.verify()).toBe(true);
    expect(csr.subject).toBe("CN=jane, O=app1, O=ops");
    const csrKey = crypto.createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: "der", type: "spki" });
    expect(csrKey.export({ type: "spki", format: "pem" })).toBe(outs.publicKeyPem);
  });

  test("the issuer is the CA's subject byte for byte (Go matches parents by raw name)", async () => {
    const ca = await makeCa("P384", "C=CN, O=Acme Ltd, CN=集群 CA", true);
    const { outs } = await create(inputs(ca, clientKey("ec"), { organizations: ["system:masters"] }));
    const caNames = rawNames(Buffer.from(ca.cert.rawData));
    const leafNames = rawNames(new crypto.X509Certificate(outs.certPem).raw);
    expect(leafNames.issuer.equals(caNames.subject)).toBe(true);
    expect(new crypto.X509Certificate(outs.certPem).verify(new crypto.X509Certificate(ca.caCertPem).publicKey)).toBe(true);
  }, 30_000);

  test("without a CA subject key id, the authority key id is the SHA-1 of the CA public key", async () => {
    const ca = await makeCa("P256", "CN=no-ski", false);
    const { outs } = await create(inputs(ca, clientKey("ec")));
    const expected = Buffer.from(await ca.cert.publicKey.getKeyIdentifier()).toString("hex");
    expect(new x509.X509Certificate(outs.certPem).getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(expected);
  });

  test("validity: from now minus 5 minutes to now plus validityHours, notAfter output is the certificate's", async () => {
    const now = new Date("2030-01-02T03:04:05.678Z");
    const issued = await issueClientCertificate({ ...inputs(ecCa, clientKey("ec")), organizations: ["dev"], validityHours: 2 }, now);
    expect(issued.notBefore).toBe("2030-01-02T02:59:05.000Z");
    expect(issued.notAfter).toBe("2030-01-02T05:04:05.000Z");
    const cert = new crypto.X509Certificate(issued.certPem);
    expect(new Date(cert.validFrom).toISOString()).toBe(issued.notBefore);
    expect(new Date(cert.validTo).toISOString()).toBe(issued.notAfter);
  });

  test("notAfter of a created certificate is validityHours from now", async () => {
    const before = Date.now();
    const { outs } = await create(inputs(ecCa, clientKey("ec"), { validityHours: 8 }));
    const notAfter = Date.parse(outs.notAfter);
    expect(notAfter).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 8 * 3600_000);
    expect(notAfter).toBeLessThanOrEqual(Date.now() + 8 * 3600_000);
  });

  test("serial numbers are random and positive", async () => {
    const key = clientKey("ec");
    const a = await create(inputs(ecCa, key));
    const b = await create(inputs(ecCa, key));
    expect(a.outs.serialNumber).not.toBe(b.outs.serialNumber);
    for (const s of [a.outs.serialNumber, b.outs.serialNumber]) {
      expect(s).toMatch(/^[4-7][0-9a-f]{31}$/);
    }
  });

  test("the stored state holds no private key", async () => {
    const key = clientKey("ec");
    const { outs } = await create(inputs(rsaCa, key));
    const state = JSON.stringify(outs);
    expect(state).not.toContain("PRIVATE KEY");
    expect(state).not.toContain(key.split("\n")[1]);
    expect(state).not.toContain(rsaCa.caKeyPem.split("\n")[1]);
  });

  test("refuses a CA key that does not belong to the CA certificate", async () => {
    await expect(create(inputs(rsaCa, clientKey("ec"), { caKeyPem: ecCa.caKeyPem }))).rejects.toThrow(
      /caKeyPem is not the private key of caCertPem/,
    );
  });
});

describe("ClientCertificate provider: check", () => {
  test("valid inputs pass", async () => {
    const result = await clientCertificateProvider.check!({}, inputs(rsaCa, clientKey("ec")));
    expect(result.failures).toEqual([]);
  });

  test("reports the subject, validity, key and CA problems, without key material", async () => {
    const notCa = (await create(inputs(ecCa, clientKey("ec")))).outs.certPem;
    const key = clientKey("ec");
    const result = await clientCertificateProvider.check!(
      {},
      inputs(rsaCa, "not a key", { commonName: "", validityHours: 0, caCertPem: notCa, caKeyPem: key }),
    );
    const failures = result.failures ?? [];
    expect(failures.map((f) => f.property).sort()).toEqual(["", "", "commonName", "validityHours"]);
    expect(JSON.stringify(failures)).not.toContain(key.split("\n")[1]);
    expect(failures.find((f) => f.reason.startsWith("caKeyPem:"))?.reason).toMatch(/not a CA certificate/);
    expect(failures.find((f) => f.reason.startsWith("privateKeyPem:"))?.reason).toMatch(/not a usable private key/);
  });

  test("failures about the secret keys name no property (the engine would print that input's value)", async () => {
    const result = await clientCertificateProvider.check!({}, inputs(rsaCa, "not a key", { caKeyPem: ecCa.caKeyPem }));
    const failures = result.failures ?? [];
    expect(failures).toHaveLength(2);
    for (const f of failures) {
      expect(f.property).toBe("");
    }
    expect(failures.map((f) => f.reason.split(":")[0]).sort()).toEqual(["caKeyPem", "privateKeyPem"]);
  });

  test("does not judge values not known yet (preview)", async () => {
    const result = await clientCertificateProvider.check!({}, { ...inputs(rsaCa, UNKNOWN), caKeyPem: UNKNOWN, commonName: UNKNOWN });
    expect(result.failures).toEqual([]);
  });
});

describe("ClientCertificate provider: diff", () => {
  let key: string;
  let state: ClientCertificateState;
  beforeAll(async () => {
    key = clientKey("ec");
    state = (await create(inputs(rsaCa, key))).outs;
  });

  test("the same inputs again change nothing (second `pulumi up` is a no-op)", async () => {
    expect(await clientCertificateProvider.diff!("id", { ...state, __provider: "p" }, { ...inputs(rsaCa, key), __provider: "p" })).toEqual({
      changes: false,
      replaces: [],
    });
  });

  test("the same PEMs with other line endings or key encoding change nothing", async () => {
    const pkcs1Key = crypto.createPrivateKey(key).export({ type: "sec1", format: "pem" }).toString();
    const news = inputs(rsaCa, pkcs1Key.replace(/\n/g, "\r\n"), { caCertPem: `${rsaCa.caCertPem.replace(/\n/g, "\r\n")}\n` });
    expect(await clientCertificateProvider.diff!("id", state, news)).toMatchObject({ changes: false });
  });

  test.each<[string, (ca: TestCa) => Partial<ClientCertificateInputs>]>([
    ["commonName", () => ({ commonName: "john" })],
    ["organizations", () => ({ organizations: ["ops", "app1"] })],
    ["validityHours", () => ({ validityHours: 48 })],
    ["caCertPem", () => ({ caCertPem: ecCa.caCertPem, caKeyPem: ecCa.caKeyPem })],
    ["privateKeyPem", () => ({ privateKeyPem: clientKey("ec") })],
    ["privateKeyPem", () => ({ privateKeyPem: UNKNOWN })],
  ])("a change of %s replaces the certificate", async (property, change) => {
    const result = await clientCertificateProvider.diff!("id", state, { ...inputs(rsaCa, key), ...change(rsaCa) });
    expect(result).toEqual({ changes: true, replaces: [property] });
  });
});
