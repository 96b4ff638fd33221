import { CalicoPoolConfig } from "../../../lib/config/network";
import { calicoNodePoolEnv, checkIpPoolImmutable, renderIpPool } from "../../../lib/network/calicoIpPool";

const pool: CalicoPoolConfig = {
    name: "default-ipv4-ippool", cidr: "10.244.0.0/16", blockSize: 24, ipipMode: "CrossSubnet", vxlanMode: "Never", natOutgoing: true,
};

test("IPPool is a crd.projectcalico.org/v1 object with every field explicit", () => {
    expect(renderIpPool(pool)).toEqual({
        apiVersion: "crd.projectcalico.org/v1",
        kind: "IPPool",
        metadata: { name: "default-ipv4-ippool" },
        spec: {
            cidr: "10.244.0.0/16", blockSize: 24, ipipMode: "CrossSubnet", vxlanMode: "Never",
            natOutgoing: true, nodeSelector: "all()", disabled: false,
        },
    });
});

test("calico-node env mirrors the pool", () => {
    expect(calicoNodePoolEnv({ ...pool, ipipMode: "Never", vxlanMode: "Always", natOutgoing: false })).toEqual({
        CALICO_IPV4POOL_CIDR: "10.244.0.0/16",
        CALICO_IPV4POOL_BLOCK_SIZE: "24",
        CALICO_IPV4POOL_IPIP: "Never",
        CALICO_IPV4POOL_VXLAN: "Always",
        CALICO_IPV4POOL_NAT_OUTGOING: "false",
    });
});

describe("checkIpPoolImmutable", () => {
    test("first deployment has nothing to compare", () => {
        expect(checkIpPoolImmutable(undefined, pool)).toEqual([]);
    });

    test("encapsulation may change, cidr and blockSize may not", () => {
        expect(checkIpPoolImmutable({ cidr: "10.244.0.0/16", blockSize: 24 }, pool)).toEqual([]);
        const issues = checkIpPoolImmutable({ cidr: "10.244.0.0/17", blockSize: 26 }, pool);
        expect(issues.map(i => [i.key, i.value])).toEqual([
            ["kube-baseline:cni.calico.pool.cidr", "10.244.0.0/16"],
            ["kube-baseline:cni.calico.pool.blockSize", 24],
        ]);
        expect(issues[0].message).toMatch(/immutable.*deployed: "10\.244\.0\.0\/17"/);
    });
});
