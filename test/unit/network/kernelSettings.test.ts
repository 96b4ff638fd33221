import { CniConfig, KubeProxyConfig, NodeKernelConfig } from "../../../lib/config/network";
import { kernelSettingsFor, renderModulesLoadFile, renderSysctlFile, TUNING_SYSCTLS } from "../../../lib/network/kernelSettings";

const manifest = { source: "url" as const, url: "https://example.com/m.yml", version: "v1.0.0" };
const flannel = (type: "vxlan" | "host-gw"): CniConfig => ({
    kind: "flannel", manifest, cleanupFlannel: true,
    flannel: { network: "10.244.0.0/16", subnetLen: 24, backend: type === "vxlan" ? { type, vni: 1, port: 8472, directRouting: false } : { type } },
});
const calico = (ipipMode: "Never" | "Always" | "CrossSubnet", vxlanMode: "Never" | "Always" | "CrossSubnet"): CniConfig => ({
    kind: "calico", manifest, cleanupFlannel: true,
    calico: { namespace: "kube-system", pool: { name: "p", cidr: "10.244.0.0/16", blockSize: 26, ipipMode, vxlanMode, natOutgoing: true } },
});
const plain: NodeKernelConfig = { tuning: false, sysctls: {}, modules: [] };
const ipvs = (scheduler: KubeProxyConfig["scheduler"]): KubeProxyConfig => ({ mode: "ipvs", scheduler, strictARP: true });

test("the base every node needs", () => {
    expect(kernelSettingsFor({ kernel: plain })).toEqual({
        modules: ["br_netfilter", "overlay", "nf_conntrack"],
        sysctls: { "net.ipv4.ip_forward": "1", "net.bridge.bridge-nf-call-iptables": "1", "net.bridge.bridge-nf-call-ip6tables": "1" },
    });
});

test("tunnel modules follow the CNI mode", () => {
    const tunnels = (cni: CniConfig) => kernelSettingsFor({ cni, kernel: plain }).modules.filter(m => m === "vxlan" || m === "ipip");
    expect(tunnels(flannel("vxlan"))).toEqual(["vxlan"]);
    expect(tunnels(flannel("host-gw"))).toEqual([]);
    expect(tunnels(calico("CrossSubnet", "Never"))).toEqual(["ipip"]);
    expect(tunnels(calico("Never", "Always"))).toEqual(["vxlan"]);
    expect(tunnels(calico("Never", "Never"))).toEqual([]);
});

test("ipvs adds its core modules plus the scheduler's, without duplicates", () => {
    const modules = (kp: KubeProxyConfig) => kernelSettingsFor({ kubeProxy: kp, kernel: plain }).modules;
    expect(modules(ipvs("lc"))).toEqual(["br_netfilter", "overlay", "nf_conntrack", "ip_vs", "ip_vs_rr", "ip_vs_wrr", "ip_vs_sh", "ip_vs_lc"]);
    expect(modules(ipvs("rr")).filter(m => m === "ip_vs_rr")).toHaveLength(1);
    expect(modules({ mode: "iptables", scheduler: "lc", strictARP: false })).not.toContain("ip_vs");
});

test("tuning is off by default and brings the manuals' values when on", () => {
    const tuned = kernelSettingsFor({ kernel: { ...plain, tuning: true } });
    expect(tuned.sysctls).toMatchObject(TUNING_SYSCTLS);
    expect(tuned.sysctls["net.ipv4.tcp_congestion_control"]).toBe("bbr");
    expect(tuned.modules).toEqual(expect.arrayContaining(["tcp_bbr", "sch_fq"]));
    expect(kernelSettingsFor({ kernel: plain }).sysctls).not.toHaveProperty("net.core.somaxconn");
});

test("precedence: required < tuning < conntrackMax < explicit sysctls", () => {
    const s = kernelSettingsFor({
        kernel: { tuning: true, conntrackMax: 524288, modules: ["nf_nat"], sysctls: { "net.core.somaxconn": "4096", "net.ipv4.ip_forward": "1" } },
    });
    expect(s.sysctls["net.netfilter.nf_conntrack_max"]).toBe("524288");
    expect(s.sysctls["net.core.somaxconn"]).toBe("4096");
    expect(s.modules[s.modules.length - 1]).toBe("nf_nat");
});

test("unsafe values never reach a script", () => {
    expect(() => kernelSettingsFor({ kernel: { ...plain, modules: ["x;reboot"] } })).toThrow(/unsafe kernel module/);
    expect(() => kernelSettingsFor({ kernel: { ...plain, sysctls: { "net.core.somaxconn": "$(id)" } } })).toThrow(/unsafe value/);
});

test("persistence files", () => {
    const s = kernelSettingsFor({ cni: flannel("vxlan"), kernel: { ...plain, conntrackMax: 131072 } });
    expect(renderModulesLoadFile(s).split("\n").filter(l => l && !l.startsWith("#"))).toEqual(["br_netfilter", "overlay", "nf_conntrack", "vxlan"]);
    expect(renderSysctlFile(s).split("\n").filter(l => l && !l.startsWith("#"))).toEqual([
        "net.ipv4.ip_forward = 1",
        "net.bridge.bridge-nf-call-iptables = 1",
        "net.bridge.bridge-nf-call-ip6tables = 1",
        "net.netfilter.nf_conntrack_max = 131072",
    ]);
});
