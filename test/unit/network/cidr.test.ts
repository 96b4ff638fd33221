import { canonicalCidr, cidrContains, formatIpv4, hostBitsSet, isIpv4, isIpv6, parseIpv4, parseIpv4Cidr } from "../../../lib/network/cidr";

const cidr = (text: string) => {
    const parsed = parseIpv4Cidr(text);
    if (parsed === undefined) throw new Error(`not a CIDR: ${text}`);
    return parsed;
};

test("IPv4 addresses round-trip and malformed ones are rejected", () => {
    expect(formatIpv4(parseIpv4("244.0.0.1")!)).toBe("244.0.0.1");
    expect(formatIpv4(parseIpv4("255.255.255.255")!)).toBe("255.255.255.255");
    for (const bad of ["256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "a.b.c.d", "", "1.2.3.4/32", " 1.2.3.4"]) {
        expect(isIpv4(bad)).toBe(false);
    }
});

test("IPv6 recognition for BGP peers", () => {
    expect(isIpv6("2001:db8::1")).toBe(true);
    expect(isIpv6("fe80:0:0:0:0:0:0:1")).toBe(true);
    expect(isIpv6("2001:db8::1::2")).toBe(false);
    expect(isIpv6("192.0.2.1")).toBe(false);
    expect(isIpv6("2001:db8:0:0:0:0:0:0:1")).toBe(false);
});

test("CIDR parsing, host bits and canonical form", () => {
    expect(parseIpv4Cidr("10.244.0.0/33")).toBeUndefined();
    expect(parseIpv4Cidr("10.244.0.0")).toBeUndefined();
    expect(hostBitsSet(cidr("10.244.1.0/16"))).toBe(true);
    expect(hostBitsSet(cidr("10.244.0.0/16"))).toBe(false);
    expect(canonicalCidr(cidr("10.244.1.7/16"))).toBe("10.244.0.0/16");
    expect(canonicalCidr(cidr("0.0.0.0/0"))).toBe("0.0.0.0/0");
});

test("containment", () => {
    expect(cidrContains(cidr("10.244.0.0/16"), cidr("10.244.0.0/16"))).toBe(true);
    expect(cidrContains(cidr("10.244.0.0/16"), cidr("10.244.255.0/24"))).toBe(true);
    expect(cidrContains(cidr("10.244.0.0/16"), cidr("10.245.0.0/24"))).toBe(false);
    expect(cidrContains(cidr("10.244.0.0/16"), cidr("10.0.0.0/8"))).toBe(false);
    expect(cidrContains(cidr("0.0.0.0/0"), cidr("255.255.255.255/32"))).toBe(true);
});
