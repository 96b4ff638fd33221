import * as crypto from "crypto";
import { utils } from "ssh2";
import { toSsh2PrivateKey } from "../../../providers/sshPrivateKey";

function parsed(text: string) {
  const key = utils.parseKey(text);
  if (key instanceof Error) throw key;
  return Array.isArray(key) ? key[0] : key;
}

/** The SSH wire-format public key ssh2 derives, to compare with Node's view of the same key. */
function sshPublicOf(text: string): Buffer {
  return parsed(toSsh2PrivateKey(text)).getPublicSSH() as Buffer;
}

describe("toSsh2PrivateKey", () => {
  test.each([
    ["ed25519", () => crypto.generateKeyPairSync("ed25519")],
    ["rsa", () => crypto.generateKeyPairSync("rsa", { modulusLength: 2048 })],
    ["ecdsa", () => crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" })],
  ] as const)("converts a PKCS#8 %s key into a form ssh2 signs with", (_kind, generate) => {
    const pair = generate();
    const pkcs8 = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const key = parsed(toSsh2PrivateKey(pkcs8));
    expect(key.isPrivateKey()).toBe(true);
    const data = Buffer.from("challenge");
    const signature = key.sign(data) as Buffer;
    expect(key.verify(data, signature)).toBe(true);
  });

  test("the converted Ed25519 key is the same key (same public half)", () => {
    const pair = crypto.generateKeyPairSync("ed25519");
    const pkcs8 = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const raw = Buffer.from(pair.publicKey.export({ format: "jwk" }).x as string, "base64url");
    const blob = sshPublicOf(pkcs8);
    expect(blob.subarray(blob.length - 32).equals(raw)).toBe(true);
  });

  test("OpenSSH and legacy PEM keys pass through unchanged (trimmed)", () => {
    const openssh = utils.generateKeyPairSync("ed25519").private;
    expect(toSsh2PrivateKey(`\n${openssh}\n\n`)).toBe(`${openssh.trim()}\n`);
    const pkcs1 = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    expect(toSsh2PrivateKey(pkcs1)).toBe(pkcs1);
  });

  test("refuses encrypted and non-key input without echoing it", () => {
    const encrypted = crypto
      .generateKeyPairSync("ed25519")
      .privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" })
      .toString();
    expect(() => toSsh2PrivateKey(encrypted)).toThrow(/encrypted/);
    expect(() => toSsh2PrivateKey("hunter2")).toThrow(/not a PEM or OpenSSH private key$/);
  });
});
