// The identity-and-access components (issue 3); index.ts of the program uses Identity, the rest are its parts.
export { ClusterCaKey, ClusterCaKeyArgs } from "./clusterCaKey";
export { CsrApiUser, CsrApiUserArgs } from "./csrApiUser";
export { Identity, IdentityArgs } from "./identity";
export { Namespaces, NamespacesArgs } from "./namespaces";
export { NetworkPolicies, NetworkPoliciesArgs } from "./networkPolicies";
export { Rbac, RbacArgs, ServiceAccountTokenRef } from "./rbac";
export { StaticTokens, StaticTokensArgs } from "./staticTokens";
export { IdentityCluster } from "./target";
export { X509User, X509UserArgs } from "./x509User";
