// What the program does with one component's manifest on one node, decided from what it read there
// (readManifestStateScript): the original to patch, the patched text, what the node must still look like for the
// apply script to go ahead (compare-and-swap), and the drift to report in a preview.
//
// Normally the original is the backup (or the live manifest before the first patch). After `kubeadm upgrade`
// regenerated a patched manifest, the live text is neither: its new original is the live text without
// kube-baseline's changes (revertManifestChanges), and the backup is replaced by it, so that a later restore puts
// back the upgraded manifest, not the one from before the upgrade.

import { ControlPlaneComponent } from "./components";
import { describeManifestDrift, ManifestDrift } from "./drift";
import { applyManifestPatch, revertManifestChanges, revertManifestPatch } from "./manifestPatch";
import { ManifestState } from "./nodeScripts";
import { sha256Hex } from "../hash";
import { ComponentPatch } from "./patchModel";

export interface ManifestUpdate {
    originalManifest: string;
    patchedManifest: string;
    /**
     * For ApplyPatchScriptInput.expected: only what the script cannot tell by itself (a live text that is neither
     * the original nor kube-baseline's, a backup to replace), so the script is the same from one run to the next
     * while nothing changes on the node.
     */
    expected: { liveSha256?: string; backupSha256?: string };
    /** How the live manifest differs from what kube-baseline last wrote; undefined when it does not. */
    drift?: ManifestDrift;
    /** The original changed under kube-baseline (an upgrade, or an edit): the backup is replaced. */
    rebased: boolean;
    /** Nothing to write: the live manifest is the patched text already and the backup is the original. */
    upToDate: boolean;
}

export function planManifestUpdate(state: ManifestState, component: ControlPlaneComponent, patch: ComponentPatch): ManifestUpdate {
    const live = state.live;
    if (!live) throw new Error(`there is no ${component} manifest on the node`);
    const written = state.written;
    const drift = written && written.sha256 !== live.sha256 ? describeManifestDrift(live.text, written.text, component) : undefined;
    const known = live.sha256 === state.original.sha256 || (written !== undefined && live.sha256 === written.sha256);
    let originalManifest = state.original.text;
    if (!known) {
        originalManifest = written
            ? revertManifestChanges(live.text, state.original.text, written.text, component)
            : revertManifestPatch(live.text, state.original.text, component, patch);
    }
    const patchedManifest = applyManifestPatch(originalManifest, component, patch);
    const rebased = sha256Hex(originalManifest) !== state.original.sha256;
    return {
        originalManifest,
        patchedManifest,
        expected: known && !rebased
            ? { ...state.recordedExpected }
            : { ...(known ? {} : { liveSha256: live.sha256 }), ...(rebased ? { backupSha256: state.original.sha256 } : {}) },
        drift,
        rebased,
        upToDate: !rebased && sha256Hex(patchedManifest) === live.sha256,
    };
}
