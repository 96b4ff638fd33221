// The network plane: CNI, kube-proxy mode, Calico BGP topology, node kernel settings.
export { Cni, type CniArgs } from "./cni";
export { CalicoBgp, type CalicoBgpArgs } from "./calicoBgp";
export { FlannelCleanup, type FlannelCleanupArgs } from "./flannelCleanup";
export { KubeProxy, type KubeProxyArgs } from "./kubeProxy";
export { NodeKernel, type NodeKernelArgs } from "./nodeKernel";
export type { SshNode } from "../nodeCommand";
