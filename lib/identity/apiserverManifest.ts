// The static-token file as one user of the control-plane patch mechanism (lib/controlPlane): the
// `--token-auth-file=<file>` flag on kube-apiserver (owned: a token file kube-baseline did not write is never
// replaced), token.csv itself (0600, secret, in a 0700 directory), and a read-only hostPath mount of that directory.
//
// patchApiserverManifest / unpatchApiserverManifest keep their behaviour: the patch inserts whole lines, and the
// unpatch (removing exactly those lines) gives back the original text byte for byte. Both run in the Pulumi
// program; the node only swaps whole files (see staticTokenScripts.ts).

import { componentPatch, ComponentPatch } from "../controlPlane/patchModel";
import { applyManifestPatch, removeManifestPatch } from "../controlPlane/manifestPatch";
import { componentHealthUrl, readStaticPod } from "../controlPlane/staticPodManifest";

export interface TokenAuthPatch {
    /** Absolute path of token.csv on the node; its directory is what gets mounted. */
    tokenFile: string;
    /** Name of the added volume (and its mount). */
    volumeName: string;
}

export const DEFAULT_VOLUME_NAME = "kube-baseline-static-tokens";
const FLAG_NAME = "token-auth-file";

export function tokenDirectory(tokenFile: string): string {
    const dir = tokenFile.replace(/\/[^/]+$/, "");
    return dir === "" ? "/" : dir;
}

export function tokenAuthFlag(tokenFile: string): string {
    return `--${FLAG_NAME}=${tokenFile}`;
}

/**
 * The static-token patch of kube-apiserver. `tokenCsv` (secret) is the file's content; the manifest patch does
 * not need it, the node scripts do.
 */
export function staticTokenPatch(patch: TokenAuthPatch, tokenCsv = ""): ComponentPatch {
    checkPatch(patch);
    const dir = tokenDirectory(patch.tokenFile);
    return componentPatch({
        flags: { [FLAG_NAME]: patch.tokenFile },
        ownedFlags: [FLAG_NAME],
        directories: [{ path: dir, mode: "0700", owner: "root:root" }],
        files: [{ path: patch.tokenFile, mode: "0600", owner: "root:root", content: tokenCsv, secret: true }],
        mounts: [{ name: patch.volumeName, hostPath: dir, mountPath: dir, readOnly: true, type: "DirectoryOrCreate" }],
    });
}

/** Patched manifest text; the input unchanged when it already carries this exact patch. */
export function patchApiserverManifest(text: string, patch: TokenAuthPatch): string {
    return applyManifestPatch(text, "kube-apiserver", staticTokenPatch(patch));
}

/** Removes exactly what patchApiserverManifest added; unpatch(patch(x)) === x. */
export function unpatchApiserverManifest(text: string, patch: TokenAuthPatch): string {
    return removeManifestPatch(text, "kube-apiserver", staticTokenPatch(patch));
}

/** True when the manifest's kube-apiserver command carries this token file flag. */
export function hasTokenAuthFlag(text: string, tokenFile: string): boolean {
    return readStaticPod(text, "kube-apiserver").command.includes(tokenAuthFlag(tokenFile));
}

/**
 * Where the node can ask the apiserver /readyz: the manifest's own readiness probe when it has one (kubeadm
 * writes host, port and scheme there), else the advertise address and secure port flags, else localhost:6443.
 */
export function apiserverReadyzUrl(text: string): string {
    return componentHealthUrl(text, "kube-apiserver");
}

function checkPatch(patch: TokenAuthPatch): void {
    if (!/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(patch.tokenFile) || patch.tokenFile.split("/").includes("..")) {
        throw new Error(`token file must be a plain absolute path, got ${JSON.stringify(patch.tokenFile)}`);
    }
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(patch.volumeName)) {
        throw new Error(`volume name must be an RFC 1123 label, got ${JSON.stringify(patch.volumeName)}`);
    }
}
