// The SSH client key as ssh2 can read it. ssh2 reads OpenSSH keys and the legacy PEM forms
// ("RSA/EC PRIVATE KEY") but not PKCS#8 ("PRIVATE KEY", e.g. `openssl genpkey` or our PrivateKey resource),
// so PKCS#8 keys are converted: RSA to PKCS#1, EC to SEC1, Ed25519 to the OpenSSH format.

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data, "latin1") : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  return Buffer.concat([length, body]);
}

function uint32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b;
}

/** An unencrypted "openssh-key-v1" private key for an Ed25519 seed and public key. */
export function ed25519OpenSshPrivateKey(seed: Buffer, publicKey: Buffer, comment = ""): string {
  if (seed.length !== 32 || publicKey.length !== 32) {
    throw new Error("an Ed25519 key has a 32-byte seed and a 32-byte public key");
  }
  const nodeCrypto = require("crypto") as typeof import("crypto");
  const publicBlob = Buffer.concat([sshString("ssh-ed25519"), sshString(publicKey)]);
  // Two equal random check words let a reader tell a wrong passphrase; here they only have to match.
  const check = nodeCrypto.randomBytes(4);
  let secret = Buffer.concat([
    check,
    check,
    sshString("ssh-ed25519"),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(comment),
  ]);
  // Pad with 1, 2, 3, ... to the cipher block size (8 for "none").
  const padding: number[] = [];
  for (let i = 1; (secret.length + padding.length) % 8 !== 0; i++) {
    padding.push(i);
  }
  secret = Buffer.concat([secret, Buffer.from(padding)]);
  const body = Buffer.concat([
    Buffer.from("openssh-key-v1\0", "latin1"),
    sshString("none"),
    sshString("none"),
    sshString(""),
    uint32(1),
    sshString(publicBlob),
    sshString(secret),
  ]);
  const lines = body.toString("base64").match(/.{1,70}/g) ?? [];
  return ["-----BEGIN OPENSSH PRIVATE KEY-----", ...lines, "-----END OPENSSH PRIVATE KEY-----", ""].join("\n");
}

/** The key text ssh2 accepts for a given private key; throws (without key material) when it cannot. */
export function toSsh2PrivateKey(keyText: string): string {
  const text = keyText.trim();
  if (/^-----BEGIN (OPENSSH|RSA|EC|DSA) PRIVATE KEY-----/.test(text)) {
    return `${text}\n`;
  }
  if (/^-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text)) {
    throw new Error("the SSH private key is encrypted; pass an unencrypted key (kept as a Pulumi secret)");
  }
  if (!/^-----BEGIN PRIVATE KEY-----/.test(text)) {
    throw new Error("the SSH private key is not a PEM or OpenSSH private key");
  }
  const nodeCrypto = require("crypto") as typeof import("crypto");
  const key = nodeCrypto.createPrivateKey(text);
  switch (key.asymmetricKeyType) {
    case "rsa":
      return key.export({ type: "pkcs1", format: "pem" }).toString();
    case "ec":
      return key.export({ type: "sec1", format: "pem" }).toString();
    case "ed25519": {
      const jwk = key.export({ format: "jwk" });
      return ed25519OpenSshPrivateKey(Buffer.from(jwk.d ?? "", "base64url"), Buffer.from(jwk.x ?? "", "base64url"));
    }
    default:
      throw new Error(`SSH private keys of type ${JSON.stringify(key.asymmetricKeyType)} are not supported`);
  }
}
