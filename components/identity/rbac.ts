// Rbac: ClusterRoles (templates such as pods-viewer, or explicit rules), Roles, RoleBindings per namespace for
// users, groups and ServiceAccounts, ClusterRoleBindings only where the config asks, dedicated ServiceAccounts with
// token automount off, and optional long-lived ServiceAccount token Secrets. What may be bound (never cluster-admin
// without a break-glass entry) is decided by config validation; this component only creates.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RbacConfig } from "../../lib/config/identity";
import {
    bindingReferences, clusterRoleBindingObject, clusterRoleObject, roleBindingObject, roleObject, serviceAccountObject,
    serviceAccountTokenSecretObject,
} from "../../lib/identity/rbacObjects";
import { childName } from "./target";

export interface RbacArgs {
    rbac: RbacConfig;
}

export interface ServiceAccountTokenRef { namespace: string; serviceAccount: string; secretName: string }

export class Rbac extends pulumi.ComponentResource {
    readonly clusterRoles: string[];
    /** Where each long-lived token lives; read it with kubectl -n <namespace> get secret <secretName>. */
    readonly serviceAccountTokenSecrets: ServiceAccountTokenRef[];

    constructor(name: string, args: RbacArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:identity:Rbac", name, {}, opts);
        const { rbac } = args;
        const parent = { parent: this };

        const roles = new Map<string, pulumi.Resource>([
            ...rbac.clusterRoles.map(r => [`ClusterRole/${r.name}`,
                new k8s.rbac.v1.ClusterRole(childName(`${name}-clusterrole`, r.name), clusterRoleObject(r), parent)] as const),
            ...rbac.roles.map(r => [`Role/${r.namespace}/${r.name}`,
                new k8s.rbac.v1.Role(childName(`${name}-role`, `${r.namespace}-${r.name}`), roleObject(r), parent)] as const),
        ]);
        const serviceAccounts = new Map(rbac.serviceAccounts.map(sa => [`${sa.namespace}/${sa.name}`,
            new k8s.core.v1.ServiceAccount(childName(`${name}-sa`, `${sa.namespace}-${sa.name}`), serviceAccountObject(sa), parent)]));

        // Bindings after the role and the accounts they name, so a binding never points at nothing, even briefly.
        // Only those: depending on every role and account would make the dependencies (and the state, which
        // the engine writes after every step) grow with bindings x accounts.
        const bindingDeps = (b: Parameters<typeof bindingReferences>[0]) => {
            const refs = bindingReferences(b);
            const dependsOn = [roles.get(refs.role), ...refs.serviceAccounts.map(key => serviceAccounts.get(key))]
                .filter((r): r is pulumi.Resource => r !== undefined);
            return { parent: this, dependsOn };
        };
        for (const b of rbac.roleBindings) {
            new k8s.rbac.v1.RoleBinding(childName(`${name}-rolebinding`, `${b.namespace}-${b.name}`), roleBindingObject(b), bindingDeps(b));
        }
        for (const b of rbac.clusterRoleBindings) {
            new k8s.rbac.v1.ClusterRoleBinding(childName(`${name}-clusterrolebinding`, b.name), clusterRoleBindingObject(b), bindingDeps(b));
        }

        this.serviceAccountTokenSecrets = [];
        for (const sa of rbac.serviceAccounts.filter(s => s.longLivedToken)) {
            const secret = serviceAccountTokenSecretObject(sa);
            new k8s.core.v1.Secret(childName(`${name}-sa-token`, `${sa.namespace}-${sa.name}`), secret,
                { parent: this, dependsOn: [serviceAccounts.get(`${sa.namespace}/${sa.name}`)!] });
            this.serviceAccountTokenSecrets.push({ namespace: sa.namespace, serviceAccount: sa.name, secretName: secret.metadata.name });
        }

        this.clusterRoles = rbac.clusterRoles.map(r => r.name);
        this.registerOutputs({ clusterRoles: this.clusterRoles, serviceAccountTokenSecrets: this.serviceAccountTokenSecrets });
    }
}
