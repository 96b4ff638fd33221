// Which kernel modules and sysctls a node needs for the chosen CNI mode and kube-proxy mode, and the
// files that persist them across reboots (/etc/modules-load.d, /etc/sysctl.d).

import { CniConfig, KubeProxyConfig, NodeKernelConfig } from "../config/network";
import { assertToken, MODULE_NAME, normalizeSysctlValue, SYSCTL_KEY, SYSCTL_VALUE } from "../nodeShell";

export const MODULES_LOAD_FILE = "/etc/modules-load.d/90-kube-baseline-network.conf";
export const SYSCTL_FILE = "/etc/sysctl.d/90-kube-baseline-network.conf";

export interface KernelSettings {
    /** Modules in load order, without duplicates. */
    modules: string[];
    /** Sysctl key -> value, values normalised to single spaces. */
    sysctls: Record<string, string>;
}

/** Every container runtime and CNI needs these: bridged pod traffic seen by iptables, overlay storage. */
const BASE_MODULES = ["br_netfilter", "overlay", "nf_conntrack"];
/** IPVS core plus the schedulers kube-proxy may fall back to; the chosen scheduler is added on top. */
const IPVS_MODULES = ["ip_vs", "ip_vs_rr", "ip_vs_wrr", "ip_vs_sh"];

const REQUIRED_SYSCTLS: Record<string, string> = {
    "net.ipv4.ip_forward": "1",
    "net.bridge.bridge-nf-call-iptables": "1",
    "net.bridge.bridge-nf-call-ip6tables": "1",
};

/** The network tuning set from the manuals (kube-proxy/CNI guide, section 8.3), behind nodeKernel.tuning. */
export const TUNING_SYSCTLS: Record<string, string> = {
    "net.core.somaxconn": "32768",
    "net.ipv4.tcp_max_syn_backlog": "8192",
    "net.core.netdev_max_backlog": "16384",
    "net.netfilter.nf_conntrack_max": "1000000",
    "net.netfilter.nf_conntrack_buckets": "256000",
    "net.netfilter.nf_conntrack_tcp_timeout_established": "86400",
    "net.ipv4.tcp_tw_reuse": "1",
    "net.core.rmem_max": "16777216",
    "net.core.wmem_max": "16777216",
    "net.core.rmem_default": "1048576",
    "net.core.wmem_default": "1048576",
    "net.ipv4.tcp_rmem": "4096 1048576 16777216",
    "net.ipv4.tcp_wmem": "4096 1048576 16777216",
    "net.ipv4.neigh.default.gc_thresh1": "4096",
    "net.ipv4.neigh.default.gc_thresh2": "6144",
    "net.ipv4.neigh.default.gc_thresh3": "8192",
    "net.ipv4.tcp_fin_timeout": "15",
    "net.core.default_qdisc": "fq",
    "net.ipv4.tcp_congestion_control": "bbr",
};
/** fq and BBR as modules, so the tuning sysctls also apply at boot before anything else loads them. */
export const TUNING_MODULES = ["sch_fq", "tcp_bbr"];

function tunnelModules(cni: CniConfig | undefined): string[] {
    if (cni === undefined) return [];
    if (cni.kind === "flannel") return cni.flannel?.backend.type === "vxlan" ? ["vxlan"] : [];
    const pool = cni.calico?.pool;
    const modules: string[] = [];
    if (pool && pool.ipipMode !== "Never") modules.push("ipip");
    if (pool && pool.vxlanMode !== "Never") modules.push("vxlan");
    return modules;
}

export interface KernelInputs {
    cni?: CniConfig;
    kubeProxy?: KubeProxyConfig;
    kernel: NodeKernelConfig;
}

/**
 * The settings for a node. Later sources win for a sysctl: required < tuning < conntrackMax < explicit
 * nodeKernel.sysctls.
 */
export function kernelSettingsFor(inputs: KernelInputs): KernelSettings {
    const modules: string[] = [];
    const add = (names: string[]) => names.forEach(m => { if (!modules.includes(m)) modules.push(m); });
    add(BASE_MODULES);
    add(tunnelModules(inputs.cni));
    if (inputs.kubeProxy?.mode === "ipvs") add([...IPVS_MODULES, `ip_vs_${inputs.kubeProxy.scheduler}`]);
    if (inputs.kernel.tuning) add(TUNING_MODULES);
    add(inputs.kernel.modules);

    const sysctls: Record<string, string> = { ...REQUIRED_SYSCTLS };
    if (inputs.kernel.tuning) Object.assign(sysctls, TUNING_SYSCTLS);
    if (inputs.kernel.conntrackMax !== undefined) {
        sysctls["net.netfilter.nf_conntrack_max"] = String(inputs.kernel.conntrackMax);
    }
    for (const [key, value] of Object.entries(inputs.kernel.sysctls)) sysctls[key] = normalizeSysctlValue(value);

    modules.forEach(m => assertToken("kernel module", m, MODULE_NAME));
    for (const [key, value] of Object.entries(sysctls)) {
        assertToken("sysctl key", key, SYSCTL_KEY);
        assertToken(`value of ${key}`, value, SYSCTL_VALUE);
    }
    return { modules, sysctls };
}

const HEADER = "# Managed by kube-baseline (network plane). Changes here are overwritten on the next pulumi up.\n";

/** /etc/modules-load.d file: one module per line. */
export function renderModulesLoadFile(settings: KernelSettings): string {
    return `${HEADER}${settings.modules.map(m => `${m}\n`).join("")}`;
}

/** /etc/sysctl.d file: "key = value" per line, in the order the settings were built. */
export function renderSysctlFile(settings: KernelSettings): string {
    return `${HEADER}${Object.entries(settings.sysctls).map(([k, v]) => `${k} = ${v}\n`).join("")}`;
}
