// Route reflectors without calicoctl: with the Kubernetes datastore, Calico takes a node's reflector
// cluster ID from an annotation on the Kubernetes Node, and BGPPeers find reflectors by a node label.

import { RouteReflectorConfig } from "../config/network";

export const ROUTE_REFLECTOR_LABEL = "route-reflector";
export const ROUTE_REFLECTOR_CLUSTER_ID_ANNOTATION = "projectcalico.org/RouteReflectorClusterID";
/** Calico selector matching the reflectors (label value is the string "true"). */
export const ROUTE_REFLECTOR_SELECTOR = `${ROUTE_REFLECTOR_LABEL} == 'true'`;

export interface ReflectorNodeMetadata {
    node: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

/** The label and annotation each reflector Node carries, in config order. */
export function renderReflectorNodeMetadata(reflectors: RouteReflectorConfig): ReflectorNodeMetadata[] {
    return reflectors.nodes.map(node => ({
        node,
        labels: { [ROUTE_REFLECTOR_LABEL]: "true" },
        annotations: { [ROUTE_REFLECTOR_CLUSTER_ID_ANNOTATION]: reflectors.clusterId },
    }));
}
