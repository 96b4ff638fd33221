// The control-plane patch written into kubeadm-config's ClusterConfiguration, so that `kubeadm upgrade` (which
// regenerates the static pod manifests from it) keeps every flag and mount: apiServer / controllerManager /
// scheduler `extraArgs` and `extraVolumes`. kubeadm v1.35 writes v1beta4 (extraArgs is a list of {name, value}) and
// still reads v1beta3 (extraArgs is a map); the shape the ConfigMap holds is detected and kept.
//
// Edited through the yaml Document API: untouched keys, their order, comments and quoting stay as they were.

import { Document, isMap, isScalar, isSeq, parseDocument, YAMLMap, YAMLSeq } from "yaml";
import { CLUSTER_CONFIGURATION_KEYS, ControlPlaneComponent, CONTROL_PLANE_COMPONENTS } from "./components";
import { ControlPlanePatch, HostPathMount, ResolvedFlags } from "./patchModel";
import { readStaticPod } from "./staticPodManifest";

export type ClusterConfigurationVersion = "v1beta3" | "v1beta4";

/** What one component's section must say: the flag values (resolved against its manifest) and the volumes. */
export interface ClusterConfigurationChange extends ResolvedFlags {
    mounts: HostPathMount[];
}
export type ClusterConfigurationPatch = Partial<Record<ControlPlaneComponent, ClusterConfigurationChange>>;

/**
 * Flags kubeadm writes into every manifest it generates (cmd/kubeadm/app/phases/controlplane, v1.35): an
 * extraArg can change them, nothing in ClusterConfiguration can take them out, so a patch may not remove them.
 */
export const KUBEADM_DEFAULT_FLAGS: Record<ControlPlaneComponent, readonly string[]> = {
    "kube-apiserver": [
        "advertise-address", "allow-privileged", "authorization-mode", "client-ca-file", "enable-admission-plugins",
        "enable-bootstrap-token-auth", "etcd-servers", "kubelet-client-certificate", "kubelet-client-key",
        "kubelet-preferred-address-types", "proxy-client-cert-file", "proxy-client-key-file", "requestheader-allowed-names",
        "requestheader-client-ca-file", "requestheader-extra-headers-prefix", "requestheader-group-headers",
        "requestheader-username-headers", "secure-port", "service-account-issuer", "service-account-key-file",
        "service-account-signing-key-file", "service-cluster-ip-range", "tls-cert-file", "tls-private-key-file",
    ],
    "kube-controller-manager": [
        "authentication-kubeconfig", "authorization-kubeconfig", "bind-address", "client-ca-file", "cluster-signing-cert-file",
        "cluster-signing-key-file", "controllers", "kubeconfig", "leader-elect", "requestheader-client-ca-file", "root-ca-file",
        "service-account-private-key-file", "use-service-account-credentials",
    ],
    "kube-scheduler": ["authentication-kubeconfig", "authorization-kubeconfig", "bind-address", "kubeconfig", "leader-elect"],
};

/**
 * The ClusterConfiguration change for a patch whose flags were resolved against each component's manifest. With
 * the original manifests, a flag the patch leaves as it is there (NodeRestriction already enabled) is not written
 * as an extraArg: kubeadm would move it after its own flags, and the regenerated manifest would differ for nothing.
 */
export function clusterConfigurationChange(
    patch: ControlPlanePatch, resolved: Partial<Record<ControlPlaneComponent, ResolvedFlags>>, originals: Partial<Record<ControlPlaneComponent, string>> = {},
): ClusterConfigurationPatch {
    const out: ClusterConfigurationPatch = {};
    for (const component of CONTROL_PLANE_COMPONENTS) {
        const p = patch[component];
        if (!p) continue;
        const flags = resolved[component];
        if (!flags) throw new Error(`${component}: its flags must be resolved against its manifest first`);
        const original = originals[component] === undefined ? undefined : readStaticPod(originals[component]!, component).flags;
        const set = Object.fromEntries(Object.entries(flags.set).filter(([name, value]) => !(original?.has(name) && original.get(name) === value)));
        const remove = flags.remove.filter(name => original === undefined || original.has(name));
        out[component] = { set, remove, mounts: p.mounts.map(m => ({ ...m })) };
    }
    return out;
}

export function clusterConfigurationVersion(text: string): ClusterConfigurationVersion {
    return readDocument(text).version;
}

/** The component's extraArgs as name -> value (v1beta4: the last of repeated names). */
export function clusterConfigurationExtraArgs(text: string, component: ControlPlaneComponent): Map<string, string> {
    const { doc, version } = readDocument(text);
    const section = doc.get(CLUSTER_CONFIGURATION_KEYS[component]);
    const out = new Map<string, string>();
    if (!isMap(section)) return out;
    const args = section.get("extraArgs");
    if (version === "v1beta4" && isSeq(args)) {
        for (const item of args.items) if (isMap(item)) out.set(String(item.get("name")), String(item.get("value") ?? ""));
    } else if (version === "v1beta3" && isMap(args)) {
        for (const pair of args.items) out.set(String(isScalar(pair.key) ? pair.key.value : pair.key), String(isScalar(pair.value) ? pair.value.value : pair.value ?? ""));
    }
    return out;
}

/** The component's extraVolumes as mounts. */
export function clusterConfigurationExtraVolumes(text: string, component: ControlPlaneComponent): HostPathMount[] {
    const { doc } = readDocument(text);
    const section = doc.get(CLUSTER_CONFIGURATION_KEYS[component]);
    const volumes = isMap(section) ? section.get("extraVolumes") : undefined;
    if (!isSeq(volumes)) return [];
    return volumes.items.filter(isMap).map(v => ({
        name: String(v.get("name")), hostPath: String(v.get("hostPath")), mountPath: String(v.get("mountPath")),
        readOnly: v.get("readOnly") === true, type: (v.get("pathType") ?? "") as HostPathMount["type"],
    }));
}

/** The ClusterConfiguration text with the change written in; the input unchanged when it is there already. */
export function applyClusterConfigurationPatch(text: string, change: ClusterConfigurationPatch): string {
    const { doc, version } = readDocument(text);
    for (const component of CONTROL_PLANE_COMPONENTS) {
        const c = change[component];
        if (!c) continue;
        const removable = c.remove.filter(name => KUBEADM_DEFAULT_FLAGS[component].includes(name));
        if (removable.length > 0) {
            throw new Error(`kubeadm writes --${removable[0]} into every ${component} manifest it generates; a patch can change it, not remove it`);
        }
        const section = sectionOf(doc, component);
        for (const [name, value] of Object.entries(c.set)) setArg(section, version, component, name, value);
        for (const name of c.remove) removeArg(section, version, component, name);
        for (const m of c.mounts) addVolume(section, component, m);
        tidy(section);
    }
    const out = render(doc, text);
    return sameDocument(out, text) ? text : out;
}

/**
 * `live` with every extraArg and extraVolume the change touches put back as `original` had it; the rest (a
 * kubernetesVersion an upgrade wrote) stays. Exactly `original` when `live` is what the change made of it.
 */
export function revertClusterConfigurationPatch(live: string, original: string, change: ClusterConfigurationPatch): string {
    try {
        if (applyClusterConfigurationPatch(original, change) === live) return original;
    } catch {
        // the original no longer takes the change: revert entry by entry
    }
    const { doc, version } = readDocument(live);
    for (const component of CONTROL_PLANE_COMPONENTS) {
        const c = change[component];
        if (!c) continue;
        const before = clusterConfigurationExtraArgs(original, component);
        const beforeVolumes = new Set(clusterConfigurationExtraVolumes(original, component).map(v => v.name));
        const section = sectionOf(doc, component);
        for (const name of [...Object.keys(c.set), ...c.remove]) {
            const was = before.get(name);
            if (was !== undefined) setArg(section, version, component, name, was);
            else removeArg(section, version, component, name);
        }
        const volumes = section.get("extraVolumes");
        if (isSeq(volumes)) {
            volumes.items = volumes.items.filter(v => !(isMap(v) && c.mounts.some(m => m.name === v.get("name")) && !beforeVolumes.has(String(v.get("name")))));
        }
        tidy(section);
    }
    return render(doc, live);
}

// ---------------------------------------------------------------------------------------------------------

function readDocument(text: string): { doc: Document; version: ClusterConfigurationVersion } {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw new Error(`kubeadm ClusterConfiguration is not valid YAML: ${doc.errors[0].message}`);
    if (!isMap(doc.contents)) throw new Error("kubeadm ClusterConfiguration is not a YAML map");
    const kind = doc.get("kind");
    if (kind !== "ClusterConfiguration") throw new Error(`kubeadm-config holds kind ${JSON.stringify(kind)}, not ClusterConfiguration`);
    const apiVersion = doc.get("apiVersion");
    if (apiVersion === "kubeadm.k8s.io/v1beta4") return { doc, version: "v1beta4" };
    if (apiVersion === "kubeadm.k8s.io/v1beta3") return { doc, version: "v1beta3" };
    throw new Error(`kubeadm ClusterConfiguration apiVersion ${JSON.stringify(apiVersion)} is not one kubeadm v1.35 reads (kubeadm.k8s.io/v1beta4 or v1beta3)`);
}

function sectionOf(doc: Document, component: ControlPlaneComponent): YAMLMap {
    const key = CLUSTER_CONFIGURATION_KEYS[component];
    let section = doc.get(key);
    if (section === undefined || section === null || (isScalar(section) && section.value === null)) {
        section = doc.createNode({}) as YAMLMap;
        doc.set(key, section);
    }
    if (!isMap(section)) throw new Error(`kubeadm ClusterConfiguration ${key} is not a map`);
    return section;
}

function setArg(section: YAMLMap, version: ClusterConfigurationVersion, component: ControlPlaneComponent, name: string, value: string): void {
    const key = CLUSTER_CONFIGURATION_KEYS[component];
    let args = section.get("extraArgs");
    if (version === "v1beta4") {
        if (args === undefined || args === null) {
            args = new YAMLSeq();
            section.set("extraArgs", args);
        }
        if (!isSeq(args)) throw new Error(`kubeadm ClusterConfiguration ${key}.extraArgs is not a list (v1beta4)`);
        const matches = args.items.filter(i => isMap(i) && i.get("name") === name) as YAMLMap[];
        if (matches.length > 1) throw new Error(`kubeadm ClusterConfiguration ${key}.extraArgs has ${name} more than once; kube-baseline only changes a flag given once`);
        if (matches.length === 1) {
            if (matches[0].get("value") !== value) matches[0].set("value", value);
        } else {
            const item = new YAMLMap();
            item.set("name", name);
            item.set("value", value);
            args.items.push(item);
        }
        args.flow = false;
    } else {
        if (args === undefined || args === null) {
            args = new YAMLMap();
            section.set("extraArgs", args);
        }
        if (!isMap(args)) throw new Error(`kubeadm ClusterConfiguration ${key}.extraArgs is not a map (v1beta3)`);
        const present = args.get(name);
        if (present !== value) args.set(name, value);
        args.flow = false;
    }
    section.flow = false;
}

function removeArg(section: YAMLMap, version: ClusterConfigurationVersion, component: ControlPlaneComponent, name: string): void {
    const args = section.get("extraArgs");
    if (version === "v1beta4" && isSeq(args)) args.items = args.items.filter(i => !(isMap(i) && i.get("name") === name));
    else if (version === "v1beta3" && isMap(args)) args.delete(name);
    else if (args !== undefined && args !== null) {
        throw new Error(`kubeadm ClusterConfiguration ${CLUSTER_CONFIGURATION_KEYS[component]}.extraArgs has the wrong shape for ${version}`);
    }
}

function addVolume(section: YAMLMap, component: ControlPlaneComponent, m: HostPathMount): void {
    const key = CLUSTER_CONFIGURATION_KEYS[component];
    let volumes = section.get("extraVolumes");
    if (volumes === undefined || volumes === null) {
        volumes = new YAMLSeq();
        section.set("extraVolumes", volumes);
    }
    if (!isSeq(volumes)) throw new Error(`kubeadm ClusterConfiguration ${key}.extraVolumes is not a list`);
    const items = volumes.items.filter(isMap);
    const byName = items.find(v => v.get("name") === m.name);
    const byPath = items.find(v => v.get("mountPath") === m.mountPath);
    if (byName) {
        if (byName.get("hostPath") !== m.hostPath || byName.get("mountPath") !== m.mountPath || (byName.get("readOnly") === true) !== m.readOnly) {
            throw new Error(`kubeadm ClusterConfiguration ${key}.extraVolumes already has ${m.name}, not as a ${m.readOnly ? "read-only" : "writable"} mount of ${m.hostPath} at ${m.mountPath}`);
        }
        return;
    }
    if (byPath) throw new Error(`kubeadm ClusterConfiguration ${key}.extraVolumes already mounts ${m.mountPath} (${String(byPath.get("name"))})`);
    const item = new YAMLMap();
    item.set("hostPath", m.hostPath);
    item.set("mountPath", m.mountPath);
    item.set("name", m.name);
    item.set("pathType", m.type);
    item.set("readOnly", m.readOnly);
    volumes.items.push(item);
    volumes.flow = false;
    section.flow = false;
}

/** Lists left empty go, and a section left empty is written `{}` as kubeadm writes it. */
function tidy(section: YAMLMap): void {
    for (const key of ["extraArgs", "extraVolumes"]) {
        const v = section.get(key);
        if ((isSeq(v) && v.items.length === 0) || (isMap(v) && v.items.length === 0)) section.delete(key);
    }
    if (section.items.length === 0) section.flow = true;
}

/**
 * The document as text in the style of the text it came from: kubeadm writes lists flush with their key, a hand
 * edit may indent them; of the two renderings, the one sharing more lines with the source is that style.
 */
function render(doc: Document, source: string): string {
    const sourceLines = new Set(source.split("\n"));
    const shared = (text: string) => text.split("\n").filter(l => sourceLines.has(l)).length;
    const flush = doc.toString({ lineWidth: 0, indentSeq: false });
    const indented = doc.toString({ lineWidth: 0, indentSeq: true });
    return shared(indented) > shared(flush) ? indented : flush;
}

function sameDocument(a: string, b: string): boolean {
    return JSON.stringify(parseDocument(a).toJS()) === JSON.stringify(parseDocument(b).toJS());
}
