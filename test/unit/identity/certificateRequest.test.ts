// The PKCS#10 builder used by the CSR API path: subject, public key and signature checked by taking the DER apart.

import { createPublicKey, generateKeyPairSync, verify } from "crypto";
import { buildCsrPem, certificateNotAfter } from "../../../lib/identity/certificateRequest";
import { TEST_CERTIFICATE_PEM } from "./fixtures";

/** Minimal DER reader: enough to take a CSR apart again. */
function readTlv(buf: Buffer, offset: number) {
    const tag = buf[offset];
    let length = buf[offset + 1];
    let header = 2;
    if (length & 0x80) {
        const n = length & 0x7f;
        length = 0;
        for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 2 + i];
        header += n;
    }
    return { tag, start: offset, contentStart: offset + header, end: offset + header + length };
}
function children(buf: Buffer, node: { contentStart: number; end: number }) {
    const out = [];
    for (let at = node.contentStart; at < node.end;) {
        const child = readTlv(buf, at);
        out.push(child);
        at = child.end;
    }
    return out;
}

function decode(pem: string) {
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s/g, ""), "base64");
    const [info, algorithm, signature] = children(der, readTlv(der, 0));
    const [version, subject, spki] = children(der, info);
    const attributes = children(der, subject).map(rdn => {
        const [typeAndValue] = children(der, rdn);
        const [oid, value] = children(der, typeAndValue);
        return { oid: der.subarray(oid.contentStart, oid.end).toString("hex"), value: der.subarray(value.contentStart, value.end).toString("utf8") };
    });
    return {
        tbs: der.subarray(info.start, info.end),
        version: der.subarray(version.contentStart, version.end),
        attributes,
        spki: der.subarray(spki.start, spki.end),
        algorithmOid: der.subarray(children(der, algorithm)[0].contentStart, children(der, algorithm)[0].end).toString("hex"),
        signature: der.subarray(signature.contentStart + 1, signature.end),
    };
}

const CN = "550403";
const O = "55040a";

describe("buildCsrPem", () => {
    const keys = {
        "RSA 3072": { key: generateKeyPairSync("rsa", { modulusLength: 3072 }).privateKey, digest: "sha256", oid: "2a864886f70d01010b" },
        "ECDSA P256": { key: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey, digest: "sha256", oid: "2a8648ce3d040302" },
        "ECDSA P384": { key: generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey, digest: "sha384", oid: "2a8648ce3d040303" },
        "Ed25519": { key: generateKeyPairSync("ed25519").privateKey, digest: null, oid: "2b6570" },
    };
    for (const [label, { key, digest, oid }] of Object.entries(keys)) {
        test(`${label}: subject CN=<user>, one O per group, the key's public half, a valid self-signature`, () => {
            const pem = buildCsrPem(key.export({ type: "pkcs8", format: "pem" }) as string, { commonName: "test", organizations: ["ops", "dev"] });
            expect(pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE REQUEST-----\n$/);
            const csr = decode(pem);
            expect(csr.version.toString("hex")).toBe("00");
            expect(csr.attributes).toEqual([{ oid: O, value: "ops" }, { oid: O, value: "dev" }, { oid: CN, value: "test" }]);
            expect(csr.spki.equals(createPublicKey(key).export({ type: "spki", format: "der" }) as Buffer)).toBe(true);
            expect(csr.algorithmOid).toBe(oid);
            expect(verify(digest, csr.tbs, createPublicKey(key), csr.signature)).toBe(true);
        });
    }

    // The CSR is an input of tls.LocallySignedCert (a change replaces the certificate) and of the CSR API command:
    // it must come out byte-identical for the same key and subject, ECDSA included (RFC 6979).
    for (const [label, { key }] of Object.entries(keys)) {
        test(`${label}: the same key and subject give the same CSR bytes every time; another subject another CSR`, () => {
            const pem = key.export({ type: "pkcs8", format: "pem" }) as string;
            const first = buildCsrPem(pem, { commonName: "test", organizations: ["ops"] });
            expect(buildCsrPem(pem, { commonName: "test", organizations: ["ops"] })).toBe(first);
            expect(buildCsrPem(pem, { commonName: "test", organizations: ["ops", "dev"] })).not.toBe(first);
        });
    }

    test("reads the key formats @pulumi/tls writes (PKCS#1 RSA, SEC1 EC, PKCS#8 Ed25519)", () => {
        const sec1 = keys["ECDSA P384"].key.export({ type: "sec1", format: "pem" }) as string;
        const pkcs1 = keys["RSA 3072"].key.export({ type: "pkcs1", format: "pem" }) as string;
        for (const pem of [sec1, pkcs1]) {
            const csr = decode(buildCsrPem(pem, { commonName: "u", organizations: [] }));
            expect(csr.attributes).toEqual([{ oid: CN, value: "u" }]);
        }
    });

    test("refuses an empty common name and over-long subject values", () => {
        const pem = keys["ECDSA P256"].key.export({ type: "pkcs8", format: "pem" }) as string;
        expect(() => buildCsrPem(pem, { commonName: "", organizations: [] })).toThrow(/empty/);
        expect(() => buildCsrPem(pem, { commonName: "u", organizations: ["g".repeat(65)] })).toThrow(/longer than 64/);
    });
});

describe("certificateNotAfter", () => {
    test("reads the expiry of a PEM certificate as ISO 8601", () => {
        expect(certificateNotAfter(TEST_CERTIFICATE_PEM)).toBe("2126-10-29T17:13:16.000Z");
    });
});
