// The common names (CN) and organizations (O) in a PKCS#10 certificate request's subject, read from its PEM: the
// user and the groups Kubernetes will give whoever holds the certificate issued for it. kube-baseline builds its
// CSRs itself (one O per group) and hands them to tls.LocallySignedCert (certRequestPem) or, for the CSR API, to a
// node command on stdin. Pure.

const OID_ORGANIZATION = "55040a"; // 2.5.4.10, DER-encoded
const OID_COMMON_NAME = "550403"; // 2.5.4.3
const STRING_TAGS = new Set([0x0c, 0x13, 0x14, 0x16, 0x1e]); // UTF8String, PrintableString, T61, IA5, BMPString

interface Tlv { tag: number; start: number; end: number }

function readTlv(der: Buffer, offset: number): Tlv {
    if (offset + 2 > der.length) throw new Error("truncated DER");
    const tag = der[offset];
    let length = der[offset + 1];
    let start = offset + 2;
    if (length & 0x80) {
        const bytes = length & 0x7f;
        if (bytes === 0 || bytes > 4) throw new Error("unsupported DER length");
        length = 0;
        for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i];
        start += bytes;
    }
    if (start + length > der.length) throw new Error("truncated DER");
    return { tag, start, end: start + length };
}

function children(der: Buffer, parent: Tlv): Tlv[] {
    const out: Tlv[] = [];
    for (let at = parent.start; at < parent.end;) {
        const child = readTlv(der, at);
        out.push(child);
        at = child.end;
    }
    return out;
}

/** Every CERTIFICATE REQUEST block in the text, as DER. */
function requestBlocks(text: string): Buffer[] {
    return [...text.matchAll(/-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (?:NEW )?CERTIFICATE REQUEST-----/g)]
        .map(m => Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
}

/** The subject's common names (CN: the user) and organizations (O: the groups) of certificate requests. */
export interface CsrSubjects { commonNames: string[]; organizations: string[] }

/**
 * The subjects of every certificate request in `text` (a PEM, or a script's stdin holding one). undefined when
 * `text` holds a request that cannot be read: the caller cannot tell what it asks for.
 */
export function csrSubjects(text: string): CsrSubjects | undefined {
    const found: CsrSubjects = { commonNames: [], organizations: [] };
    for (const der of requestBlocks(text)) {
        try {
            const [info] = children(der, readTlv(der, 0));
            const [, subject] = children(der, info);
            for (const rdn of children(der, subject)) {
                for (const attribute of children(der, rdn)) {
                    const [oid, value] = children(der, attribute);
                    const oidHex = der.subarray(oid.start, oid.end).toString("hex");
                    const into = oidHex === OID_ORGANIZATION ? found.organizations : oidHex === OID_COMMON_NAME ? found.commonNames : undefined;
                    if (into === undefined) continue;
                    if (!STRING_TAGS.has(value.tag)) return undefined;
                    const raw = Buffer.from(der.subarray(value.start, value.end));
                    into.push(value.tag === 0x1e ? raw.swap16().toString("utf16le") : raw.toString("utf8"));
                }
            }
        } catch {
            return undefined;
        }
    }
    return found;
}

/** The subject organizations of every certificate request in `text`; undefined when one cannot be read. */
export function csrOrganizations(text: string): string[] | undefined {
    return csrSubjects(text)?.organizations;
}

/** True when the text holds a certificate request. */
export function holdsCertificateRequest(text: string): boolean {
    return requestBlocks(text).length > 0;
}
