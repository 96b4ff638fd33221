import * as crypto from "crypto";
import { utils } from "ssh2";
import {
  hostKeyAlgorithms,
  hostKeyMatches,
  hostKeyMismatchMessage,
  parseSshPublicKey,
  sshFingerprint,
} from "../../../providers/sshHostKey";

function publicLine(type: "ed25519" | "ecdsa" | "rsa", comment = "root@node-1"): string {
  const opts = type === "rsa" ? { bits: 2048 } : type === "ecdsa" ? { bits: 256 } : {};
  const pair = utils.generateKeyPairSync(type, { ...opts, comment } as never);
  return pair.public.trim();
}

describe("parseSshPublicKey", () => {
  test.each([
    ["ed25519", "ssh-ed25519"],
    ["ecdsa", "ecdsa-sha2-nistp256"],
    ["rsa", "ssh-rsa"],
  ] as const)("reads an OpenSSH %s public key line", (kind, type) => {
    const line = publicLine(kind);
    const key = parseSshPublicKey(line);
    expect(key.type).toBe(type);
    expect(key.blob.equals(Buffer.from(line.split(" ")[1], "base64"))).toBe(true);
  });

  test("the comment is optional and surrounding whitespace is ignored", () => {
    const line = publicLine("ed25519");
    const [type, base64] = line.split(" ");
    expect(parseSshPublicKey(`  ${type} ${base64}\n`).blob.equals(parseSshPublicKey(line).blob)).toBe(true);
  });

  test("rejects a line without key data, naming it", () => {
    expect(() => parseSshPublicKey("ssh-ed25519")).toThrow(/OpenSSH public key line.*"ssh-ed25519"/);
  });

  test("rejects unsupported types", () => {
    expect(() => parseSshPublicKey("ssh-dss AAAAB3NzaC1kc3M=")).toThrow(/not supported/);
  });

  test("rejects a declared type that does not match the key data", () => {
    const [, base64] = publicLine("ed25519").split(" ");
    expect(() => parseSshPublicKey(`ssh-rsa ${base64}`)).toThrow(/says "ssh-rsa" but its key data is "ssh-ed25519"/);
  });

  test("rejects key data that is not base64 or is truncated", () => {
    expect(() => parseSshPublicKey("ssh-ed25519 not*base64")).toThrow(/not base64/);
    expect(() => parseSshPublicKey("ssh-ed25519 AAAA")).toThrow(/malformed/);
  });
});

describe("sshFingerprint", () => {
  test("is OpenSSH's SHA256:<base64 without padding>", () => {
    const blob = parseSshPublicKey(publicLine("ed25519")).blob;
    const expected = crypto.createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
    expect(sshFingerprint(blob)).toBe(`SHA256:${expected}`);
    expect(sshFingerprint(blob)).not.toContain("=");
  });
});

describe("host key pinning", () => {
  test("only the identical key matches", () => {
    const pinned = parseSshPublicKey(publicLine("ed25519"));
    const other = parseSshPublicKey(publicLine("ed25519"));
    expect(hostKeyMatches(pinned, Buffer.from(pinned.blob))).toBe(true);
    expect(hostKeyMatches(pinned, other.blob)).toBe(false);
  });

  test("the mismatch message names the endpoint and both fingerprints", () => {
    const pinned = parseSshPublicKey(publicLine("ed25519"));
    const presented = parseSshPublicKey(publicLine("ecdsa")).blob;
    const message = hostKeyMismatchMessage("10.0.0.5:22", pinned, presented);
    expect(message).toContain("10.0.0.5:22");
    expect(message).toContain(`ecdsa-sha2-nistp256 ${sshFingerprint(presented)}`);
    expect(message).toContain(`ssh-ed25519 ${sshFingerprint(pinned.blob)}`);
    expect(message).toContain("refusing to connect");
  });

  test("the client offers only algorithms for the pinned key type", () => {
    expect(hostKeyAlgorithms("ssh-ed25519")).toEqual(["ssh-ed25519"]);
    expect(hostKeyAlgorithms("ssh-rsa")).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
  });
});
