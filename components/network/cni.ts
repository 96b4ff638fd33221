// Installs Flannel or Calico from its manifest and tunes it declaratively.
// Flannel: net-conf.json in kube-flannel-cfg, with its hash on the DaemonSet's pod template so a new
// backend restarts the flannel pods. Calico: the IPPool is managed as an object of its own, created after
// the CRDs and before calico-node (which would otherwise create a default pool from its env vars); with
// cleanupFlannel, Flannel's DaemonSet and config are removed from the cluster, and its leftovers from the
// nodes, before any Calico object is applied (see flannelCleanup.ts).

import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { throwIfIssues } from "../../lib/config/configError";
import { CalicoConfig, CniConfig, FlannelConfig } from "../../lib/config/network";
import { checkIpPoolImmutable, IpPoolIdentity, renderIpPool } from "../../lib/network/calicoIpPool";
import { K8sObject, parseManifest, splitCustomResourceDefinitions, tuneCalicoManifest, tuneFlannelManifest } from "../../lib/network/cniManifest";
import { describeSource, loadManifestText } from "../../lib/network/manifestSource";
import { FlannelCleanup } from "./flannelCleanup";
import { SshNode } from "../nodeCommand";

export interface CniArgs {
    config: CniConfig;
    /** Manifest text; by default it is downloaded from, or read at, config.manifest. */
    manifestYaml?: pulumi.Input<string>;
    /** Nodes to clean of Flannel before Calico starts (with config.cleanupFlannel). */
    nodes?: SshNode[];
    /** Where kubectl removes Flannel's workloads from the cluster (with config.cleanupFlannel and nodes). */
    controlPlaneNode?: SshNode;
    sshPrivateKey?: pulumi.Input<string>;
    /** The IPPool as last deployed; a change of its cidr or blockSize is refused (Calico forbids it). */
    previousPool?: IpPoolIdentity;
    /** Do not wait for the CNI workloads to become ready (the objects are still applied). */
    skipAwait?: boolean;
}

export class Cni extends pulumi.ComponentResource {
    readonly kind: pulumi.Output<string>;
    readonly manifestSource: pulumi.Output<string>;
    /** Flannel only: the net-conf.json applied. */
    readonly netConf?: pulumi.Output<string>;
    /** Calico only: the pool's immutable identity, to pass back as previousPool on the next run. */
    readonly ipPool?: pulumi.Output<IpPoolIdentity>;

    constructor(name: string, args: CniArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:network:Cni", name, {}, opts);
        const config = args.config;
        const origin = describeSource(config.manifest);
        const manifest = pulumi.output(args.manifestYaml ?? loadManifestText(config.manifest))
            .apply(text => parseManifest(text, origin));
        this.kind = pulumi.output(config.kind);
        this.manifestSource = pulumi.output(origin);

        if (config.kind === "flannel") {
            this.netConf = this.installFlannel(name, requireSection(config.flannel, "flannel"), manifest, args);
        } else {
            this.ipPool = this.installCalico(name, requireSection(config.calico, "calico"), manifest, args);
        }
        this.registerOutputs({ kind: this.kind, manifestSource: this.manifestSource, netConf: this.netConf, ipPool: this.ipPool });
    }

    private installFlannel(name: string, flannel: FlannelConfig, manifest: pulumi.Output<K8sObject[]>, args: CniArgs) {
        const tuned = manifest.apply(objects => tuneFlannelManifest(objects, flannel));
        new k8s.yaml.v2.ConfigGroup(`${name}-flannel`, {
            objs: tuned.objects,
            skipAwait: args.skipAwait,
        }, { parent: this });
        return tuned.netConf;
    }

    private installCalico(name: string, calico: CalicoConfig, manifest: pulumi.Output<K8sObject[]>, args: CniArgs) {
        throwIfIssues(checkIpPoolImmutable(args.previousPool, calico.pool));
        const before: pulumi.Resource[] = [];
        if (args.config.cleanupFlannel && (args.nodes ?? []).length > 0) {
            if (args.sshPrivateKey === undefined) throw new Error("Cni: cleanupFlannel needs sshPrivateKey to reach the nodes");
            if (args.controlPlaneNode === undefined) throw new Error("Cni: cleanupFlannel needs a controlPlaneNode to remove Flannel's DaemonSet");
            before.push(new FlannelCleanup(`${name}-flannel-cleanup`, {
                nodes: args.nodes ?? [], controlPlaneNode: args.controlPlaneNode, sshPrivateKey: args.sshPrivateKey,
            }, { parent: this }));
        }
        const split = manifest.apply(objects => splitCustomResourceDefinitions(tuneCalicoManifest(objects, calico)));
        const crds = new k8s.yaml.v2.ConfigGroup(`${name}-calico-crds`, {
            objs: split.crds,
        }, { parent: this, dependsOn: before });
        const pool = new k8s.apiextensions.CustomResource(`${name}-ippool`, renderIpPool(calico.pool), {
            parent: this, dependsOn: [crds],
        });
        new k8s.yaml.v2.ConfigGroup(`${name}-calico`, {
            objs: split.others,
            skipAwait: args.skipAwait,
        }, { parent: this, dependsOn: [...before, pool] });
        return pulumi.output({ cidr: calico.pool.cidr, blockSize: calico.pool.blockSize });
    }
}

function requireSection<T>(section: T | undefined, kind: string): T {
    if (section === undefined) throw new Error(`Cni: config.${kind} is missing (validate the config with validateNetworkConfig first)`);
    return section;
}
