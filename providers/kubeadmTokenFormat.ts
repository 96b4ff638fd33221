// kubeadm bootstrap-token shape "[a-z0-9]{6}.[a-z0-9]{16}" and an unbiased generator for it (pure given a
// source of random bytes).

const TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

export interface KubeadmTokenParts {
  /** "<id>.<secret>" */
  token: string;
  /** The public 6-character part (kubeadm names the bootstrap Secret after it). */
  tokenId: string;
  /** The 16-character secret part. */
  tokenSecret: string;
}

export type RandomBytes = (size: number) => Uint8Array;

function cryptoRandomBytes(size: number): Uint8Array {
  return (require("crypto") as typeof import("crypto")).randomBytes(size);
}

/**
 * `length` characters drawn uniformly from `alphabet`. Rejection sampling: bytes at or above the largest
 * multiple of the alphabet size are thrown away, so `byte % size` favours no character.
 */
export function randomString(length: number, alphabet: string, randomBytes: RandomBytes = cryptoRandomBytes): string {
  const size = alphabet.length;
  if (size < 1 || size > 256) {
    throw new Error(`alphabet must have 1 to 256 characters (got ${size})`);
  }
  const limit = 256 - (256 % size);
  let result = "";
  while (result.length < length) {
    for (const byte of randomBytes(Math.max(length - result.length, 16))) {
      if (byte < limit) {
        result += alphabet[byte % size];
        if (result.length === length) {
          break;
        }
      }
    }
  }
  return result;
}

export function generateKubeadmToken(randomBytes: RandomBytes = cryptoRandomBytes): KubeadmTokenParts {
  const tokenId = randomString(6, TOKEN_ALPHABET, randomBytes);
  const tokenSecret = randomString(16, TOKEN_ALPHABET, randomBytes);
  return { token: `${tokenId}.${tokenSecret}`, tokenId, tokenSecret };
}

/** Splits a token of kubeadm's shape; undefined when it does not have that shape. */
export function parseKubeadmToken(token: string): KubeadmTokenParts | undefined {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { token, tokenId: match[1], tokenSecret: match[2] } : undefined;
}
