// Turns a private key PEM (PKCS#8, PKCS#1 "RSA PRIVATE KEY" as kubeadm writes ca.key, or SEC1 "EC PRIVATE
// KEY") into WebCrypto keys and the signature algorithm to use with them.
// Node's crypto and webcrypto are required inside the functions so the provider stays serializable.

export type SigningKeyKind = "RSA" | "ECDSA" | "ED25519";

export interface SigningKeyInfo {
  kind: SigningKeyKind;
  /** WebCrypto import parameters. */
  importAlgorithm: { name: string; hash?: string; namedCurve?: string };
  /** WebCrypto signature parameters (hash matched to the curve for ECDSA). */
  signingAlgorithm: { name: string; hash?: string };
}

export interface SigningKeys extends SigningKeyInfo {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

const EC_CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: "P-256", hash: "SHA-256" },
  secp384r1: { namedCurve: "P-384", hash: "SHA-384" },
  secp521r1: { namedCurve: "P-521", hash: "SHA-512" },
};

/** Which signature scheme a private key calls for; throws for key types we do not sign with. */
export function signingKeyInfo(privateKeyPem: string): SigningKeyInfo {
  const nodeCrypto = require("crypto") as typeof import("crypto");
  const key = nodeCrypto.createPrivateKey(privateKeyPem);
  switch (key.asymmetricKeyType) {
    case "rsa": {
      const rsa = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
      return { kind: "RSA", importAlgorithm: rsa, signingAlgorithm: rsa };
    }
    case "ec": {
      const curveName = key.asymmetricKeyDetails?.namedCurve ?? "";
      const curve = EC_CURVES[curveName];
      if (curve === undefined) {
        throw new Error(`unsupported ECDSA curve ${JSON.stringify(curveName)} (supported: P-256, P-384, P-521)`);
      }
      return {
        kind: "ECDSA",
        importAlgorithm: { name: "ECDSA", namedCurve: curve.namedCurve },
        signingAlgorithm: { name: "ECDSA", hash: curve.hash },
      };
    }
    case "ed25519":
      return { kind: "ED25519", importAlgorithm: { name: "Ed25519" }, signingAlgorithm: { name: "Ed25519" } };
    default:
      throw new Error(`unsupported private key type ${JSON.stringify(key.asymmetricKeyType)} (supported: RSA, ECDSA, ED25519)`);
  }
}

/** The SPKI public key PEM that belongs to a private key. */
export function publicKeyPemOf(privateKeyPem: string): string {
  const nodeCrypto = require("crypto") as typeof import("crypto");
  return nodeCrypto.createPublicKey(nodeCrypto.createPrivateKey(privateKeyPem)).export({ type: "spki", format: "pem" }).toString();
}

/** Imports a private key PEM into WebCrypto, with its public half, ready to sign. */
export async function importSigningKeys(privateKeyPem: string): Promise<SigningKeys> {
  const nodeCrypto = require("crypto") as typeof import("crypto");
  const subtle = nodeCrypto.webcrypto.subtle;
  const info = signingKeyInfo(privateKeyPem);
  const keyObject = nodeCrypto.createPrivateKey(privateKeyPem);
  const pkcs8 = keyObject.export({ type: "pkcs8", format: "der" });
  const spki = nodeCrypto.createPublicKey(keyObject).export({ type: "spki", format: "der" });
  const privateKey = await subtle.importKey("pkcs8", pkcs8, info.importAlgorithm, false, ["sign"]);
  const publicKey = await subtle.importKey("spki", spki, info.importAlgorithm, true, ["verify"]);
  return { ...info, privateKey: privateKey as unknown as CryptoKey, publicKey: publicKey as unknown as CryptoKey };
}
