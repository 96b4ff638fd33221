// Namespaces: the namespaces kube-baseline owns, each labelled for Pod Security Admission (enforce, warn, audit and
// their versions; restricted unless the config records an exemption and its reason) and with its tenant label.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NamespaceConfig } from "../../lib/config/identity";
import { namespaceObject } from "../../lib/identity/namespaceObjects";
import { childName } from "./target";

export interface NamespacesArgs {
    namespaces: NamespaceConfig[];
}

export class Namespaces extends pulumi.ComponentResource {
    readonly names: string[];
    /** Name -> the Namespace resource, for dependsOn. */
    readonly resources: Record<string, k8s.core.v1.Namespace>;

    constructor(name: string, args: NamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:identity:Namespaces", name, {}, opts);
        this.resources = {};
        for (const ns of args.namespaces) {
            this.resources[ns.name] = new k8s.core.v1.Namespace(childName(name, ns.name), namespaceObject(ns), { parent: this });
        }
        this.names = args.namespaces.map(ns => ns.name);
        this.registerOutputs({ names: this.names });
    }
}
