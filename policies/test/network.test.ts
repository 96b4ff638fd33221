import { cidrWithin, parseCidr } from "../lib/cidr";
import { calicoIPPoolSane, calicoRouteReflectorClusterId, calicoRouteReflectorRedundancy } from "../rules/network";
import { runResource, runStack, UNKNOWN, urnFor } from "./harness";

const POOL_V1 = "kubernetes:crd.projectcalico.org/v1:IPPool";
const POOL_V3 = "kubernetes:projectcalico.org/v3:IPPool";
const INSTALLATION = "kubernetes:operator.tigera.io/v1:Installation";
const NODE = "kubernetes:core/v1:Node";
const NODE_PATCH = "kubernetes:core/v1:NodePatch";
const BGP_CONFIG = "kubernetes:crd.projectcalico.org/v1:BGPConfiguration";
const RR = "projectcalico.org/RouteReflectorClusterID";
const podCidrs = { podCidrs: ["10.244.0.0/16"] };

describe("CIDR containment", () => {
    it("knows which ranges lie inside others", () => {
        const within = (a: string, b: string) => cidrWithin(parseCidr(a)!, parseCidr(b)!);
        expect(within("10.244.0.0/18", "10.244.0.0/16")).toBe(true);
        expect(within("10.244.0.0/16", "10.244.0.0/16")).toBe(true);
        expect(within("10.0.0.0/8", "10.244.0.0/16")).toBe(false);
        expect(within("192.168.0.0/16", "10.244.0.0/16")).toBe(false);
        expect(within("fd00:10:244::/64", "fd00:10:244::/56")).toBe(true);
        expect(within("fd00:10:244::/64", "10.244.0.0/16")).toBe(false);
        expect(parseCidr("10.244.0.0")).toBeUndefined();
        expect(parseCidr("10.244.0.0/33")).toBeUndefined();
    });
});

describe("calico-ippool-sane", () => {
    const policy = calicoIPPoolSane();
    const pool = (spec: object, type = POOL_V1) => ({ type, name: "pool", props: { metadata: { name: "default-ipv4-ippool" }, spec } });
    const good = { cidr: "10.244.0.0/16", blockSize: 26, ipipMode: "Never", vxlanMode: "CrossSubnet", natOutgoing: true };

    it("passes a sane pool inside the pod CIDR", async () => {
        expect(await runResource(policy, pool(good), podCidrs)).toEqual([]);
        expect(await runResource(policy, pool({ cidr: "10.244.0.0/16" }, POOL_V3), podCidrs)).toEqual([]);
    });

    it("flags IPIP and VXLAN both enabled", async () => {
        expect(await runResource(policy, pool({ ...good, ipipMode: "Always", vxlanMode: "CrossSubnet" }))).toEqual([
            expect.stringMatching(/ipipMode 'Always' and vxlanMode 'CrossSubnet' are both enabled/),
        ]);
    });

    it("flags a mode Calico does not know (crd objects skip its validation)", async () => {
        expect(await runResource(policy, pool({ ...good, ipipMode: "always" }))).toEqual([expect.stringMatching(/ipipMode 'always' is not one of/)]);
    });

    it.each([19, 33, 26.5])("flags blockSize %s", async blockSize => {
        expect(await runResource(policy, pool({ ...good, blockSize }))).toHaveLength(1);
    });

    it("accepts the blockSize bounds and applies the IPv6 range to IPv6 pools", async () => {
        expect(await runResource(policy, pool({ ...good, blockSize: 20 }))).toEqual([]);
        expect(await runResource(policy, pool({ ...good, blockSize: 32 }))).toEqual([]);
        expect(await runResource(policy, pool({ cidr: "fd00:10:244::/48", blockSize: 122 }))).toEqual([]);
        expect(await runResource(policy, pool({ cidr: "fd00:10:244::/48", blockSize: 26 }))).toHaveLength(1);
    });

    it("flags a block larger than the pool", async () => {
        expect(await runResource(policy, pool({ ...good, cidr: "10.244.0.0/28", blockSize: 26 }))).toEqual([expect.stringMatching(/larger than the pool/)]);
    });

    it("requires blockSize on crd.projectcalico.org/v1 pools, where nothing defaults it", async () => {
        const { blockSize: _omitted, ...noBlockSize } = good;
        expect(await runResource(policy, pool(noBlockSize))).toEqual([expect.stringMatching(/bypass Calico's defaulting/)]);
        expect(await runResource(policy, pool(noBlockSize, POOL_V3))).toEqual([]);
    });

    it("flags a pool outside the pod CIDR (the manual's 192.168.0.0/16 on a 10.244.0.0/16 cluster)", async () => {
        expect(await runResource(policy, pool({ ...good, cidr: "192.168.0.0/16" }), podCidrs)).toEqual([
            expect.stringMatching(/cidr '192.168.0.0\/16' is not inside the pod CIDR \(10.244.0.0\/16\)/),
        ]);
        expect(await runResource(policy, pool({ ...good, cidr: "not-a-cidr" }))).toEqual([expect.stringMatching(/not a valid CIDR/)]);
    });

    it("checks the operator's Installation pools", async () => {
        const installation = { type: INSTALLATION, name: "default", props: { metadata: { name: "default" }, spec: { calicoNetwork: { ipPools: [
            UNKNOWN,
            { cidr: "10.244.0.0/16", blockSize: 26, encapsulation: "VXLANCrossSubnet" },
            { cidr: "172.16.0.0/16", blockSize: 40, encapsulation: "GRE" },
        ] } } } };
        const v = await runResource(policy, installation, podCidrs);
        expect(v).toHaveLength(3);
        expect(v.every(m => m.startsWith("Installation 'default' spec.calicoNetwork.ipPools[2]"))).toBe(true);
    });

    it("does not crash on unknown values", async () => {
        expect(await runResource(policy, pool({ cidr: UNKNOWN, blockSize: UNKNOWN, ipipMode: UNKNOWN, vxlanMode: "Always" }), podCidrs)).toEqual([]);
        expect(await runResource(policy, pool(UNKNOWN as unknown as object))).toEqual([]);
    });
});

describe("calico-route-reflector-cluster-id", () => {
    const policy = calicoRouteReflectorClusterId();
    const node = (id: unknown, type = NODE) => ({ type, name: "node-1", props: { metadata: { name: "node-1", annotations: { [RR]: id } } } });

    it("passes an IPv4 cluster ID and nodes without one", async () => {
        expect(await runResource(policy, node("244.0.0.1"))).toEqual([]);
        expect(await runResource(policy, { type: NODE, props: { metadata: { name: "n", annotations: {} } } })).toEqual([]);
    });

    it.each(["rr-cluster-1", "244.0.0", "244.0.0.256", "fd00::1", ""])("flags cluster ID %p", async id => {
        expect(await runResource(policy, node(id, NODE_PATCH))).toEqual([expect.stringMatching(/is not an IPv4 address; Calico ignores it silently/)]);
    });

    it("checks a Calico v3 Node's spec.bgp.routeReflectorClusterID", async () => {
        const calicoNode = (id: string) => ({ type: "kubernetes:projectcalico.org/v3:Node", props: { metadata: { name: "n" }, spec: { bgp: { routeReflectorClusterID: id } } } });
        expect(await runResource(policy, calicoNode("rr1"))).toHaveLength(1);
        expect(await runResource(policy, calicoNode("224.0.0.1"))).toEqual([]);
    });

    it("does not crash on an unknown annotation", async () => {
        expect(await runResource(policy, node(UNKNOWN))).toEqual([]);
        expect(await runResource(policy, { type: NODE_PATCH, props: { metadata: { name: "n", annotations: UNKNOWN } } })).toEqual([]);
    });
});

describe("calico-route-reflector-redundancy", () => {
    const policy = calicoRouteReflectorRedundancy();
    const bgp = (name: string, mesh: unknown) => ({ type: BGP_CONFIG, name: `bgp-${name}`, props: { metadata: { name }, spec: { nodeToNodeMeshEnabled: mesh, asNumber: 64512 } } });
    const reflector = (name: unknown, id: unknown = "244.0.0.1") => ({ type: NODE_PATCH, name: `rr-${String(name).slice(0, 8)}`, props: { metadata: { name, annotations: { [RR]: id }, labels: { "route-reflector": "true" } } } });

    it("flags the mesh turned off with a single reflector", async () => {
        const result = await runStack(policy, [bgp("default", false), reflector("node-1")]);
        expect(result.violations).toEqual([{ message: expect.stringMatching(/only node-1 as route reflector \(need 2\)/), urn: urnFor(BGP_CONFIG, "bgp-default") }]);
    });

    it("does not count a reflector with an invalid cluster ID", async () => {
        expect((await runStack(policy, [bgp("default", false), reflector("node-1"), reflector("node-2", "rr")])).violations).toHaveLength(1);
    });

    it("passes two reflectors, the mesh left on, or a BGPConfiguration other than 'default'", async () => {
        expect((await runStack(policy, [bgp("default", false), reflector("node-1"), reflector("node-2")])).violations).toEqual([]);
        expect((await runStack(policy, [bgp("default", true)])).violations).toEqual([]);
        expect((await runStack(policy, [bgp("node.node-1", false)])).violations).toEqual([]);
    });

    it("honours minReflectors", async () => {
        expect((await runStack(policy, [bgp("default", false), reflector("node-1"), reflector("node-2")], { minReflectors: 3 })).violations).toHaveLength(1);
    });

    it("does not crash, nor judge, while the mesh setting or reflector IDs are unknown", async () => {
        expect((await runStack(policy, [bgp("default", UNKNOWN)])).violations).toEqual([]);
        expect((await runStack(policy, [bgp("default", false), reflector("node-1"), reflector("node-2", UNKNOWN)])).violations).toEqual([]);
        expect((await runStack(policy, [bgp("default", false), reflector("node-1"), reflector(UNKNOWN)])).violations).toEqual([]);
    });
});
