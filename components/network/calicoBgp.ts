// Calico's BGP topology: the "default" BGPConfiguration, route reflectors (Node label + cluster-ID
// annotation), BGPPeers for the reflectors and for external routers.
//
// Ordering is the point: the BGPConfiguration depends on the reflector Node patches and on every peer,
// so turning the mesh off waits until reflectors and peers exist. When reflectors are removed, the
// BGPConfiguration (mesh back on) is updated during the run and the removed peers and labels are deleted
// at its end, after it, as Pulumi deletes what left the program last.

import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { BgpConfig } from "../../lib/config/network";
import { renderBgpConfiguration } from "../../lib/network/bgpConfiguration";
import { renderBgpPeers } from "../../lib/network/bgpPeers";
import { renderReflectorNodeMetadata } from "../../lib/network/routeReflectors";

export interface CalicoBgpArgs {
    config: BgpConfig;
    /** Namespace calico-node runs in; BGP password Secrets must live there. */
    calicoNamespace?: string;
    /** calico-node's ServiceAccount, granted read access to exactly the password Secrets. */
    calicoNodeServiceAccount?: string;
}

export class CalicoBgp extends pulumi.ComponentResource {
    readonly asNumber: pulumi.Output<number>;
    readonly nodeToNodeMesh: pulumi.Output<boolean>;
    readonly routeReflectors: pulumi.Output<string[]>;
    readonly peers: pulumi.Output<string[]>;

    constructor(name: string, args: CalicoBgpArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:network:CalicoBgp", name, {}, opts);
        const bgp = args.config;
        const namespace = args.calicoNamespace ?? "kube-system";

        const reflectorNodes = bgp.routeReflectors
            ? renderReflectorNodeMetadata(bgp.routeReflectors).map(meta => new k8s.core.v1.NodePatch(`${name}-rr-${meta.node}`, {
                metadata: {
                    name: meta.node,
                    labels: meta.labels,
                    annotations: { ...meta.annotations, "pulumi.com/patchForce": "true" },
                },
            }, { parent: this }))
            : [];

        const secretNames = [...new Set(bgp.externalPeers.flatMap(p => (p.passwordSecret ? [p.passwordSecret.name] : [])))];
        const secretAccess: pulumi.Resource[] = [];
        if (secretNames.length > 0) {
            const role = new k8s.rbac.v1.Role(`${name}-password-reader`, {
                metadata: { name: "kube-baseline-bgp-passwords", namespace },
                rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: secretNames, verbs: ["get", "list", "watch"] }],
            }, { parent: this });
            const binding = new k8s.rbac.v1.RoleBinding(`${name}-password-reader`, {
                metadata: { name: "kube-baseline-bgp-passwords", namespace },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: args.calicoNodeServiceAccount ?? "calico-node", namespace }],
            }, { parent: this });
            secretAccess.push(role, binding);
        }

        const peerObjects = renderBgpPeers(bgp);
        const peers = peerObjects.map(peer => new k8s.apiextensions.CustomResource(`${name}-peer-${peer.metadata.name}`, peer, {
            parent: this, dependsOn: [...reflectorNodes, ...secretAccess],
        }));

        new k8s.apiextensions.CustomResource(`${name}-configuration`, renderBgpConfiguration(bgp), {
            parent: this, dependsOn: [...reflectorNodes, ...peers],
        });

        this.asNumber = pulumi.output(bgp.asNumber);
        this.nodeToNodeMesh = pulumi.output(bgp.nodeToNodeMesh);
        this.routeReflectors = pulumi.output(bgp.routeReflectors?.nodes ?? []);
        this.peers = pulumi.output(peerObjects.map(p => p.metadata.name));
        this.registerOutputs({
            asNumber: this.asNumber, nodeToNodeMesh: this.nodeToNodeMesh,
            routeReflectors: this.routeReflectors, peers: this.peers,
        });
    }
}
