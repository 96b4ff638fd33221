// ClientCertificate: a CSR for CN=<user>, O=<group>... signed by the cluster CA for client authentication.
// Issued once; replaced only when what it certifies (key, subject, CA, validity) changes.
import * as pulumi from "@pulumi/pulumi";
import type { CheckFailure } from "@pulumi/pulumi/dynamic";
import { importSigningKeys, publicKeyPemOf, signingKeyInfo } from "./signingKey";
import { containsUnknown, deepEqual, secretInputFailure, withoutUndefined } from "./values";
import { clientSubject, subjectIssues, subjectToString } from "./x509Subject";
import { hostedProvider } from "./hosted";

export interface ClientCertificateArgs {
  /** The client's private key PEM (made secret here if it is not already). */
  privateKeyPem: pulumi.Input<string>;
  /** The user name (CN). */
  commonName: pulumi.Input<string>;
  /** The groups, one O each, in this order. */
  organizations: pulumi.Input<pulumi.Input<string>[]>;
  caCertPem: pulumi.Input<string>;
  /** The CA private key PEM (made secret here if it is not already). */
  caKeyPem: pulumi.Input<string>;
  validityHours: pulumi.Input<number>;
}

/** The inputs as the engine hands them to the provider (secrets unwrapped, unknowns as a sentinel). */
export interface ClientCertificateInputs {
  privateKeyPem: string;
  commonName: string;
  organizations?: string[];
  caCertPem: string;
  caKeyPem: string;
  validityHours: number;
}

/** Stored outputs. Holds no secret: the keys are represented by the client's public key only. */
export interface ClientCertificateState {
  commonName: string;
  organizations: string[];
  validityHours: number;
  caCertPem: string;
  publicKeyPem: string;
  subject: string;
  serialNumber: string;
  certPem: string;
  csrPem: string;
  notBefore: string;
  notAfter: string;
}

export interface IssuedClientCertificate {
  certPem: string;
  csrPem: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
}

// Clock skew allowance between this machine and the apiserver.
const BACKDATE_MS = 5 * 60 * 1000;

function loadX509(): typeof import("@peculiar/x509") {
  // @peculiar/x509 needs the reflect polyfill loaded first, and a WebCrypto implementation.
  require("reflect-metadata");
  const x509 = require("@peculiar/x509") as typeof import("@peculiar/x509");
  x509.cryptoProvider.set((require("crypto") as typeof import("crypto")).webcrypto as unknown as Crypto);
  return x509;
}

function withTrailingNewline(pem: string): string {
  return pem.endsWith("\n") ? pem : `${pem}\n`;
}

/** 16 random bytes, positive and without a leading zero byte, as RFC 5280 asks of serial numbers. */
function randomSerialHex(): string {
  const bytes = (require("crypto") as typeof import("crypto")).randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return bytes.toString("hex");
}

/** Throws unless the CA key belongs to the CA certificate and the certificate is a CA. */
export function assertUsableCa(caCertPem: string, caKeyPem: string): void {
  const nodeCrypto = require("crypto") as typeof import("crypto");
  const caCert = new nodeCrypto.X509Certificate(caCertPem);
  if (!caCert.ca) {
    throw new Error(`caCertPem (${caCert.subject.replace(/\n/g, ", ")}) is not a CA certificate (basicConstraints CA:TRUE missing)`);
  }
  if (!caCert.checkPrivateKey(nodeCrypto.createPrivateKey(caKeyPem))) {
    throw new Error(`caKeyPem is not the private key of caCertPem (${caCert.subject.replace(/\n/g, ", ")})`);
  }
}

/** Creates the CSR from the client key and has the CA sign it; `now` is injectable for tests. */
export async function issueClientCertificate(
  request: Omit<ClientCertificateInputs, "organizations"> & { organizations: readonly string[] },
  now: Date = new Date(),
): Promise<IssuedClientCertificate> {
  const x509 = loadX509();
  assertUsableCa(request.caCertPem, request.caKeyPem);
  const caCert = new x509.X509Certificate(request.caCertPem);
  const ca = await importSigningKeys(request.caKeyPem);
  const client = await importSigningKeys(request.privateKeyPem);

  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: clientSubject(request.commonName, request.organizations),
    keys: { privateKey: client.privateKey, publicKey: client.publicKey },
    signingAlgorithm: client.signingAlgorithm,
  });

  // X.509 times have whole seconds; round so that the notAfter output equals the certificate's.
  const nowMs = Math.floor(now.getTime() / 1000) * 1000;
  const notBefore = new Date(nowMs - BACKDATE_MS);
  const notAfter = new Date(nowMs + Math.round(request.validityHours * 3600) * 1000);

  // Point at the CA's own key identifier when it has one, so chain building matches it exactly.
  const caKeyId = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  const authorityKeyId = caKeyId
    ? new x509.AuthorityKeyIdentifierExtension(caKeyId.keyId)
    : await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey);
  // keyEncipherment only means something for RSA keys (RSA key transport in TLS 1.2).
  const keyUsage =
    x509.KeyUsageFlags.digitalSignature | (client.kind === "RSA" ? x509.KeyUsageFlags.keyEncipherment : 0);

  const serialNumber = randomSerialHex();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: csr.subjectName,
    // The CA's subject as parsed from its certificate, so the encoded issuer matches it byte for byte.
    issuer: caCert.subjectName,
    notBefore,
    notAfter,
    publicKey: csr.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: ca.signingAlgorithm,
    extensions: [
      new x509.KeyUsagesExtension(keyUsage, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
      new x509.BasicConstraintsExtension(false, undefined, true),
      authorityKeyId,
    ],
  });
  return {
    certPem: withTrailingNewline(cert.toString("pem")),
    csrPem: withTrailingNewline(csr.toString("pem")),
    serialNumber,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
  };
}

/** Check failures for the inputs; values not known yet are not judged; secrets never appear in reasons. */
export function clientCertificateIssues(news: Partial<Record<keyof ClientCertificateInputs, unknown>>): CheckFailure[] {
  const issues = subjectIssues(news.commonName, news.organizations);
  const known = (v: unknown) => v !== undefined && !containsUnknown(v);
  const { validityHours, caCertPem, caKeyPem, privateKeyPem } = news;
  if (!containsUnknown(validityHours)) {
    if (typeof validityHours !== "number" || !Number.isFinite(validityHours) || validityHours <= 0) {
      issues.push({ property: "validityHours", reason: `validityHours must be a positive number (got ${JSON.stringify(validityHours)})` });
    }
  }
  if (known(privateKeyPem)) {
    try {
      signingKeyInfo(String(privateKeyPem));
    } catch (e) {
      issues.push(secretInputFailure("privateKeyPem", `not a usable private key: ${(e as Error).message}`));
    }
  } else if (privateKeyPem === undefined) {
    issues.push(secretInputFailure("privateKeyPem", "required"));
  }
  if (caCertPem === undefined) {
    issues.push({ property: "caCertPem", reason: "caCertPem is required" });
  }
  if (caKeyPem === undefined) {
    issues.push(secretInputFailure("caKeyPem", "required"));
  }
  if (known(caCertPem) && known(caKeyPem)) {
    try {
      signingKeyInfo(String(caKeyPem));
      assertUsableCa(String(caCertPem), String(caKeyPem));
    } catch (e) {
      issues.push(secretInputFailure("caKeyPem", `the CA cannot sign: ${(e as Error).message}`));
    }
  }
  return issues;
}

function samePem(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" && a.replace(/\s+/g, "") === b.replace(/\s+/g, "");
}

/** The inputs whose change calls for a new certificate; every change replaces. */
export function clientCertificateChanges(olds: ClientCertificateState, news: ClientCertificateInputs): string[] {
  const replaces: string[] = [];
  if (olds.commonName !== news.commonName) {
    replaces.push("commonName");
  }
  if (!deepEqual(olds.organizations ?? [], news.organizations ?? [])) {
    replaces.push("organizations");
  }
  if (olds.validityHours !== news.validityHours) {
    replaces.push("validityHours");
  }
  if (!samePem(olds.caCertPem, news.caCertPem)) {
    replaces.push("caCertPem");
  }
  // The state keeps only the public half of the client key: compare through it.
  let sameKey = false;
  if (!containsUnknown(news.privateKeyPem)) {
    try {
      sameKey = samePem(publicKeyPemOf(news.privateKeyPem), olds.publicKeyPem);
    } catch {
      sameKey = false;
    }
  }
  if (!sameKey) {
    replaces.push("privateKeyPem");
  }
  return replaces;
}

export const clientCertificateProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: ClientCertificateInputs, news: ClientCertificateInputs) {
    return { inputs: news, failures: clientCertificateIssues(news) };
  },

  async diff(_id: string, olds: ClientCertificateState, news: ClientCertificateInputs) {
    const replaces = clientCertificateChanges(olds, news);
    return { changes: replaces.length > 0, replaces };
  },

  async create(inputs: ClientCertificateInputs) {
    const organizations = inputs.organizations ?? [];
    const issued = await issueClientCertificate({ ...inputs, organizations });
    const outs: ClientCertificateState = {
      commonName: inputs.commonName,
      organizations,
      validityHours: inputs.validityHours,
      caCertPem: inputs.caCertPem,
      publicKeyPem: publicKeyPemOf(inputs.privateKeyPem),
      subject: subjectToString(inputs.commonName, organizations),
      ...issued,
    };
    return { id: issued.serialNumber, outs: withoutUndefined(outs) };
  },

  // The certificate lives only in the state: a refresh keeps it.
  async read(id: string, props: ClientCertificateState) {
    return { id, props };
  },
};

/** A client certificate for the Kubernetes apiserver, signed by the given CA. */
export class ClientCertificate extends pulumi.dynamic.Resource {
  declare public readonly certPem: pulumi.Output<string>;
  /** ISO 8601. */
  declare public readonly notAfter: pulumi.Output<string>;
  declare public readonly csrPem: pulumi.Output<string>;
  declare public readonly serialNumber: pulumi.Output<string>;

  constructor(name: string, args: ClientCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      hostedProvider("ClientCertificate", clientCertificateProvider),
      name,
      {
        ...args,
        // Secret when passed, so the engine keeps the stored inputs encrypted.
        privateKeyPem: pulumi.secret(args.privateKeyPem),
        caKeyPem: pulumi.secret(args.caKeyPem),
        certPem: undefined,
        notAfter: undefined,
        csrPem: undefined,
        serialNumber: undefined,
      },
      // No secret outputs: the provider returns neither key, only public material.
      opts,
      "kube-baseline",
      "ClientCertificate",
    );
  }
}
