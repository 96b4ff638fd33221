import { editKubeProxyConfig, readKubeProxyMode } from "../../../lib/network/kubeProxyConfig";

// Shaped like the config.conf kubeadm writes into ConfigMap kube-system/kube-proxy.
const KUBEADM_CONFIG = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: 10.244.0.0/16
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
detectLocalMode: ""
enableProfiling: false
healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: ""
  strictARP: false
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
  verbosity: 0
metricsBindAddress: ""
mode: ""
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
showHiddenMetricsForDisabledFeatures: false
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: ""
  rootHnsEndpointName: ""
  sourceVip: ""
`;

test("ipvs with lc and strictARP changes exactly three lines, keeping their quoting style", () => {
    const edited = editKubeProxyConfig(KUBEADM_CONFIG, { mode: "ipvs", scheduler: "lc", strictARP: true });
    const before = KUBEADM_CONFIG.split("\n");
    const after = edited.split("\n");
    expect(after).toHaveLength(before.length);
    const changed = before.map((line, i) => [line, after[i]]).filter(([a, b]) => a !== b);
    expect(changed).toEqual([
        ['  scheduler: ""', '  scheduler: "lc"'],
        ["  strictARP: false", "  strictARP: true"],
        ['mode: ""', 'mode: "ipvs"'],
    ]);
    expect(readKubeProxyMode(edited)).toEqual({ mode: "ipvs", scheduler: "lc", strictARP: true });
});

test("editing is idempotent, so re-reading our own result gives no diff", () => {
    const config = { mode: "ipvs" as const, scheduler: "rr" as const, strictARP: false };
    const once = editKubeProxyConfig(KUBEADM_CONFIG, config);
    expect(editKubeProxyConfig(once, config)).toBe(once);
});

test("back to iptables", () => {
    const ipvs = editKubeProxyConfig(KUBEADM_CONFIG, { mode: "ipvs", scheduler: "sh", strictARP: true });
    expect(readKubeProxyMode(editKubeProxyConfig(ipvs, { mode: "iptables", scheduler: "rr", strictARP: false })))
        .toEqual({ mode: "iptables", scheduler: "rr", strictARP: false });
});

test("comments and unrelated lines survive; a missing ipvs section is added", () => {
    const text = "# written by hand\napiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nclusterCIDR: 10.244.0.0/16 # pods\n";
    const edited = editKubeProxyConfig(text, { mode: "ipvs", scheduler: "rr", strictARP: true });
    expect(edited).toContain("# written by hand");
    expect(edited).toContain("clusterCIDR: 10.244.0.0/16 # pods");
    expect(readKubeProxyMode(edited)).toEqual({ mode: "ipvs", scheduler: "rr", strictARP: true });
});

test("ipvs: null is replaced by a section", () => {
    const text = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nipvs: null\n";
    expect(readKubeProxyMode(editKubeProxyConfig(text, { mode: "ipvs", scheduler: "nq", strictARP: false })).scheduler).toBe("nq");
});

test("anything but a KubeProxyConfiguration is refused", () => {
    expect(() => editKubeProxyConfig("kind: KubeletConfiguration\n", { mode: "ipvs", scheduler: "rr", strictARP: false }))
        .toThrow(/not a KubeProxyConfiguration/);
    expect(() => editKubeProxyConfig("mode: [", { mode: "ipvs", scheduler: "rr", strictARP: false })).toThrow(/not valid YAML/);
});
