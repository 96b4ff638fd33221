// Identity: wires the whole identity-and-access area from validated config: namespaces first, then RBAC and
// network policies in them; X509 users (CA key from secret config or the control plane), CSR API users and
// static token users. Outputs every user's kubeconfig (secret) and every certificate's expiry.

import * as pulumi from "@pulumi/pulumi";
import { CertificateUserConfig, IdentityConfig, TokenUserConfig } from "../../lib/config/identity";
import { ClusterCaKey } from "./clusterCaKey";
import { CsrApiUser } from "./csrApiUser";
import { Namespaces } from "./namespaces";
import { NetworkPolicies } from "./networkPolicies";
import { Rbac, ServiceAccountTokenRef } from "./rbac";
import { StaticTokens } from "./staticTokens";
import { SshNode } from "../nodeCommand";
import { childName, IdentityCluster } from "./target";
import { X509User } from "./x509User";

export interface IdentityArgs {
    config: IdentityConfig;
    cluster: IdentityCluster;
    /** Control-plane nodes: CA key reads and CSR approvals use the first. */
    controlPlaneNodes: SshNode[];
    /** Needed for CA key reads, CSR approvals and static tokens (a tenant stack without csr users has none). */
    sshPrivateKey?: pulumi.Input<string>;
    /** Secret config kube-baseline:clusterCaKey; when unset, read from the first control-plane node. */
    clusterCaKeyPem?: pulumi.Input<string>;
    /** The cluster's CNI, for the Calico GlobalNetworkPolicy. */
    cni?: string;
}

export class Identity extends pulumi.ComponentResource {
    /** User name -> kubeconfig. Secret. */
    readonly kubeconfigs: pulumi.Output<Record<string, string>>;
    /** Certificate user name -> notAfter (ISO 8601). */
    readonly certificateExpiry: pulumi.Output<Record<string, string>>;
    readonly namespaces: string[];
    readonly serviceAccountTokenSecrets: ServiceAccountTokenRef[];
    /** The static-token users' tokens and their part of the control-plane patch, when there are any. */
    readonly staticTokens?: StaticTokens;

    constructor(name: string, args: IdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:identity:Identity", name, {}, opts);
        const { config } = args;
        const firstControlPlane = args.controlPlaneNodes[0];

        const namespaces = new Namespaces(`${name}-namespaces`, { namespaces: config.namespaces }, { parent: this });
        const rbac = new Rbac(`${name}-rbac`, { rbac: config.rbac }, { parent: this, dependsOn: [namespaces] });
        const networkPolicies = new NetworkPolicies(`${name}-network-policies`, {
            namespaces: config.namespaces, networkPolicy: config.networkPolicy, cni: args.cni,
        }, { parent: this, dependsOn: [namespaces] });

        const kubeconfigs: Array<pulumi.Output<Record<string, string>>> = [];
        const expiry: Array<pulumi.Output<[string, string]>> = [];
        const certUsers = config.users.filter((u): u is CertificateUserConfig => u.authentication !== "token");
        const needsNode = certUsers.some(u => u.authentication === "csr") || (args.clusterCaKeyPem === undefined && certUsers.length > 0);
        if (needsNode && !firstControlPlane) throw new Error("certificate users need a control-plane node (CA key or CSR approval)");
        const sshPrivateKey = (): pulumi.Input<string> => {
            if (args.sshPrivateKey === undefined) throw new Error("this stack's users need SSH to a control-plane node, and no SSH key was given");
            return args.sshPrivateKey;
        };

        const x509Users = certUsers.filter(u => u.authentication === "x509");
        if (x509Users.length > 0) {
            const ca = new ClusterCaKey(`${name}-ca-key`, {
                caKeyPem: args.clusterCaKeyPem, controlPlaneNode: firstControlPlane, sshPrivateKey: sshPrivateKey(),
            }, { parent: this });
            for (const user of x509Users) {
                const u = new X509User(childName(`${name}-x509`, user.name), { user, cluster: args.cluster, caKeyPem: ca.caKeyPem }, { parent: this });
                kubeconfigs.push(u.kubeconfig.apply(k => ({ [user.name]: k })));
                expiry.push(pulumi.all([user.name, u.notAfter]));
            }
        }
        for (const user of certUsers.filter(u => u.authentication === "csr")) {
            const u = new CsrApiUser(childName(`${name}-csr`, user.name), {
                user, cluster: args.cluster, controlPlaneNode: firstControlPlane, sshPrivateKey: sshPrivateKey(),
            }, { parent: this });
            kubeconfigs.push(u.kubeconfig.apply(k => ({ [user.name]: k })));
            expiry.push(pulumi.all([user.name, u.notAfter]));
        }

        const tokenUsers = config.users.filter((u): u is TokenUserConfig => u.authentication === "token");
        if (tokenUsers.length > 0) {
            // The tokens and their kubeconfigs; the token file itself is part of the control-plane patch (index.ts).
            this.staticTokens = new StaticTokens(`${name}-static-tokens`, {
                users: tokenUsers, settings: config.staticTokens, cluster: args.cluster,
            }, { parent: this });
            kubeconfigs.push(this.staticTokens.kubeconfigs);
        }

        this.kubeconfigs = pulumi.secret(pulumi.all(kubeconfigs).apply(maps => Object.assign({}, ...maps) as Record<string, string>));
        this.certificateExpiry = pulumi.all(expiry).apply(pairs => Object.fromEntries(pairs));
        this.namespaces = namespaces.names;
        this.serviceAccountTokenSecrets = rbac.serviceAccountTokenSecrets;
        // Not the kubeconfigs: the stack outputs have them all; one more copy of every kubeconfig would only make
        // each state write larger.
        this.registerOutputs({
            certificateExpiry: this.certificateExpiry,
            namespaces: this.namespaces, serviceAccountTokenSecrets: this.serviceAccountTokenSecrets,
        });
    }
}
