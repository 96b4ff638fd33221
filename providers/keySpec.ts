// What kind of private key to generate: validation and defaults (pure).
import type { CheckFailure } from "@pulumi/pulumi/dynamic";
import { containsUnknown } from "./values";

export type KeyAlgorithm = "RSA" | "ECDSA" | "ED25519";
export type EcdsaCurve = "P256" | "P384";

export type KeySpec =
  | { algorithm: "RSA"; rsaBits: number }
  | { algorithm: "ECDSA"; ecdsaCurve: EcdsaCurve }
  | { algorithm: "ED25519" };

/** The key-shaping inputs as the engine hands them over (not yet validated). */
export interface KeySpecInputs {
  algorithm?: unknown;
  rsaBits?: unknown;
  ecdsaCurve?: unknown;
}

const DEFAULT_RSA_BITS = 4096;
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 16384;
const DEFAULT_ECDSA_CURVE: EcdsaCurve = "P256";

/** Check failures for key inputs; values not known yet (preview) are not judged. */
export function keySpecIssues(inputs: KeySpecInputs): CheckFailure[] {
  const issues: CheckFailure[] = [];
  const { algorithm, rsaBits, ecdsaCurve } = inputs;
  if (containsUnknown(algorithm)) {
    return issues;
  }
  if (algorithm !== "RSA" && algorithm !== "ECDSA" && algorithm !== "ED25519") {
    issues.push({ property: "algorithm", reason: `algorithm must be one of RSA, ECDSA, ED25519 (got ${JSON.stringify(algorithm)})` });
    return issues;
  }
  if (algorithm === "RSA" && rsaBits !== undefined && !containsUnknown(rsaBits)) {
    if (typeof rsaBits !== "number" || !Number.isInteger(rsaBits) || rsaBits < MIN_RSA_BITS || rsaBits > MAX_RSA_BITS) {
      issues.push({
        property: "rsaBits",
        reason: `rsaBits must be an integer from ${MIN_RSA_BITS} to ${MAX_RSA_BITS} (got ${JSON.stringify(rsaBits)})`,
      });
    }
  }
  if (algorithm === "ECDSA" && ecdsaCurve !== undefined && !containsUnknown(ecdsaCurve)) {
    if (ecdsaCurve !== "P256" && ecdsaCurve !== "P384") {
      issues.push({ property: "ecdsaCurve", reason: `ecdsaCurve must be P256 or P384 (got ${JSON.stringify(ecdsaCurve)})` });
    }
  }
  return issues;
}

/** The effective key spec with defaults filled in; parameters of other algorithms are ignored. */
export function normalizeKeySpec(inputs: KeySpecInputs): KeySpec {
  switch (inputs.algorithm) {
    case "RSA":
      return { algorithm: "RSA", rsaBits: typeof inputs.rsaBits === "number" ? inputs.rsaBits : DEFAULT_RSA_BITS };
    case "ECDSA":
      return { algorithm: "ECDSA", ecdsaCurve: inputs.ecdsaCurve === "P384" ? "P384" : DEFAULT_ECDSA_CURVE };
    case "ED25519":
      return { algorithm: "ED25519" };
    default:
      throw new Error(`unsupported key algorithm ${JSON.stringify(inputs.algorithm)}`);
  }
}

/** The input names whose change means a different key (empty when the keys are equivalent). */
export function keySpecChanges(olds: KeySpecInputs, news: KeySpecInputs): Array<keyof KeySpecInputs> {
  if (olds.algorithm !== news.algorithm) {
    return ["algorithm"];
  }
  // A parameter not known yet (preview) may turn out different: assume it does.
  if (news.algorithm === "RSA" && containsUnknown(news.rsaBits)) {
    return ["rsaBits"];
  }
  if (news.algorithm === "ECDSA" && containsUnknown(news.ecdsaCurve)) {
    return ["ecdsaCurve"];
  }
  const a = normalizeKeySpec(olds);
  const b = normalizeKeySpec(news);
  if (a.algorithm === "RSA" && b.algorithm === "RSA" && a.rsaBits !== b.rsaBits) {
    return ["rsaBits"];
  }
  if (a.algorithm === "ECDSA" && b.algorithm === "ECDSA" && a.ecdsaCurve !== b.ecdsaCurve) {
    return ["ecdsaCurve"];
  }
  return [];
}
