// The CNI manifest as Kubernetes objects, tuned before Pulumi applies them: Flannel's net-conf.json and
// a restart annotation, calico-node's first-pool environment, and the CRDs split off so the IPPool can be
// created between the CRDs and calico-node. Pure: the manifest text in, new objects out.

import { parseAllDocuments } from "yaml";
import { CalicoConfig, FlannelConfig } from "../config/network";
import { calicoNodePoolEnv } from "./calicoIpPool";
import { FLANNEL_CONFIGMAP, NET_CONF_KEY, renderFlannelNetConf } from "./flannelNetConf";
import { sha256Hex } from "../hash";

export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; annotations?: Record<string, string>; [key: string]: unknown };
    [key: string]: unknown;
}

/** Pod-template annotation carrying the hash of net-conf.json: a new backend rolls the flannel pods. */
export const NET_CONF_HASH_ANNOTATION = "kube-baseline.io/net-conf-sha256";

/** Parses a multi-document manifest; empty documents are skipped, anything without kind/name is an error. */
export function parseManifest(text: string, origin = "manifest"): K8sObject[] {
    const objects: K8sObject[] = [];
    parseAllDocuments(text).forEach((doc, index) => {
        if ("errors" in doc && doc.errors.length > 0) {
            throw new Error(`${origin}: document ${index + 1} is not valid YAML: ${doc.errors[0].message}`);
        }
        const value: unknown = doc.toJS();
        if (value === null || value === undefined) return;
        const obj = value as Partial<K8sObject>;
        if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string" || typeof obj.metadata?.name !== "string") {
            throw new Error(`${origin}: document ${index + 1} is not a Kubernetes object (apiVersion, kind, metadata.name)`);
        }
        objects.push(obj as K8sObject);
    });
    return objects;
}

function clone<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}

interface PodTemplateOwner {
    spec: { template: { metadata?: { annotations?: Record<string, string> }; spec: PodSpecLike } };
}
interface PodSpecLike {
    volumes?: Array<{ configMap?: { name?: string } }>;
    containers: Array<{ name: string; env?: Array<{ name: string; value?: string; valueFrom?: unknown }> }>;
}

function annotateTemplate(obj: K8sObject, key: string, value: string): void {
    const template = (obj as unknown as PodTemplateOwner).spec.template;
    template.metadata = template.metadata ?? {};
    template.metadata.annotations = { ...(template.metadata.annotations ?? {}), [key]: value };
}

export interface TunedFlannel {
    objects: K8sObject[];
    netConf: string;
}

/** Sets net-conf.json in kube-flannel-cfg and stamps its hash on the DaemonSet that mounts it. */
export function tuneFlannelManifest(manifest: K8sObject[], flannel: FlannelConfig): TunedFlannel {
    const objects = clone(manifest);
    const configMap = objects.find(o => o.kind === "ConfigMap" && o.metadata.name === FLANNEL_CONFIGMAP);
    if (configMap === undefined) throw new Error(`Flannel manifest has no ConfigMap ${FLANNEL_CONFIGMAP}`);
    const data = (configMap.data ?? {}) as Record<string, string>;
    const netConf = renderFlannelNetConf(flannel, data[NET_CONF_KEY]);
    configMap.data = { ...data, [NET_CONF_KEY]: netConf };

    const daemonSets = objects.filter(o => o.kind === "DaemonSet"
        && ((o as unknown as PodTemplateOwner).spec?.template?.spec?.volumes ?? [])
            .some(v => v.configMap?.name === FLANNEL_CONFIGMAP));
    if (daemonSets.length === 0) throw new Error(`Flannel manifest has no DaemonSet mounting ConfigMap ${FLANNEL_CONFIGMAP}`);
    daemonSets.forEach(ds => annotateTemplate(ds, NET_CONF_HASH_ANNOTATION, sha256Hex(netConf)));
    return { objects, netConf };
}

export const CALICO_NODE = "calico-node";

/** Sets calico-node's CALICO_IPV4POOL_* variables (added when the manifest has them commented out). */
export function tuneCalicoManifest(manifest: K8sObject[], calico: CalicoConfig): K8sObject[] {
    const objects = clone(manifest);
    const daemonSet = objects.find(o => o.kind === "DaemonSet" && o.metadata.name === CALICO_NODE);
    if (daemonSet === undefined) throw new Error(`Calico manifest has no DaemonSet ${CALICO_NODE}`);
    const container = (daemonSet as unknown as PodTemplateOwner).spec.template.spec.containers
        .find(c => c.name === CALICO_NODE);
    if (container === undefined) throw new Error(`Calico manifest: DaemonSet ${CALICO_NODE} has no container ${CALICO_NODE}`);
    const env = container.env ?? [];
    for (const [name, value] of Object.entries(calicoNodePoolEnv(calico.pool))) {
        const existing = env.find(e => e.name === name);
        if (existing) {
            existing.value = value;
            delete existing.valueFrom;
        } else {
            env.push({ name, value });
        }
    }
    container.env = env;
    return objects;
}

/** CustomResourceDefinitions first (they must exist before any custom object), everything else after. */
export function splitCustomResourceDefinitions(objects: K8sObject[]): { crds: K8sObject[]; others: K8sObject[] } {
    const isCrd = (o: K8sObject) => o.kind === "CustomResourceDefinition";
    return { crds: objects.filter(isCrd), others: objects.filter(o => !isCrd(o)) };
}
