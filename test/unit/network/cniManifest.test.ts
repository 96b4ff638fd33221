import * as fs from "fs";
import * as path from "path";
import { CalicoConfig, FlannelConfig } from "../../../lib/config/network";
import { K8sObject, NET_CONF_HASH_ANNOTATION, parseManifest, splitCustomResourceDefinitions, tuneCalicoManifest, tuneFlannelManifest } from "../../../lib/network/cniManifest";
import { sha256Hex } from "../../../lib/hash";

const FIXTURES = path.join(__dirname, "../../fixtures/cni");
const flannelManifest = () => parseManifest(fs.readFileSync(path.join(FIXTURES, "kube-flannel.yml"), "utf8"));
const calicoManifest = () => parseManifest(fs.readFileSync(path.join(FIXTURES, "calico.yaml"), "utf8"));

const vxlan: FlannelConfig = { network: "10.244.0.0/16", subnetLen: 24, backend: { type: "vxlan", vni: 1, port: 8472, directRouting: false } };
const hostGw: FlannelConfig = { ...vxlan, backend: { type: "host-gw" } };
const calico: CalicoConfig = {
    namespace: "kube-system",
    pool: { name: "default-ipv4-ippool", cidr: "10.244.0.0/16", blockSize: 24, ipipMode: "CrossSubnet", vxlanMode: "Never", natOutgoing: true },
};

const find = (objects: K8sObject[], kind: string, name: string) => {
    const found = objects.find(o => o.kind === kind && o.metadata.name === name);
    if (found === undefined) throw new Error(`${kind} ${name} not found`);
    return found as any;
};

test("fixtures have the upstream shape the tuning relies on", () => {
    expect(flannelManifest().map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
        "Namespace/kube-flannel", "ServiceAccount/flannel", "ClusterRole/flannel", "ClusterRoleBinding/flannel",
        "ConfigMap/kube-flannel-cfg", "DaemonSet/kube-flannel-ds",
    ]);
    const crds = calicoManifest().filter(o => o.kind === "CustomResourceDefinition").map(o => o.metadata.name);
    expect(crds).toEqual(expect.arrayContaining([
        "ippools.crd.projectcalico.org", "bgpconfigurations.crd.projectcalico.org",
        "bgppeers.crd.projectcalico.org", "felixconfigurations.crd.projectcalico.org",
    ]));
});

describe("tuneFlannelManifest", () => {
    test("net-conf.json is replaced and the DaemonSet carries its hash", () => {
        const { objects, netConf } = tuneFlannelManifest(flannelManifest(), hostGw);
        const cm = find(objects, "ConfigMap", "kube-flannel-cfg");
        expect(cm.data["net-conf.json"]).toBe(netConf);
        expect(JSON.parse(netConf)).toEqual({ Network: "10.244.0.0/16", SubnetLen: 24, EnableNFTables: false, Backend: { Type: "host-gw" } });
        expect(cm.data["cni-conf.json"]).toContain("cbr0"); // untouched
        const ds = find(objects, "DaemonSet", "kube-flannel-ds");
        expect(ds.spec.template.metadata.annotations[NET_CONF_HASH_ANNOTATION]).toBe(sha256Hex(netConf));
        expect(ds.spec.template.metadata.labels).toEqual({ app: "flannel", tier: "node" });
    });

    test("a backend change changes the pod template (so the pods restart); the same config does not", () => {
        const annotation = (cfg: FlannelConfig) =>
            find(tuneFlannelManifest(flannelManifest(), cfg).objects, "DaemonSet", "kube-flannel-ds").spec.template.metadata.annotations[NET_CONF_HASH_ANNOTATION];
        expect(annotation(vxlan)).not.toBe(annotation(hostGw));
        expect(annotation(vxlan)).toBe(annotation({ ...vxlan }));
    });

    test("the parsed manifest is not modified", () => {
        const original = flannelManifest();
        const copy = JSON.parse(JSON.stringify(original));
        tuneFlannelManifest(original, hostGw);
        expect(original).toEqual(copy);
    });

    test("a manifest without kube-flannel-cfg is refused", () => {
        const objects = flannelManifest().filter(o => o.kind !== "ConfigMap");
        expect(() => tuneFlannelManifest(objects, vxlan)).toThrow(/no ConfigMap kube-flannel-cfg/);
    });
});

describe("tuneCalicoManifest", () => {
    test("calico-node's pool env is set, including the commented-out CIDR", () => {
        const objects = tuneCalicoManifest(calicoManifest(), calico);
        const container = find(objects, "DaemonSet", "calico-node").spec.template.spec.containers[0];
        const env = Object.fromEntries(container.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
        expect(env).toMatchObject({
            CALICO_IPV4POOL_CIDR: "10.244.0.0/16",
            CALICO_IPV4POOL_BLOCK_SIZE: "24",
            CALICO_IPV4POOL_IPIP: "CrossSubnet",
            CALICO_IPV4POOL_VXLAN: "Never",
            CALICO_IPV4POOL_NAT_OUTGOING: "true",
            DATASTORE_TYPE: "kubernetes",
        });
        expect(container.env.filter((e: { name: string }) => e.name === "CALICO_IPV4POOL_IPIP")).toHaveLength(1);
    });

    test("CRDs are split off and keep their order", () => {
        const { crds, others } = splitCustomResourceDefinitions(calicoManifest());
        expect(crds.every(o => o.kind === "CustomResourceDefinition")).toBe(true);
        expect(others.some(o => o.kind === "CustomResourceDefinition")).toBe(false);
        expect(crds.length + others.length).toBe(calicoManifest().length);
    });

    test("a manifest without calico-node is refused", () => {
        expect(() => tuneCalicoManifest(flannelManifest(), calico)).toThrow(/no DaemonSet calico-node/);
    });
});

test("parseManifest skips empty documents and rejects non-objects", () => {
    expect(parseManifest("---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n")).toHaveLength(1);
    expect(() => parseManifest("just: a map\n", "m.yml")).toThrow(/m\.yml: document 1 is not a Kubernetes object/);
    expect(() => parseManifest("a: [\n", "m.yml")).toThrow(/m\.yml: document 1 is not valid YAML/);
});
