// Pulumi stores each dynamic provider as serialized code (the `__provider` input and output); the provider host
// re-creates it with require-from-string, in the project directory, in a plain node process. Ours are stored
// as delegates that load the provider by name (providers/hosted.ts). These tests serialize the delegates the
// resources use and run them in a child process set up the same way.
import "reflect-metadata";
import * as pulumi from "@pulumi/pulumi";
import * as x509 from "@peculiar/x509";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { hostedProvider, HostedProviderName } from "../../../providers/hosted";
import { hostedProviders as implementations } from "../../../providers/registry";

const repoRoot = path.resolve(__dirname, "../../..");

async function serialized(name: HostedProviderName): Promise<{ text: string; containsSecrets: boolean }> {
  // The same call and options as @pulumi/pulumi's dynamic.Resource, on the delegate the resource class uses.
  const delegate = hostedProvider(name, implementations[name]);
  return pulumi.runtime.serializeFunction(() => delegate, { allowSecrets: true });
}

// The provider host's part: deserialize, call one method, print the result or the error.
const HOST_SCRIPT = `
const { text, method, args } = JSON.parse(require("fs").readFileSync(0, "utf8"));
const provider = require(process.env.REQUIRE_FROM_STRING)(text).handler();
Promise.resolve()
  .then(() => provider[method](...args))
  .then((result) => process.stdout.write(JSON.stringify({ result })), (error) => process.stdout.write(JSON.stringify({ error: error.message })));
`;

/** Calls `method` of the deserialized delegate in a plain node process whose working directory is `cwd`. */
async function callInHost(name: HostedProviderName, method: string, args: unknown[], cwd = repoRoot): Promise<{ result?: any; error?: string }> {
  const { text } = await serialized(name);
  const out = execFileSync(process.execPath, ["-e", HOST_SCRIPT], {
    cwd,
    input: JSON.stringify({ text, method, args }),
    encoding: "utf8",
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? "", REQUIRE_FROM_STRING: path.join(repoRoot, "node_modules/require-from-string") },
  });
  return JSON.parse(out);
}

describe.each(Object.keys(implementations) as HostedProviderName[])("%s provider as stored", (name) => {
  test("is under 2.5 KB naming the provider, with no secret and none of the provider's code", async () => {
    const { text, containsSecrets } = await serialized(name);
    expect(containsSecrets).toBe(false);
    // The provider itself, serialized whole, was 8 KB (KubeadmToken) to 30 KB (RemoteCommand); with the loader
    // in each delegate, 3.8 KB; now 1.8 (four methods) to 2.3 KB (six).
    expect(text.length).toBeLessThan(2500);
    expect(text).toContain(JSON.stringify(name));
    expect(text).not.toMatch(/generateKeyPairSync|Pkcs10CertificateRequestGenerator|runSshCommand|randomBytes/);
  }, 60_000);

  test("has exactly the methods of the provider it names", () => {
    const delegate = hostedProvider(name, implementations[name]);
    expect(Object.keys(delegate).sort()).toEqual(Object.keys(implementations[name]).sort());
  });
});

test("run outside the kube-baseline checkout, a provider fails naming where it looked", async () => {
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "hosted-provider-"));
  try {
    const { error } = await callInHost("KubeadmToken", "create", [{}], elsewhere);
    expect(error).toContain(`kube-baseline: ${fs.realpathSync(elsewhere)}/providers/hostedLoader.js (the state records the checkout relative to the project directory): Cannot find module`);
  } finally {
    fs.rmSync(elsewhere, { recursive: true, force: true });
  }
}, 60_000);

test("a deserialized KubeadmToken provider creates tokens", async () => {
  const { result } = await callInHost("KubeadmToken", "create", [{}]);
  expect(result.outs.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
}, 60_000);

test("a deserialized PrivateKey provider generates keys and diffs", async () => {
  const { result } = await callInHost("PrivateKey", "create", [{ algorithm: "ED25519" }]);
  expect(crypto.createPrivateKey(result.outs.privateKeyPem).asymmetricKeyType).toBe("ed25519");
  const diff = await callInHost("PrivateKey", "diff", ["id", result.outs, { algorithm: "ED25519" }]);
  expect(diff.result).toMatchObject({ changes: false });
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

  const { result } = await callInHost("ClientCertificate", "create", [{
    privateKeyPem: clientKey,
    commonName: "jane",
    organizations: ["dev"],
    caCertPem: ca.toString("pem"),
    caKeyPem,
    validityHours: 1,
  }]);
  const outs = result.outs;
  const cert = new crypto.X509Certificate(outs.certPem);
  expect(cert.subject).toBe("CN=jane\nO=dev");
  expect(cert.verify(new crypto.X509Certificate(ca.toString("pem")).publicKey)).toBe(true);
}, 60_000);

test("a deserialized RemoteCommand provider validates and connects with ssh2", async () => {
  const { result: check } = await callInHost("RemoteCommand", "check", [{}, { connection: { host: "h", user: "u", privateKey: "k", hostKey: "ssh-ed25519" }, create: "true" }]);
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
  const { error } = await callInHost("RemoteCommand", "create", [{ connection: { host: "127.0.0.1", port, user: "root", privateKey, hostKey }, create: "true" }]);
  expect(error).toContain(`ssh to root@127.0.0.1:${port}: cannot reach the host`);
}, 60_000);
