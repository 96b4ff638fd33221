// The three control-plane components kube-baseline patches, and what it needs to know about each: where kubeadm
// writes its static pod manifest, which key of kubeadm's ClusterConfiguration holds its extra flags and volumes,
// and where it answers a health check when its manifest does not say.

export type ControlPlaneComponent = "kube-apiserver" | "kube-controller-manager" | "kube-scheduler";

export const CONTROL_PLANE_COMPONENTS: readonly ControlPlaneComponent[] = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"];

export const DEFAULT_MANIFEST_DIRECTORY = "/etc/kubernetes/manifests";

/** ClusterConfiguration key per component (apiServer.extraArgs, controllerManager.extraArgs, scheduler.extraArgs). */
export const CLUSTER_CONFIGURATION_KEYS: Record<ControlPlaneComponent, "apiServer" | "controllerManager" | "scheduler"> = {
    "kube-apiserver": "apiServer",
    "kube-controller-manager": "controllerManager",
    "kube-scheduler": "scheduler",
};

/** kubeadm's secure ports and health paths (what its probes use), for manifests without probes. */
export const DEFAULT_HEALTH: Record<ControlPlaneComponent, { port: number; path: string; host: string }> = {
    "kube-apiserver": { port: 6443, path: "/readyz", host: "127.0.0.1" },
    "kube-controller-manager": { port: 10257, path: "/healthz", host: "127.0.0.1" },
    "kube-scheduler": { port: 10259, path: "/readyz", host: "127.0.0.1" },
};

export function manifestPath(component: ControlPlaneComponent, directory = DEFAULT_MANIFEST_DIRECTORY): string {
    return `${directory}/${component}.yaml`;
}
