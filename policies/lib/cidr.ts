// CIDR arithmetic for pool checks, on Node's own address parser (IPv4 and IPv6).

import { BlockList, isIPv4, isIPv6 } from "net";

export interface Cidr {
    address: string;
    prefix: number;
    family: "ipv4" | "ipv6";
}

/** Parses `a.b.c.d/n` or `x::y/n`; undefined when it is not a CIDR. */
export function parseCidr(text: string): Cidr | undefined {
    const match = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
    if (!match) return undefined;
    const [, address, prefixText] = match;
    const prefix = Number(prefixText);
    if (isIPv4(address) && prefix <= 32) return { address, prefix, family: "ipv4" };
    if (isIPv6(address) && prefix <= 128) return { address, prefix, family: "ipv6" };
    return undefined;
}

/** True when every address of `inner` lies in `outer`. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
    if (inner.family !== outer.family || inner.prefix < outer.prefix) return false;
    const outerRange = new BlockList();
    outerRange.addSubnet(outer.address, outer.prefix, outer.family);
    // With a prefix at least as long, the inner range is inside iff its first address is.
    return outerRange.check(inner.address, inner.family);
}
