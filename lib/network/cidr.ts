// IPv4 address and CIDR arithmetic used by network validation (pool inside pod CIDR, cluster IDs, peers).
// IPv4 only on purpose: the pod and pool CIDRs this program manages are IPv4 (Calico's IPv4 pool,
// Flannel's Network); IPv6 addresses are recognised only where a peer may use one.

export interface Ipv4Cidr {
    /** Network address as an unsigned 32-bit number. */
    address: number;
    prefixLength: number;
}

const IPV4_OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** Parses dotted-quad IPv4 ("10.0.0.1"); undefined when it is not one (no leading zeros, octets <= 255). */
export function parseIpv4(text: string): number | undefined {
    const parts = text.split(".");
    if (parts.length !== 4) return undefined;
    let value = 0;
    for (const part of parts) {
        if (!IPV4_OCTET.test(part)) return undefined;
        const octet = Number(part);
        if (octet > 255) return undefined;
        value = value * 256 + octet;
    }
    return value;
}

export function isIpv4(text: string): boolean {
    return parseIpv4(text) !== undefined;
}

/** A loose but safe IPv6 check: hex groups and colons, at most one "::", 8 groups when not compressed. */
export function isIpv6(text: string): boolean {
    if (!/^[0-9a-fA-F:]+$/.test(text) || !text.includes(":")) return false;
    const compressions = text.split("::").length - 1;
    if (compressions > 1) return false;
    const groups = text.split(":").filter(g => g !== "");
    if (groups.some(g => g.length > 4)) return false;
    return compressions === 1 ? groups.length < 8 : groups.length === 8;
}

export function formatIpv4(address: number): string {
    return [24, 16, 8, 0].map(shift => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** Parses "a.b.c.d/n". Host bits may be set here; use hostBitsSet() to reject them. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
    const slash = text.indexOf("/");
    if (slash < 0) return undefined;
    const address = parseIpv4(text.slice(0, slash));
    const prefixText = text.slice(slash + 1);
    if (address === undefined || !/^[0-9]{1,2}$/.test(prefixText)) return undefined;
    const prefixLength = Number(prefixText);
    if (prefixLength > 32) return undefined;
    return { address, prefixLength };
}

function blockSize(prefixLength: number): number {
    return 2 ** (32 - prefixLength);
}

export function networkAddress(cidr: Ipv4Cidr): number {
    return cidr.address - (cidr.address % blockSize(cidr.prefixLength));
}

/** True when the address has bits set beyond the prefix, e.g. "10.244.1.0/16". */
export function hostBitsSet(cidr: Ipv4Cidr): boolean {
    return networkAddress(cidr) !== cidr.address;
}

export function formatCidr(cidr: Ipv4Cidr): string {
    return `${formatIpv4(cidr.address)}/${cidr.prefixLength}`;
}

/** The canonical form of a CIDR with its host bits cleared. */
export function canonicalCidr(cidr: Ipv4Cidr): string {
    return `${formatIpv4(networkAddress(cidr))}/${cidr.prefixLength}`;
}

/** True when every address of `inner` is inside `outer` (equal ranges count as inside). */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
    if (inner.prefixLength < outer.prefixLength) return false;
    const outerStart = networkAddress(outer);
    return networkAddress(inner) >= outerStart
        && networkAddress(inner) + blockSize(inner.prefixLength) <= outerStart + blockSize(outer.prefixLength);
}
