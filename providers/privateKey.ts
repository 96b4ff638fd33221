// PrivateKey: a key pair generated once by Node's crypto and kept stable across updates.
import * as pulumi from "@pulumi/pulumi";
import type { EcdsaCurve, KeyAlgorithm, KeySpec, KeySpecInputs } from "./keySpec";
import { keySpecChanges, keySpecIssues, normalizeKeySpec } from "./keySpec";
import { withoutUndefined } from "./values";
import { hostedProvider } from "./hosted";

export interface PrivateKeyArgs {
  algorithm: pulumi.Input<KeyAlgorithm>;
  /** RSA modulus size; at least 2048, default 4096. */
  rsaBits?: pulumi.Input<number>;
  /** ECDSA curve, default P256. */
  ecdsaCurve?: pulumi.Input<EcdsaCurve>;
}

/** What the provider stores as the resource's outputs. */
export interface PrivateKeyState {
  algorithm: KeyAlgorithm;
  rsaBits?: number;
  ecdsaCurve?: EcdsaCurve;
  privateKeyPem: string;
  publicKeyPem: string;
}

export interface GeneratedKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** Generates a key pair: PKCS#8 private key PEM and SPKI public key PEM. */
export async function generateKeyPair(spec: KeySpec): Promise<GeneratedKeyPair> {
  // Required here, not imported: Pulumi serializes the provider and re-requires what it uses.
  const nodeCrypto = require("crypto") as typeof import("crypto");
  // Without encoding options the key objects come back; the cast keeps older TypeScript (the Pulumi runtime's
  // ts-node) from choosing the string-returning overload.
  let pair: import("crypto").KeyPairKeyObjectResult;
  switch (spec.algorithm) {
    case "RSA":
      pair = nodeCrypto.generateKeyPairSync("rsa", { modulusLength: spec.rsaBits, publicExponent: 0x10001 }) as import("crypto").KeyPairKeyObjectResult;
      break;
    case "ECDSA":
      pair = nodeCrypto.generateKeyPairSync("ec", { namedCurve: spec.ecdsaCurve === "P384" ? "secp384r1" : "prime256v1" }) as import("crypto").KeyPairKeyObjectResult;
      break;
    case "ED25519":
      pair = nodeCrypto.generateKeyPairSync("ed25519") as import("crypto").KeyPairKeyObjectResult;
      break;
  }
  return {
    privateKeyPem: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

export const privateKeyProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: KeySpecInputs, news: KeySpecInputs) {
    return { inputs: news, failures: keySpecIssues(news) };
  },

  async diff(_id: string, olds: PrivateKeyState, news: KeySpecInputs) {
    const replaces = keySpecChanges(olds, news);
    return { changes: replaces.length > 0, replaces };
  },

  async create(inputs: KeySpecInputs) {
    const spec = normalizeKeySpec(inputs);
    const pair = await generateKeyPair(spec);
    const outs: PrivateKeyState = { ...spec, ...pair };
    return { id: (require("crypto") as typeof import("crypto")).randomUUID(), outs: withoutUndefined(outs) };
  },

  // Nothing lives outside the state: a refresh keeps it as it is.
  async read(id: string, props: PrivateKeyState) {
    return { id, props };
  },
};

/** A private key generated once; `privateKeyPem` is a secret output. */
export class PrivateKey extends pulumi.dynamic.Resource {
  declare public readonly algorithm: pulumi.Output<KeyAlgorithm>;
  /** PKCS#8 PEM; secret. */
  declare public readonly privateKeyPem: pulumi.Output<string>;
  /** SPKI PEM. */
  declare public readonly publicKeyPem: pulumi.Output<string>;

  constructor(name: string, args: PrivateKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      hostedProvider("PrivateKey", privateKeyProvider),
      name,
      { ...args, privateKeyPem: undefined, publicKeyPem: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["privateKeyPem"] }),
      "kube-baseline",
      "PrivateKey",
    );
  }
}
