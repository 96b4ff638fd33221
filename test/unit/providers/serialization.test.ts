// Pulumi stores each dynamic provider as serialized code (the `__provider` input) and the provider host
// re-creates it with require-from-string. These tests go through the same round trip and use the copy.
import "reflect-metadata";
import * as pulumi from "@pulumi/pulumi";
import * as x509 from "@peculiar/x509";
import * as crypto from "crypto";
import * as net from "net";
import { clientCertificateProvider } from "../../../providers/clientCertificate";
import { kubeadmTokenProvider } from "../../../providers/kubeadmToken";
import { privateKeyProvider } from "../../../providers/privateKey";
import { remoteCommandProvider } from "../../../providers/remoteCommand";

const requireFromString = require("require-from-string") as (code: string) => { handler(): pulumi.dynamic.ResourceProvider };

interface RoundTrip {
  text: string;
  containsSecrets: boolean;
  provider: pulumi.dynamic.ResourceProvider;
}

async function roundTrip(provider: pulumi.dynamic.ResourceProvider): Promise<RoundTrip> {
  // The same call and options as @pulumi/pulumi's dynamic.Resource.
  const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return { text: serialized.text, containsSecrets: serialized.containsSecrets, provider: requireFromString(serialized.text).handler() };
}

describe.each([
  ["PrivateKey", privateKeyProvider],
  ["ClientCertificate", clientCertificateProvider],
  ["KubeadmToken", kubeadmTokenProvider],
  ["RemoteCommand", remoteCommandProvider],
])("%s provider serialization", (_name, provider) => {
  test("captures no secret and no Pulumi SDK, only required libraries", async () => {
    const { text, containsSecrets } = await roundTrip(provider);
    expect(containsSecrets).toBe(false);
    expect(text).not.toMatch(/@pulumi\/pulumi/);
    expect(text).not.toMatch(/PRIVATE KEY-----\\n[A-Za-z0-9+/]/);
  }, 60_000);
});

test("a deserialized KubeadmToken provider creates tokens", async () => {
  const { provider } = await roundTrip(kubeadmTokenProvider);
  const { outs } = await provider.create({});
  expect(outs.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
}, 60_000);

test("a deserialized PrivateKey provider generates keys and diffs", async () => {
  const { provider } = await roundTrip(privateKeyProvider);
  const { outs } = await provider.create({ algorithm: "ED25519" });
  expect(crypto.createPrivateKey(outs.privateKeyPem).asymmetricKeyType).toBe("ed25519");
  expect(await provider.diff!("id", outs, { algorithm: "ED25519" })).toMatchObject({ changes: false });
}, 60_000);

test("a deserialized ClientCertificate provider signs with @peculiar/x509", async () => {
  x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = (await crypto.webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as unknown as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=kubernetes",
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const pkcs8 = Buffer.from(await crypto.webcrypto.subtle.exportKey("pkcs8", keys.privateKey as unknown as crypto.webcrypto.CryptoKey));
  const caKeyPem = crypto.createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }).export({ type: "sec1", format: "pem" }).toString();
  const clientKey = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

  const { provider } = await roundTrip(clientCertificateProvider);
  const { outs } = await provider.create({
    privateKeyPem: clientKey,
    commonName: "jane",
    organizations: ["dev"],
    caCertPem: ca.toString("pem"),
    caKeyPem,
    validityHours: 1,
  });
  const cert = new crypto.X509Certificate(outs.certPem);
  expect(cert.subject).toBe("CN=jane\nO=dev");
  expect(cert.verify(new crypto.X509Certificate(ca.toString("pem")).publicKey)).toBe(true);
}, 60_000);

test("a deserialized RemoteCommand provider validates and connects with ssh2", async () => {
  const { provider } = await roundTrip(remoteCommandProvider);
  const check = await provider.check!({}, { connection: { host: "h", user: "u", privateKey: "k", hostKey: "ssh-ed25519" }, create: "true" });
  expect(check.failures).toEqual([expect.objectContaining({ property: "connection.hostKey" })]);

  const port = await new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const hostKey = `ssh-ed25519 ${Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from("ssh-ed25519"), Buffer.from([0, 0, 0, 32]), crypto.randomBytes(32)]).toString("base64")}`;
  const privateKey = crypto.generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  await expect(provider.create({ connection: { host: "127.0.0.1", port, user: "root", privateKey, hostKey }, create: "true" })).rejects.toThrow(
    `ssh to root@127.0.0.1:${port}: cannot reach the host`,
  );
}, 60_000);
