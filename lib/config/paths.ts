// Paths on the nodes. Every path is normalised first ("//", "/./" and a trailing "/" go), so the checks compare
// what the node will really touch; ".." is refused rather than resolved. Directories that kube-baseline creates,
// changes the mode of and removes again must be its own: not a system directory, not kubelet's static-pod
// directory (kubelet runs every file there as a pod) and not any of kubeadm's reserved entries beside it.

/** Letters, digits, ".", "_", "-" and "/": these paths go into a static pod manifest and shell scripts. */
const PLAIN_ABSOLUTE_PATH = /^\/[A-Za-z0-9._/-]*$/;

/** Directories of the OS that must never be taken over (chmod, mounted into the apiserver, removed). */
export const SYSTEM_DIRECTORIES = [
    "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/media", "/mnt", "/opt", "/proc",
    "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var",
    "/etc/kubernetes", "/opt/cni", "/usr/local", "/var/lib", "/var/log", "/var/opt", "/var/run", "/var/tmp",
];

/** Trees no kube-baseline directory may be in: the OS itself, volatile storage, and other components' state. */
export const RESERVED_TREES = [
    "/bin", "/boot", "/dev", "/lib", "/lib32", "/lib64", "/proc", "/run", "/sbin", "/sys", "/tmp", "/usr", "/var/tmp",
    "/var/run", "/root/.ssh", "/etc/ssh", "/etc/sudoers.d", "/etc/systemd", "/etc/cni", "/etc/sysctl.d",
    "/etc/modules-load.d", "/var/lib/etcd", "/var/lib/kubelet", "/opt/cni",
];

/** kubeadm's entries beside the static-pod directory (in /etc/kubernetes): its PKI, kubeconfigs and upgrade scratch. */
export const KUBEADM_RESERVED_ENTRIES = [
    "pki", "tmp", "admin.conf", "super-admin.conf", "kubelet.conf", "bootstrap-kubelet.conf",
    "controller-manager.conf", "scheduler.conf",
];

export type NormalizedPath = { path: string; problem?: undefined } | { path?: undefined; problem: string };

/** Normalises an absolute node path, or says why it is not one. */
export function normalizeAbsolutePath(value: string): NormalizedPath {
    if (!PLAIN_ABSOLUTE_PATH.test(value)) {
        return { problem: "must be an absolute path of letters, digits, '.', '_', '-' and '/'" };
    }
    const parts = value.split("/").filter(p => p !== "" && p !== ".");
    if (parts.includes("..")) return { problem: "must not contain '..' (write the directory it means)" };
    return { path: `/${parts.join("/")}` };
}

/** True when `path` is `dir` or inside it (both normalised). */
export function isInside(path: string, dir: string): boolean {
    return dir === "/" || path === dir || path.startsWith(`${dir}/`);
}

export function parentOf(path: string): string {
    const i = path.lastIndexOf("/");
    return i <= 0 ? "/" : path.slice(0, i);
}

/**
 * Why `dir` cannot be a directory kube-baseline owns, or undefined when it can. `staticPodDir` is the directory of
 * the apiserver manifest (normalised).
 */
export function dedicatedDirectoryProblem(dir: string, staticPodDir: string): string | undefined {
    if (SYSTEM_DIRECTORIES.includes(dir)) {
        return "is a system directory; use a directory of its own such as /etc/kubernetes/kube-baseline-auth";
    }
    const tree = RESERVED_TREES.find(t => isInside(dir, t));
    if (tree !== undefined) return `is inside ${tree}, which belongs to the OS or another component`;
    if (isInside(dir, staticPodDir)) {
        return `must not be inside the static pod manifest directory ${staticPodDir} (kubelet would treat its files as pods)`;
    }
    if (isInside(staticPodDir, dir)) {
        return `must not contain the static pod manifest directory ${staticPodDir}`;
    }
    const kubeadmDir = parentOf(staticPodDir);
    const reserved = KUBEADM_RESERVED_ENTRIES.map(e => `${kubeadmDir === "/" ? "" : kubeadmDir}/${e}`).find(e => isInside(dir, e));
    if (reserved !== undefined) return `must not be inside ${reserved}, which kubeadm owns`;
    return undefined;
}
