// PKCS#10 certificate signing request (CSR) builder: subject CN=<user>, one O=<group> per group, signed with the
// user's private key. Built with node's crypto and a few lines of DER: @pulumi/tls's CertRequest carries only one
// organization, and Kubernetes reads every O as a group.
//
// Pure and deterministic: the same key and subject give the same bytes on every run. That matters, because the CSR
// is an input (of tls.LocallySignedCert, whose certRequestPem replaces the certificate when it changes, and of the
// CSR API command's stdin): a CSR that differed at each run would reissue every certificate at every `pulumi up`.
// RSA PKCS#1 v1.5 and Ed25519 signatures are deterministic as they are; ECDSA is signed with the RFC 6979
// deterministic nonce (@noble/curves), since node's crypto draws a random one.

import { p256, p384 } from "@noble/curves/nist";
import { createHash, createPrivateKey, createPublicKey, sign, KeyObject, X509Certificate } from "crypto";

export interface CsrSubject { commonName: string; organizations: string[] }

const OID = {
    commonName: "2.5.4.3",
    organization: "2.5.4.10",
    sha256WithRSAEncryption: "1.2.840.113549.1.1.11",
    ecdsaWithSha256: "1.2.840.10045.4.3.2",
    ecdsaWithSha384: "1.2.840.10045.4.3.3",
    ed25519: "1.3.101.112",
};

export function buildCsrPem(privateKeyPem: string, subject: CsrSubject): string {
    if (subject.commonName === "") throw new Error("CSR common name must not be empty");
    for (const value of [subject.commonName, ...subject.organizations]) {
        if (Buffer.byteLength(value, "utf8") > 64) throw new Error(`CSR subject value longer than 64 bytes: ${value}`);
    }
    const key = createPrivateKey(privateKeyPem);
    const spki = createPublicKey(key).export({ type: "spki", format: "der" }) as Buffer;
    const name = sequence(
        ...subject.organizations.map(o => set(sequence(oid(OID.organization), utf8String(o)))),
        set(sequence(oid(OID.commonName), utf8String(subject.commonName))),
    );
    // version 0, subject, public key, no attributes ([0] empty).
    const info = sequence(integerZero(), name, spki, tlv(0xa0, Buffer.alloc(0)));
    const { algorithm, digest } = signatureAlgorithm(key);
    const signature = key.asymmetricKeyType === "ec" ? deterministicEcdsa(key, digest!, info) : sign(digest, info, key);
    const der = sequence(info, algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
    const body = der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
    return `-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`;
}

/** The certificate's notAfter as ISO 8601 (what the components export as the expiry). */
export function certificateNotAfter(certificatePem: string): string {
    return new Date(new X509Certificate(certificatePem).validTo).toISOString();
}

/** ECDSA over the digest of `data` with the RFC 6979 nonce, DER-encoded as X.509 wants it. */
function deterministicEcdsa(key: KeyObject, digest: string, data: Buffer): Buffer {
    const curve = key.asymmetricKeyDetails?.namedCurve === "secp384r1" ? p384 : p256;
    const scalar = Buffer.from(key.export({ format: "jwk" }).d as string, "base64url");
    const hash = createHash(digest).update(data).digest();
    return Buffer.from(curve.sign(hash, scalar, { prehash: false }).toDERRawBytes());
}

function signatureAlgorithm(key: KeyObject): { algorithm: Buffer; digest: string | null } {
    switch (key.asymmetricKeyType) {
        case "rsa":
            return { algorithm: sequence(oid(OID.sha256WithRSAEncryption), tlv(0x05, Buffer.alloc(0))), digest: "sha256" };
        case "ec": {
            const curve = key.asymmetricKeyDetails?.namedCurve;
            if (curve === "prime256v1") return { algorithm: sequence(oid(OID.ecdsaWithSha256)), digest: "sha256" };
            if (curve === "secp384r1") return { algorithm: sequence(oid(OID.ecdsaWithSha384)), digest: "sha384" };
            throw new Error(`unsupported EC curve ${String(curve)} (use P256 or P384)`);
        }
        case "ed25519":
            return { algorithm: sequence(oid(OID.ed25519)), digest: null };
        default:
            throw new Error(`unsupported key type ${String(key.asymmetricKeyType)}`);
    }
}

// ---- DER -------------------------------------------------------------------------------------------------

function tlv(tag: number, content: Buffer): Buffer {
    return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

function derLength(length: number): Buffer {
    if (length < 0x80) return Buffer.from([length]);
    const bytes: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
    return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function sequence(...items: Buffer[]): Buffer {
    return tlv(0x30, Buffer.concat(items));
}

function set(...items: Buffer[]): Buffer {
    return tlv(0x31, Buffer.concat(items));
}

function integerZero(): Buffer {
    return tlv(0x02, Buffer.from([0]));
}

function utf8String(value: string): Buffer {
    return tlv(0x0c, Buffer.from(value, "utf8"));
}

function oid(dotted: string): Buffer {
    const parts = dotted.split(".").map(Number);
    const bytes = [parts[0] * 40 + parts[1]];
    for (const part of parts.slice(2)) {
        const chunk: number[] = [];
        let n = part;
        do { chunk.unshift(n & 0x7f); n = Math.floor(n / 128); } while (n > 0);
        bytes.push(...chunk.map((b, i) => (i < chunk.length - 1 ? b | 0x80 : b)));
    }
    return tlv(0x06, Buffer.from(bytes));
}
