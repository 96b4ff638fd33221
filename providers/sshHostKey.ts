// A pinned SSH host key: an OpenSSH public key line "type base64 [comment]" (as in known_hosts or
// /etc/ssh/ssh_host_*_key.pub), compared with the key a server presents (pure).

export interface SshPublicKey {
  type: string;
  /** The key in SSH wire format (what the server sends during key exchange). */
  blob: Buffer;
}

// Host key types and the signature algorithms a server may use to prove it holds such a key.
const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
};

/** The key type written inside an SSH wire-format key (its first length-prefixed string). */
function blobType(blob: Buffer): string | undefined {
  if (blob.length < 4) {
    return undefined;
  }
  const length = blob.readUInt32BE(0);
  return length > 0 && 4 + length <= blob.length ? blob.subarray(4, 4 + length).toString("latin1") : undefined;
}

/** Parses "type base64 [comment]"; throws a message that says what is wrong (the line is public data). */
export function parseSshPublicKey(line: string): SshPublicKey {
  const fields = line.trim().split(/\s+/);
  const [type, base64] = fields;
  if (fields.length < 2 || type === "") {
    throw new Error(`host key must be an OpenSSH public key line "type base64" (got ${JSON.stringify(line)})`);
  }
  if (!(type in HOST_KEY_ALGORITHMS)) {
    throw new Error(
      `host key type ${JSON.stringify(type)} is not supported (supported: ${Object.keys(HOST_KEY_ALGORITHMS).join(", ")})`,
    );
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw new Error(`host key ${JSON.stringify(type)} has a key part that is not base64`);
  }
  const blob = Buffer.from(base64, "base64");
  const inner = blobType(blob);
  if (inner !== type) {
    throw new Error(`host key says ${JSON.stringify(type)} but its key data is ${inner === undefined ? "malformed" : JSON.stringify(inner)}`);
  }
  return { type, blob };
}

/** The OpenSSH fingerprint "SHA256:<base64 without padding>" of a wire-format key. */
export function sshFingerprint(blob: Buffer): string {
  const digest = (require("crypto") as typeof import("crypto")).createHash("sha256").update(blob).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

/** Host key algorithms to offer so that the server presents a key of the pinned type. */
export function hostKeyAlgorithms(type: string): string[] {
  return HOST_KEY_ALGORITHMS[type] ?? [];
}

/** True only when the presented key is exactly the pinned one. */
export function hostKeyMatches(pinned: SshPublicKey, presented: Buffer): boolean {
  return presented.equals(pinned.blob);
}

/** The refusal message: names the endpoint and both fingerprints so an operator can tell what changed. */
export function hostKeyMismatchMessage(endpoint: string, pinned: SshPublicKey, presented: Buffer): string {
  const presentedType = blobType(presented) ?? "unknown";
  return (
    `host key verification failed for ${endpoint}: it presented ${presentedType} ${sshFingerprint(presented)} ` +
    `but the pinned hostKey is ${pinned.type} ${sshFingerprint(pinned.blob)}; refusing to connect`
  );
}
