// A ComponentPatch applied to a static pod manifest, as text: flags set in kubeadm's sorted position (or changed in
// place), flags removed, volumeMounts and hostPath volumes appended. Nothing else changes, and applying twice
// changes nothing more. revertManifestPatch undoes it against the original; on the exact text the patch wrote it
// gives the original back byte for byte. The node scripts swap whole files; this runs in the Pulumi program.

import { isMap, Node, YAMLMap, YAMLSeq } from "yaml";
import { ControlPlaneComponent } from "./components";
import { checkComponentPatch, ComponentPatch, HostPathMount, resolveFlags, ResolvedFlags } from "./patchModel";
import { commandFlags, CommandFlag, locateStaticPod, LocatedPod, scalarString } from "./staticPodManifest";
import {
    appendPair, appendToSeq, applyTextEdits, insertLinesAfter, insertLinesBefore, removeItem, removePair, renderScalar, replaceScalar, seqIndent, TextEdit,
} from "./yamlTextEdit";

/** The patched manifest text; the input unchanged when it already carries this patch. */
export function applyManifestPatch(text: string, component: ControlPlaneComponent, patch: ComponentPatch): string {
    checkComponentPatch(component, patch);
    const pod = locateStaticPod(text, component);
    const flags = checkedFlags(pod, component);
    for (const name of patch.conflictingFlags) {
        const present = flags.get(name);
        if (present) throw new Error(`${component} has --${name}, which cannot be used together with ${describeOwned(patch)}; remove it first`);
    }
    for (const name of patch.ownedFlags) {
        const present = flags.get(name);
        if (present && present.value !== patch.flags[name]) {
            throw new Error(`${component} already has --${name}${present.value === undefined ? "" : `=${present.value}`}; refusing to replace a value kube-baseline does not own`);
        }
    }
    const resolved = resolveFlags(flags.values(), patch);
    const edits = flagEdits(text, pod, flags, resolved, component);
    edits.push(...mountEdits(text, pod, patch.mounts, component));
    return applyTextEdits(text, edits);
}

/** The flag values a patch gives this manifest (list flags merged with what it lists now). */
export function resolveManifestFlags(text: string, component: ControlPlaneComponent, patch: ComponentPatch): ResolvedFlags {
    return resolveFlags(checkedFlags(locateStaticPod(text, component), component).values(), patch);
}

/**
 * Removes what applyManifestPatch added: flags that still have the patch's value, and the patch's mounts and
 * volumes. It cannot know the value a changed flag had before (revertManifestPatch can); for patches that only
 * add (the static-token flag), removeManifestPatch(applyManifestPatch(x)) === x.
 */
export function removeManifestPatch(text: string, component: ControlPlaneComponent, patch: ComponentPatch): string {
    checkComponentPatch(component, patch);
    const pod = locateStaticPod(text, component);
    const flags = checkedFlags(pod, component);
    const edits: TextEdit[] = [];
    for (const [name, value] of Object.entries(patch.flags)) {
        const f = flags.get(name);
        if (f && f.value === value) edits.push(removeItem(text, f.item));
    }
    edits.push(...mountRemovals(text, pod, patch.mounts.map(m => m.name)));
    return applyTextEdits(text, edits);
}

/**
 * `live` with every flag, mount and volume the patch touches put back as `original` has it; everything else (an
 * upgraded image, flags kubeadm added) stays as it is live. When `live` is exactly what the patch makes of
 * `original`, the result is `original` byte for byte.
 */
export function revertManifestPatch(live: string, original: string, component: ControlPlaneComponent, patch: ComponentPatch): string {
    checkComponentPatch(component, patch);
    try {
        if (applyManifestPatch(original, component, patch) === live) return original;
    } catch {
        // the original no longer takes the patch (edited since): revert flag by flag below
    }
    const touched = [...Object.keys(patch.flags), ...Object.keys(patch.listFlags), ...patch.removeFlags];
    return revertTouched(live, original, component, touched, patch.mounts.map(m => m.name));
}

/**
 * `live` with kube-baseline's changes taken out, where its changes are whatever `written` (the text it last wrote)
 * has that `original` has not: flags that differ get the original's value back (or go), volumes and mounts it
 * added go. This is how the original is found again after `kubeadm upgrade` regenerated a patched manifest:
 * what is left is the upgraded manifest as it would be without kube-baseline.
 */
export function revertManifestChanges(live: string, original: string, written: string, component: ControlPlaneComponent): string {
    const before = checkedFlags(locateStaticPod(original, component), component).values();
    const wrote = checkedFlags(locateStaticPod(written, component), component).values();
    const flags = [...new Set([...before.keys(), ...wrote.keys()])].filter(n => before.has(n) !== wrote.has(n) || before.get(n) !== wrote.get(n));
    const names = (text: string) => {
        const pod = locateStaticPod(text, component);
        return new Set([...(pod.volumeMounts?.items ?? []), ...(pod.volumes?.items ?? [])].filter(isMap).map(m => String(m.get("name"))));
    };
    const originalNames = names(original);
    return revertTouched(live, original, component, flags, [...names(written)].filter(n => !originalNames.has(n)));
}

function revertTouched(live: string, original: string, component: ControlPlaneComponent, flagNames: string[], mountNames: string[]): string {
    const before = checkedFlags(locateStaticPod(original, component), component);
    const pod = locateStaticPod(live, component);
    const now = checkedFlags(pod, component);
    const resolved: ResolvedFlags = { set: {}, remove: [] };
    for (const name of flagNames) {
        const was = before.get(name);
        if (was) resolved.set[name] = was.value ?? "";
        else if (now.has(name)) resolved.remove.push(name);
    }
    // A flag that was bare ("--flag") comes back bare.
    const bare = new Set([...before.values()].filter(([, v]) => v === undefined).map(([k]) => k));
    const edits = moveBackToOriginalPlace(live, pod, locateStaticPod(original, component), resolved, bare, component);
    edits.push(...flagEdits(live, pod, now, resolved, component, bare));
    const originalPod = locateStaticPod(original, component);
    const originalNames = new Set([...(originalPod.volumeMounts?.items ?? []), ...(originalPod.volumes?.items ?? [])]
        .filter(isMap).map(m => String(m.get("name"))));
    edits.push(...mountRemovals(live, pod, mountNames.filter(n => !originalNames.has(n))));
    return applyTextEdits(live, edits);
}

/**
 * kubeadm writes a flag given in extraArgs after all its own (sorted) flags. A flag put back to its original value
 * goes back to its original place too, between the flags around it in the original: otherwise the reverted text
 * differs from the original in order. Those flags leave `resolved.set` (their edit is made here).
 */
function moveBackToOriginalPlace(
    live: string, pod: LocatedPod, originalPod: LocatedPod, resolved: ResolvedFlags, bare: Set<string>, component: ControlPlaneComponent,
): TextEdit[] {
    const liveFlags = commandFlags(pod);
    const at = new Map(liveFlags.map((f, i) => [f.name, i]));
    const originalNames = commandFlags(originalPod).map(f => f.name);
    const edits: TextEdit[] = [];
    for (const name of originalNames.filter(n => n in resolved.set && at.has(n))) {
        const k = originalNames.indexOf(name);
        const previous = originalNames.slice(0, k).reverse().find(n => n !== name && at.has(n));
        const next = originalNames.slice(k + 1).find(n => n !== name && at.has(n));
        const i = at.get(name)!;
        if ((previous === undefined || at.get(previous)! < i) && (next === undefined || at.get(next)! > i)) continue;
        const item = liveFlags[i].item;
        const line = `- ${renderScalar(flagText(name, resolved.set[name], bare.has(name)))}`;
        edits.push(removeItem(live, item));
        if (next !== undefined) {
            const target = liveFlags[at.get(next)!].item;
            edits.push(insertLinesBefore(live, target.range![0], [`${seqIndent(live, target, `${component} manifest`)}${line}`]));
        } else {
            const target = liveFlags[at.get(previous!)!].item;
            edits.push(insertLinesAfter(live, target.range![1], [`${seqIndent(live, target, `${component} manifest`)}${line}`]));
        }
        delete resolved.set[name];
    }
    return edits;
}

// ---------------------------------------------------------------------------------------------------------

function describeOwned(patch: ComponentPatch): string {
    const names = Object.keys(patch.flags);
    return names.length === 0 ? "this patch" : names.map(n => `--${n}`).join(", ");
}

/** The command's flags by name. A flag given more than once is fine until the patch wants to touch it. */
interface FlagIndex {
    get(name: string): CommandFlag | undefined;
    has(name: string): boolean;
    values(): Map<string, string | undefined>;
}

function checkedFlags(pod: LocatedPod, component: ControlPlaneComponent): FlagIndex {
    const byName = new Map<string, CommandFlag>();
    const repeated = new Set<string>();
    for (const f of commandFlags(pod)) {
        if (byName.has(f.name)) repeated.add(f.name);
        byName.set(f.name, f);
    }
    const get = (name: string) => {
        if (repeated.has(name)) throw new Error(`${component} has --${name} more than once; kube-baseline only changes a flag that appears once`);
        return byName.get(name);
    };
    return {
        get,
        has: name => get(name) !== undefined,
        values: () => new Map([...byName].map(([k, f]) => [k, f.value])),
    };
}

/** "--name=value", or "--name" for a flag that was bare in the original. */
function flagText(name: string, value: string, bare: boolean): string {
    return bare && value === "" ? `--${name}` : `--${name}=${value}`;
}

function flagEdits(
    text: string, pod: LocatedPod, flags: FlagIndex, resolved: ResolvedFlags, component: ControlPlaneComponent,
    bare: Set<string> = new Set(),
): TextEdit[] {
    const edits: TextEdit[] = [];
    const inserts: string[] = [];
    for (const [name, value] of Object.entries(resolved.set)) {
        const wanted = flagText(name, value, bare.has(name));
        const present = flags.get(name);
        if (!present) inserts.push(wanted);
        else if (scalarString(present.item) !== wanted) edits.push(replaceScalar(present.item, renderScalar(wanted)));
    }
    for (const name of resolved.remove) {
        const present = flags.get(name);
        if (present) edits.push(removeItem(text, present.item));
    }
    // kubeadm keeps flags sorted: each new flag goes before the first item that sorts after it, else last.
    const what = `${component} manifest`;
    const items = pod.command.items;
    const appended: string[] = [];
    for (const flag of inserts.sort()) {
        const after = items.findIndex((item, i) => i > 0 && (scalarString(item) ?? "") > flag);
        if (after > 0) {
            const node = items[after] as Node;
            edits.push(insertLinesBefore(text, node.range![0], [`${seqIndent(text, node, what)}- ${renderScalar(flag)}`]));
        } else {
            appended.push(`- ${renderScalar(flag)}`);
        }
    }
    if (appended.length > 0) edits.push(appendToSeq(text, pod.command, appended, what));
    return edits;
}

function mountEdits(text: string, pod: LocatedPod, mounts: HostPathMount[], component: ControlPlaneComponent): TextEdit[] {
    const existingMounts = pod.volumeMounts ? pod.volumeMounts.items.filter(isMap) : [];
    const existingVolumes = pod.volumes ? pod.volumes.items.filter(isMap) : [];
    const mountLines: string[] = [];
    const volumeLines: string[] = [];
    for (const m of mounts) {
        const byName = existingMounts.find(v => v.get("name") === m.name);
        const byPath = existingMounts.find(v => v.get("mountPath") === m.mountPath);
        if (byName && (byName.get("mountPath") !== m.mountPath || (byName.get("readOnly") === true) !== m.readOnly)) {
            throw new Error(`${component} already has a volumeMount named ${m.name} that is not a ${m.readOnly ? "read-only" : "writable"} mount of ${m.mountPath}`);
        }
        if (!byName && byPath) {
            throw new Error(`${component} already mounts ${m.mountPath} (volume ${String(byPath.get("name"))}); remove that hand-made patch first`);
        }
        if (!byName) {
            mountLines.push(`- mountPath: ${renderScalar(m.mountPath)}`, `  name: ${m.name}`);
            if (m.readOnly) mountLines.push("  readOnly: true");
        }
        const volume = existingVolumes.find(v => v.get("name") === m.name);
        if (volume && (volume.getIn(["hostPath", "path"]) !== m.hostPath)) {
            throw new Error(`the ${component} pod already has a volume named ${m.name} that is not the hostPath ${m.hostPath}`);
        }
        if (!volume) volumeLines.push("- hostPath:", `    path: ${renderScalar(m.hostPath)}`, `    type: ${m.type}`, `  name: ${m.name}`);
    }
    const edits: TextEdit[] = [];
    const what = `${component} manifest`;
    if (mountLines.length > 0) {
        edits.push(pod.volumeMounts ? appendToSeq(text, pod.volumeMounts, mountLines, what) : appendPair(text, pod.container, "volumeMounts", mountLines));
    }
    if (volumeLines.length > 0) {
        edits.push(pod.volumes ? appendToSeq(text, pod.volumes, volumeLines, what) : appendPair(text, pod.spec, "volumes", volumeLines));
    }
    return edits;
}

/** Removes mounts and volumes by name; a list left empty goes with its key (the patch added both). */
function mountRemovals(text: string, pod: LocatedPod, names: string[]): TextEdit[] {
    const edits: TextEdit[] = [];
    for (const [owner, seq] of [[pod.container, pod.volumeMounts], [pod.spec, pod.volumes]] as Array<[YAMLMap, YAMLSeq | undefined]>) {
        if (!seq) continue;
        const ours = seq.items.filter(v => isMap(v) && names.includes(String(v.get("name"))));
        if (ours.length === 0) continue;
        if (ours.length === seq.items.length) edits.push(removePair(text, owner, seq));
        else edits.push(...ours.map(item => removeItem(text, item)));
    }
    return edits;
}
