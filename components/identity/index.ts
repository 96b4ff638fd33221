// The identity-and-access components (issue 3); index.ts of the program uses Identity, the rest are its parts.
export { ClusterCaKey, type ClusterCaKeyArgs } from "./clusterCaKey";
export { CsrApiUser, type CsrApiUserArgs } from "./csrApiUser";
export { Identity, type IdentityArgs } from "./identity";
export { Namespaces, type NamespacesArgs } from "./namespaces";
export { NetworkPolicies, type NetworkPoliciesArgs } from "./networkPolicies";
export { Rbac, type RbacArgs, type ServiceAccountTokenRef } from "./rbac";
export { StaticTokens, type StaticTokensArgs } from "./staticTokens";
export type { IdentityCluster } from "./target";
export { X509User, type X509UserArgs } from "./x509User";
