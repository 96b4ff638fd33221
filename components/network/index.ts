// The network plane: CNI, kube-proxy mode, Calico BGP topology, node kernel settings.
export { Cni, CniArgs } from "./cni";
export { CalicoBgp, CalicoBgpArgs } from "./calicoBgp";
export { FlannelCleanup, FlannelCleanupArgs } from "./flannelCleanup";
export { KubeProxy, KubeProxyArgs } from "./kubeProxy";
export { NodeKernel, NodeKernelArgs } from "./nodeKernel";
export { SshNode } from "../nodeCommand";
