import { validateNetworkConfig, ClusterFacts, DEFAULT_CALICO_VERSION } from "../../../lib/config/network";

const cluster: ClusterFacts = { podCidr: "10.244.0.0/16", nodeNames: ["cp1", "node1", "node2"] };

function issueKeys(raw: unknown) {
    return validateNetworkConfig(raw, cluster).issues.map(i => i.key);
}

function issueFor(raw: unknown, key: string) {
    const issues = validateNetworkConfig(raw, cluster).issues;
    const issue = issues.find(i => i.key === key);
    if (issue === undefined) throw new Error(`no issue for ${key}: ${JSON.stringify(issues)}`);
    return issue;
}

describe("validateNetworkConfig: defaults", () => {
    test("nothing configured manages nothing", () => {
        expect(validateNetworkConfig(undefined, cluster)).toEqual({ config: {}, issues: [], warnings: [] });
    });

    test("flannel defaults come from the cluster pod CIDR and the pinned release", () => {
        const { config, issues } = validateNetworkConfig({ cni: { kind: "flannel" } }, cluster);
        expect(issues).toEqual([]);
        expect(config?.cni).toEqual({
            kind: "flannel",
            cleanupFlannel: true,
            manifest: expect.objectContaining({ source: "url", url: expect.stringMatching(/^https:\/\/github\.com\/flannel-io\/flannel\/releases\/download\/v[0-9.]+\/kube-flannel\.yml$/) }),
            flannel: { network: "10.244.0.0/16", subnetLen: 24, backend: { type: "vxlan", vni: 1, port: 8472, directRouting: false } },
        });
        // kernel settings follow the CNI even when nodeKernel is not configured
        expect(config?.nodeKernel).toEqual({ tuning: false, sysctls: {}, modules: [] });
    });

    test("calico defaults: pool over the pod CIDR, /26 blocks, IPIP Always, pinned manifest", () => {
        const { config } = validateNetworkConfig({ cni: { kind: "calico" } }, cluster);
        expect(config?.cni?.calico).toEqual({
            namespace: "kube-system",
            pool: { name: "default-ipv4-ippool", cidr: "10.244.0.0/16", blockSize: 26, ipipMode: "Always", vxlanMode: "Never", natOutgoing: true },
        });
        expect(config?.cni?.manifest).toEqual({
            source: "url", version: DEFAULT_CALICO_VERSION, sha256: undefined,
            url: `https://raw.githubusercontent.com/projectcalico/calico/${DEFAULT_CALICO_VERSION}/manifests/calico.yaml`,
        });
    });

    test("a local manifest path is kept for air-gapped installs", () => {
        const { config } = validateNetworkConfig({ cni: { kind: "calico", manifest: { path: "manifests/calico.yaml" } } }, cluster);
        expect(config?.cni?.manifest).toEqual({ source: "path", path: "manifests/calico.yaml", sha256: undefined });
    });

    test("kube-proxy ipvs defaults to rr without strictARP", () => {
        const { config } = validateNetworkConfig({ kubeProxy: { mode: "ipvs" } }, cluster);
        expect(config?.kubeProxy).toEqual({ mode: "ipvs", scheduler: "rr", strictARP: false });
    });

    test("bgp with reflectors turns the mesh off by default; without them it stays on", () => {
        const rr = validateNetworkConfig({ cni: { kind: "calico" }, bgp: { routeReflectors: { nodes: ["cp1", "node1"], clusterId: "244.0.0.1" } } }, cluster);
        expect(rr.issues).toEqual([]);
        expect(rr.config?.bgp).toEqual({
            asNumber: 64512, nodeToNodeMesh: false, logSeverityScreen: "Info", serviceClusterIPs: [],
            routeReflectors: { nodes: ["cp1", "node1"], clusterId: "244.0.0.1" }, externalPeers: [],
        });
        const mesh = validateNetworkConfig({ cni: { kind: "calico" }, bgp: { asNumber: 63400 } }, cluster);
        expect(mesh.config?.bgp?.nodeToNodeMesh).toBe(true);
    });

    test("external peers get a name derived from their address", () => {
        const { config } = validateNetworkConfig({
            cni: { kind: "calico" },
            bgp: { externalPeers: [{ peerIP: "192.0.2.1", asNumber: 65001, passwordSecret: { name: "bgp-secrets", key: "tor1" } }] },
        }, cluster);
        expect(config?.bgp?.externalPeers).toEqual([
            { name: "external-192-0-2-1", peerIP: "192.0.2.1", asNumber: 65001, passwordSecret: { name: "bgp-secrets", key: "tor1" } },
        ]);
    });
});

describe("validateNetworkConfig: shape errors name the key and value", () => {
    test("unknown kind", () => {
        const issue = issueFor({ cni: { kind: "weave" } }, "kube-baseline:cni.kind");
        expect(issue.value).toBe("weave");
        expect(issue.message).toMatch(/"flannel", "calico"/);
    });

    test("misspelled setting: named with a suggestion, its value never shown", () => {
        const issue = issueFor({ cni: { kind: "calico", calico: { pool: { blocksize: 24 } } } }, "kube-baseline:cni.calico.pool.blocksize");
        expect(issue.hideValue).toBe(true);
        expect(issue.message).toBe("is not a known setting; did you mean blockSize?");
    });

    test("wrong type", () => {
        expect(issueFor({ kubeProxy: { mode: "ipvs", strictARP: "yes" } }, "kube-baseline:kubeProxy.strictARP").value).toBe("yes");
    });

    test("missing required key inside a list item", () => {
        const issue = issueFor({ bgp: { externalPeers: [{ peerIP: "192.0.2.1", asNumber: 65001 }, { peerIP: "192.0.2.2" }] } },
            "kube-baseline:bgp.externalPeers[1].asNumber");
        expect(issue.message).toBe("is required");
    });

    test("bad ipvs scheduler", () => {
        expect(issueFor({ kubeProxy: { mode: "ipvs", scheduler: "wrr" } }, "kube-baseline:kubeProxy.scheduler").value).toBe("wrr");
    });
});

describe("validateNetworkConfig: Calico pool rules", () => {
    const calico = (pool: object) => ({ cni: { kind: "calico", calico: { pool } } });

    test("IPIP and VXLAN cannot both be on", () => {
        const issue = issueFor(calico({ ipipMode: "CrossSubnet", vxlanMode: "Always" }), "kube-baseline:cni.calico.pool.vxlanMode");
        expect(issue.value).toBe("Always");
        expect(issue.message).toMatch(/ipipMode CrossSubnet/);
    });

    test("either encapsulation alone, or none at all, is fine", () => {
        expect(issueKeys(calico({ ipipMode: "CrossSubnet", vxlanMode: "Never" }))).toEqual([]);
        expect(issueKeys(calico({ ipipMode: "Never", vxlanMode: "CrossSubnet" }))).toEqual([]);
        expect(issueKeys(calico({ ipipMode: "Never", vxlanMode: "Never" }))).toEqual([]);
    });

    test.each([19, 33])("blockSize %i is out of range", size => {
        const issue = issueFor(calico({ blockSize: size }), "kube-baseline:cni.calico.pool.blockSize");
        expect(issue.value).toBe(size);
        expect(issue.message).toMatch(/between 20 and 32/);
    });

    test.each([20, 32])("blockSize %i is accepted", size => {
        expect(issueKeys(calico({ blockSize: size }))).toEqual([]);
    });

    test("pool must be inside the cluster pod CIDR", () => {
        const issue = issueFor(calico({ cidr: "192.168.0.0/16" }), "kube-baseline:cni.calico.pool.cidr");
        expect(issue.value).toBe("192.168.0.0/16");
        expect(issue.message).toMatch(/inside the cluster pod CIDR 10\.244\.0\.0\/16/);
        expect(issueKeys(calico({ cidr: "10.244.128.0/17" }))).toEqual([]);
        expect(issueKeys(calico({ cidr: "10.0.0.0/8" }))).toEqual(["kube-baseline:cni.calico.pool.cidr"]);
    });

    test("a CIDR with host bits set suggests the canonical one", () => {
        expect(issueFor(calico({ cidr: "10.244.1.0/16" }), "kube-baseline:cni.calico.pool.cidr").message).toMatch(/did you mean 10\.244\.0\.0\/16/);
    });

    test("a block bigger than the pool is refused", () => {
        expect(issueFor(calico({ cidr: "10.244.0.0/24", blockSize: 22 }), "kube-baseline:cni.calico.pool.blockSize").message)
            .toMatch(/does not fit/);
    });

    test("without cluster facts the pool CIDR must be given", () => {
        const keys = (raw: unknown) => validateNetworkConfig(raw).issues.map(i => i.key);
        expect(keys({ cni: { kind: "calico" } })).toEqual(["kube-baseline:cni.calico.pool.cidr"]);
        expect(keys(calico({ cidr: "172.16.0.0/16" }))).toEqual([]);
    });
});

describe("validateNetworkConfig: Flannel rules", () => {
    const flannel = (f: object) => ({ cni: { kind: "flannel", flannel: f } });

    test("network must contain the pod CIDR", () => {
        expect(issueFor(flannel({ network: "10.244.0.0/24" }), "kube-baseline:cni.flannel.network").value).toBe("10.244.0.0/24");
        expect(issueKeys(flannel({ network: "10.240.0.0/12" }))).toEqual([]);
    });

    test("subnetLen must be longer than the network prefix", () => {
        expect(issueFor(flannel({ subnetLen: 16 }), "kube-baseline:cni.flannel.subnetLen").value).toBe(16);
    });

    test("vxlan settings are range-checked", () => {
        expect(issueFor(flannel({ backend: { type: "vxlan", vni: 16777216 } }), "kube-baseline:cni.flannel.backend.vni").value).toBe(16777216);
        expect(issueFor(flannel({ backend: { type: "vxlan", port: 70000 } }), "kube-baseline:cni.flannel.backend.port").value).toBe(70000);
        expect(issueFor(flannel({ backend: { type: "vxlan", mtu: 100 } }), "kube-baseline:cni.flannel.backend.mtu").value).toBe(100);
    });

    test("vxlan-only settings under host-gw are an error", () => {
        expect(issueFor(flannel({ backend: { type: "host-gw", directRouting: true } }), "kube-baseline:cni.flannel.backend.directRouting").message)
            .toMatch(/only valid for backend type vxlan/);
    });

    test("bgp settings with flannel are an error", () => {
        expect(issueFor({ cni: { kind: "flannel" }, bgp: { asNumber: 64512 } }, "kube-baseline:bgp").message).toMatch(/calico/);
    });
});

describe("validateNetworkConfig: BGP rules", () => {
    const withBgp = (bgp: object) => ({ cni: { kind: "calico" }, bgp });

    test("route reflector cluster ID must be IPv4", () => {
        const issue = issueFor(withBgp({ routeReflectors: { nodes: ["cp1", "node1"], clusterId: "rr-cluster-1" } }), "kube-baseline:bgp.routeReflectors.clusterId");
        expect(issue.value).toBe("rr-cluster-1");
        expect(issue.message).toMatch(/IPv4/);
        expect(issueKeys(withBgp({ routeReflectors: { nodes: ["cp1", "node1"], clusterId: "1.1.1.256" } }))).toEqual(["kube-baseline:bgp.routeReflectors.clusterId"]);
    });

    test.each([0, 4294967296])("AS number %i is out of range", as => {
        expect(issueFor(withBgp({ asNumber: as }), "kube-baseline:bgp.asNumber").value).toBe(as);
        expect(issueFor(withBgp({ externalPeers: [{ peerIP: "192.0.2.1", asNumber: as }] }), "kube-baseline:bgp.externalPeers[0].asNumber").value).toBe(as);
    });

    test.each([1, 4294967295])("AS number %i is accepted", as => {
        expect(issueKeys(withBgp({ asNumber: as }))).toEqual([]);
    });

    test("reflector nodes must be nodes of the cluster", () => {
        const issue = issueFor(withBgp({ routeReflectors: { nodes: ["cp1", "nodeX"], clusterId: "244.0.0.1" } }), "kube-baseline:bgp.routeReflectors.nodes[1]");
        expect(issue.value).toBe("nodeX");
        expect(issue.message).toMatch(/cp1, node1, node2/);
    });

    test("a single reflector is a warning, not an error", () => {
        const result = validateNetworkConfig(withBgp({ routeReflectors: { nodes: ["cp1"], clusterId: "244.0.0.1" } }), cluster);
        expect(result.issues).toEqual([]);
        expect(result.warnings).toEqual([expect.stringMatching(/^kube-baseline:bgp\.routeReflectors\.nodes\[0\] = "cp1": .*single point of failure/)]);
    });

    test("a mesh over 100 nodes warns; 100 nodes does not", () => {
        const nodes = (n: number) => ({ podCidr: "10.244.0.0/16", nodeNames: Array.from({ length: n }, (_, i) => `n${i}`) });
        expect(validateNetworkConfig(withBgp({}), nodes(101)).warnings).toEqual([expect.stringMatching(/nodeToNodeMesh.*101 nodes/)]);
        expect(validateNetworkConfig(withBgp({}), nodes(100)).warnings).toEqual([]);
        expect(validateNetworkConfig(withBgp({ routeReflectors: { nodes: ["n1", "n2"], clusterId: "244.0.0.1" } }), nodes(101)).warnings).toEqual([]);
    });

    test("mesh off with nothing to replace it is refused", () => {
        expect(issueFor(withBgp({ nodeToNodeMesh: false }), "kube-baseline:bgp.nodeToNodeMesh").message).toMatch(/without routeReflectors or externalPeers/);
        expect(issueKeys(withBgp({ nodeToNodeMesh: false, externalPeers: [{ peerIP: "192.0.2.1", asNumber: 65001 }] }))).toEqual([]);
    });

    test("external peer address, secret reference and names are checked", () => {
        expect(issueFor(withBgp({ externalPeers: [{ peerIP: "tor1.example", asNumber: 65001 }] }), "kube-baseline:bgp.externalPeers[0].peerIP").value).toBe("tor1.example");
        expect(issueKeys(withBgp({ externalPeers: [{ peerIP: "2001:db8::1", asNumber: 65001 }] }))).toEqual([]);
        expect(issueFor(withBgp({ externalPeers: [{ peerIP: "192.0.2.1", asNumber: 65001, passwordSecret: { name: "BGP_Secrets", key: "k" } }] }),
            "kube-baseline:bgp.externalPeers[0].passwordSecret.name").value).toBe("BGP_Secrets");
        expect(issueKeys(withBgp({ externalPeers: [{ name: "tor", peerIP: "192.0.2.1", asNumber: 65001 }, { name: "tor", peerIP: "192.0.2.2", asNumber: 65001 }] })))
            .toEqual(["kube-baseline:bgp.externalPeers[1].name"]);
    });

    test("service cluster IP advertisements must be CIDRs", () => {
        expect(issueFor(withBgp({ serviceClusterIPs: ["10.96.0.0/12", "10.96.0.1"] }), "kube-baseline:bgp.serviceClusterIPs[1]").value).toBe("10.96.0.1");
    });
});

describe("validateNetworkConfig: kube-proxy and node kernel", () => {
    test("ipvs-only settings in iptables mode warn", () => {
        const result = validateNetworkConfig({ kubeProxy: { mode: "iptables", scheduler: "lc" } }, cluster);
        expect(result.issues).toEqual([]);
        expect(result.warnings).toEqual([expect.stringMatching(/kubeProxy\.scheduler.*no effect in iptables mode/)]);
    });

    test("sysctl names and values cannot smuggle shell syntax", () => {
        expect(issueFor({ nodeKernel: { sysctls: { "net/ipv4/ip_forward": 1 } } }, "kube-baseline:nodeKernel.sysctls.net/ipv4/ip_forward").message).toMatch(/sysctl name/);
        expect(issueFor({ nodeKernel: { sysctls: { "net.core.somaxconn": "1; reboot" } } }, "kube-baseline:nodeKernel.sysctls.net.core.somaxconn").value).toBe("1; reboot");
        expect(issueFor({ nodeKernel: { modules: ["ip_vs", "$(reboot)"] } }, "kube-baseline:nodeKernel.modules[1]").value).toBe("$(reboot)");
    });

    test("sysctl values are normalised (booleans to 0/1, blanks collapsed)", () => {
        const { config } = validateNetworkConfig({ nodeKernel: { tuning: true, conntrackMax: 262144, sysctls: { "net.ipv4.tcp_rmem": "4096\t87380   6291456", "net.ipv4.ip_forward": true } } }, cluster);
        expect(config?.nodeKernel).toEqual({ tuning: true, conntrackMax: 262144, modules: [], sysctls: { "net.ipv4.tcp_rmem": "4096 87380 6291456", "net.ipv4.ip_forward": "1" } });
    });

    test("conntrackMax must be positive", () => {
        expect(issueFor({ nodeKernel: { conntrackMax: 0 } }, "kube-baseline:nodeKernel.conntrackMax").value).toBe(0);
    });
});

describe("validateNetworkConfig: manifest source", () => {
    test("url and path together are ambiguous", () => {
        expect(issueKeys({ cni: { kind: "flannel", manifest: { url: "https://example.com/f.yml", path: "f.yml" } } })).toEqual(["kube-baseline:cni.manifest.url"]);
    });

    test("plain http is refused", () => {
        expect(issueFor({ cni: { kind: "flannel", manifest: { url: "http://example.com/f.yml" } } }, "kube-baseline:cni.manifest.url").value).toBe("http://example.com/f.yml");
    });

    test("sha256 must be a hex digest", () => {
        expect(issueKeys({ cni: { kind: "flannel", manifest: { sha256: "abc" } } })).toEqual(["kube-baseline:cni.manifest.sha256"]);
    });
});
