// NetworkPolicies: per namespace a default deny (ingress and egress), DNS to kube-dns, same-namespace traffic,
// same-tenant traffic and explicit ingress from named namespaces. With Calico as the CNI (and when the config
// enables it) one GlobalNetworkPolicy adds a default deny to every namespace not exempted, also the ones created
// later. Flannel does not enforce NetworkPolicies: the objects are still created, so they act once a policy-capable
// CNI runs.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NamespaceConfig, NetworkPolicyConfig } from "../../lib/config/identity";
import { calicoGlobalDefaultDenyObject, namespaceNetworkPolicies } from "../../lib/identity/networkPolicyObjects";
import { childName } from "./target";

export interface NetworkPoliciesArgs {
    namespaces: NamespaceConfig[];
    networkPolicy: NetworkPolicyConfig;
    /** The cluster's CNI ("calico", "flannel", ...). */
    cni?: string;
}

export class NetworkPolicies extends pulumi.ComponentResource {
    /** "namespace/name" of every NetworkPolicy created. */
    readonly policies: string[];
    /** Name of the Calico GlobalNetworkPolicy, when one was created. */
    readonly globalPolicy?: string;

    constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:identity:NetworkPolicies", name, {}, opts);
        const { networkPolicy } = args;
        this.policies = [];
        for (const ns of args.namespaces) {
            for (const policy of namespaceNetworkPolicies(ns, networkPolicy.dns)) {
                new k8s.networking.v1.NetworkPolicy(childName(name, `${ns.name}-${policy.metadata.name}`), policy, { parent: this });
                this.policies.push(`${ns.name}/${policy.metadata.name}`);
            }
        }
        const global = networkPolicy.calicoGlobalDefaultDeny;
        if (global.enabled) {
            if (args.cni !== "calico") throw new Error(`networkPolicy.calicoGlobalDefaultDeny needs Calico as the CNI (got ${String(args.cni)})`);
            const object = calicoGlobalDefaultDenyObject(global, networkPolicy.dns);
            new k8s.apiextensions.CustomResource(`${name}-calico-global-default-deny`, object, { parent: this });
            this.globalPolicy = object.metadata.name;
        }
        this.registerOutputs({ policies: this.policies, globalPolicy: this.globalPolicy });
    }
}
