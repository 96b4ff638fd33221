// One control-plane patch, as data: per component the flags to set, change or remove, the files to write on the
// node (path, mode, owner, content; secret content only ever travels on stdin) with their directories, and the
// hostPath mounts that let the component read them. Every user of the mechanism (static tokens, audit logging,
// encryption at rest, anonymous access, ...) contributes a ControlPlanePatch; mergeControlPlanePatches combines
// them and refuses contradictions, so two settings can never fight over one flag, file or mount.
//
// The same patch is applied to a static pod manifest (manifestPatch.ts) and to kubeadm's ClusterConfiguration
// (clusterConfiguration.ts), so that `kubeadm upgrade`, which regenerates the manifests from the latter, keeps it.

import { ControlPlaneComponent, CONTROL_PLANE_COMPONENTS } from "./components";

export type HostPathType = "DirectoryOrCreate" | "Directory" | "FileOrCreate" | "File";
export const HOST_PATH_TYPES: readonly HostPathType[] = ["DirectoryOrCreate", "Directory", "FileOrCreate", "File"];

export interface ManagedDirectory {
    path: string;
    /** Octal, four digits: "0700". */
    mode: string;
    /** "user:group", names or numeric ids: "root:root", "0:0". */
    owner: string;
}

export interface ManagedFile extends ManagedDirectory {
    content: string;
    /** Secret content (tokens, encryption keys) is never put into a script or a manifest: it goes on stdin. */
    secret?: boolean;
}

export interface HostPathMount {
    /** Volume name and volumeMount name (an RFC 1123 label). */
    name: string;
    hostPath: string;
    mountPath: string;
    /** Read-only unless the component must write there (the audit log directory). */
    readOnly: boolean;
    type: HostPathType;
}

/** A comma-separated flag (--enable-admission-plugins) merged with what the manifest already lists. */
export interface ListFlagChange {
    add: string[];
    remove: string[];
}

export interface ComponentPatch {
    /** Flag name (without "--") -> value. Replaces a value already there, unless the flag is owned. */
    flags: Record<string, string>;
    listFlags: Record<string, ListFlagChange>;
    /** Flags taken out (one this patch makes invalid, e.g. --anonymous-auth beside an AuthenticationConfiguration). */
    removeFlags: string[];
    /** Flags whose value points at something kube-baseline writes: one already set to another value is refused. */
    ownedFlags: string[];
    /** Flags that cannot go with this patch (--oidc-issuer-url beside --authentication-config): refused when present. */
    conflictingFlags: string[];
    directories: ManagedDirectory[];
    files: ManagedFile[];
    mounts: HostPathMount[];
}

export type ControlPlanePatch = Partial<Record<ControlPlaneComponent, ComponentPatch>>;

/** A ComponentPatch with every list present; fields not given are empty. */
export function componentPatch(partial: Partial<ComponentPatch>): ComponentPatch {
    return {
        flags: { ...(partial.flags ?? {}) },
        listFlags: Object.fromEntries(Object.entries(partial.listFlags ?? {}).map(([k, v]) => [k, { add: [...v.add], remove: [...v.remove] }])),
        removeFlags: [...(partial.removeFlags ?? [])],
        ownedFlags: [...(partial.ownedFlags ?? [])],
        conflictingFlags: [...(partial.conflictingFlags ?? [])],
        directories: (partial.directories ?? []).map(d => ({ ...d })),
        files: (partial.files ?? []).map(f => ({ ...f })),
        mounts: (partial.mounts ?? []).map(m => ({ ...m })),
    };
}

// ---------------------------------------------------------------------------------------------------------
// Checks: everything that ends up in a manifest, a ClusterConfiguration or a node script is plain data.

export const FLAG_NAME = /^[a-z0-9][a-z0-9-]*$/;
/** Entries of a comma-separated flag value: no comma, no blank. */
export const LIST_ENTRY = /^[A-Za-z0-9._:=/-]+$/;
export const PLAIN_ABSOLUTE_PATH = /^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/;
export const FILE_MODE = /^0[0-7]{3}$/;
export const OWNER = /^([a-z_][a-z0-9_-]{0,31}|[0-9]{1,10}):([a-z_][a-z0-9_-]{0,31}|[0-9]{1,10})$/;
export const VOLUME_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function isPlainAbsolutePath(path: string): boolean {
    return PLAIN_ABSOLUTE_PATH.test(path) && !path.split("/").some(s => s === ".." || s === ".") && !path.includes("//");
}

export function parentDirectory(path: string): string {
    const dir = path.slice(0, path.lastIndexOf("/"));
    return dir === "" ? "/" : dir;
}

/** True when path is dir itself or inside it. */
export function isWithin(path: string, dir: string): boolean {
    return path === dir || dir === "/" || path.startsWith(`${dir}/`);
}

/** Throws, naming the component and the bad entry, unless the patch is well-formed and self-consistent. */
export function checkComponentPatch(component: ControlPlaneComponent, patch: ComponentPatch): void {
    const fail = (message: string): never => { throw new Error(`${component} patch: ${message}`); };
    const touched = new Map<string, string>();
    const touch = (name: string, how: string) => {
        if (!FLAG_NAME.test(name)) fail(`flag name ${JSON.stringify(name)} is not a plain flag name (write it without "--")`);
        const before = touched.get(name);
        if (before !== undefined) fail(`--${name} is both ${before} and ${how}`);
        touched.set(name, how);
    };
    for (const [name, value] of Object.entries(patch.flags)) {
        touch(name, "set");
        if (typeof value !== "string" || /[\n\r\0]/.test(value)) fail(`--${name} must be one line of text, got ${JSON.stringify(value)}`);
    }
    for (const [name, change] of Object.entries(patch.listFlags)) {
        touch(name, "merged as a list");
        for (const entry of [...change.add, ...change.remove]) {
            if (!LIST_ENTRY.test(entry)) fail(`--${name} entry ${JSON.stringify(entry)} is not a plain list entry`);
        }
        const both = change.add.filter(e => change.remove.includes(e));
        if (both.length > 0) fail(`--${name} both adds and removes ${both.join(", ")}`);
    }
    for (const name of patch.removeFlags) touch(name, "removed");
    for (const name of patch.ownedFlags) {
        if (!(name in patch.flags)) fail(`owned flag --${name} is not set by the patch`);
    }
    for (const name of patch.conflictingFlags) {
        if (!FLAG_NAME.test(name)) fail(`flag name ${JSON.stringify(name)} is not a plain flag name`);
        if (touched.has(name)) fail(`--${name} cannot both conflict with the patch and be changed by it`);
    }

    const directories = new Map<string, ManagedDirectory>();
    for (const d of patch.directories) {
        checkOwnership(d, "directory", fail);
        if (directories.has(d.path)) fail(`directory ${d.path} is listed twice`);
        directories.set(d.path, d);
    }
    const files = new Set<string>();
    for (const f of patch.files) {
        checkOwnership(f, "file", fail);
        if (typeof f.content !== "string") fail(`file ${f.path} has no text content`);
        if (files.has(f.path) || directories.has(f.path)) fail(`${f.path} is listed twice`);
        files.add(f.path);
        if (!directories.has(parentDirectory(f.path))) {
            fail(`file ${f.path}: its directory ${parentDirectory(f.path)} must be listed with its mode and owner`);
        }
    }
    const names = new Set<string>();
    const mountPaths = new Set<string>();
    for (const m of patch.mounts) {
        if (!VOLUME_NAME.test(m.name)) fail(`volume name ${JSON.stringify(m.name)} is not an RFC 1123 label`);
        if (!isPlainAbsolutePath(m.hostPath)) fail(`hostPath of volume ${m.name} must be a plain absolute path, got ${JSON.stringify(m.hostPath)}`);
        if (!isPlainAbsolutePath(m.mountPath)) fail(`mountPath of volume ${m.name} must be a plain absolute path, got ${JSON.stringify(m.mountPath)}`);
        if (!HOST_PATH_TYPES.includes(m.type)) fail(`volume ${m.name}: hostPath type must be one of ${HOST_PATH_TYPES.join(", ")}, got ${JSON.stringify(m.type)}`);
        if (typeof m.readOnly !== "boolean") fail(`volume ${m.name}: readOnly must be true or false`);
        if (names.has(m.name)) fail(`volume ${m.name} is listed twice`);
        if (mountPaths.has(m.mountPath)) fail(`${m.mountPath} is mounted twice`);
        names.add(m.name);
        mountPaths.add(m.mountPath);
    }
    // A file the component cannot see is a setting that silently does nothing.
    for (const f of patch.files) {
        if (!patch.mounts.some(m => isWithin(f.path, m.hostPath))) fail(`file ${f.path} is not inside any volume mounted into ${component}`);
    }
}

function checkOwnership(entry: ManagedDirectory, what: string, fail: (message: string) => never): void {
    if (!isPlainAbsolutePath(entry.path)) fail(`${what} path must be a plain absolute path, got ${JSON.stringify(entry.path)}`);
    if (!FILE_MODE.test(entry.mode)) fail(`${what} ${entry.path}: mode must be four octal digits such as "0600", got ${JSON.stringify(entry.mode)}`);
    if (!OWNER.test(entry.owner)) fail(`${what} ${entry.path}: owner must be "user:group", got ${JSON.stringify(entry.owner)}`);
}

// ---------------------------------------------------------------------------------------------------------
// Merge

/** Combines the patches of several settings; throws on any contradiction, naming the component and the entry. */
export function mergeControlPlanePatches(...patches: ControlPlanePatch[]): ControlPlanePatch {
    const out: ControlPlanePatch = {};
    for (const component of CONTROL_PLANE_COMPONENTS) {
        const parts = patches.map(p => p[component]).filter((p): p is ComponentPatch => p !== undefined);
        if (parts.length === 0) continue;
        const merged = parts.slice(1).reduce((a, b) => mergeComponentPatches(component, a, b), componentPatch(parts[0]));
        checkComponentPatch(component, merged);
        out[component] = merged;
    }
    // Each component's node script removes its own files on restore: a file belongs to one component.
    const owners = new Map<string, ControlPlaneComponent>();
    for (const component of CONTROL_PLANE_COMPONENTS) {
        for (const f of out[component]?.files ?? []) {
            const other = owners.get(f.path);
            if (other) throw new Error(`${f.path} is written for both ${other} and ${component}; a file belongs to one component`);
            owners.set(f.path, component);
        }
    }
    return out;
}

function mergeComponentPatches(component: ControlPlaneComponent, a: ComponentPatch, b: ComponentPatch): ComponentPatch {
    const fail = (message: string): never => { throw new Error(`${component}: two settings disagree: ${message}`); };
    const out = componentPatch(a);
    for (const [name, value] of Object.entries(b.flags)) {
        if (name in out.flags && out.flags[name] !== value) fail(`--${name}=${out.flags[name]} and --${name}=${value}`);
        out.flags[name] = value;
    }
    for (const [name, change] of Object.entries(b.listFlags)) {
        const mine = out.listFlags[name] ?? { add: [], remove: [] };
        const clash = [...change.add.filter(e => mine.remove.includes(e)), ...change.remove.filter(e => mine.add.includes(e))];
        if (clash.length > 0) fail(`--${name}: ${clash.join(", ")} both added and removed`);
        out.listFlags[name] = { add: union(mine.add, change.add), remove: union(mine.remove, change.remove) };
    }
    out.removeFlags = union(out.removeFlags, b.removeFlags);
    out.ownedFlags = union(out.ownedFlags, b.ownedFlags);
    out.conflictingFlags = union(out.conflictingFlags, b.conflictingFlags);
    for (const d of b.directories) {
        const same = out.directories.find(x => x.path === d.path);
        if (!same) out.directories.push({ ...d });
        else if (same.mode !== d.mode || same.owner !== d.owner) fail(`directory ${d.path} wanted as ${same.mode} ${same.owner} and as ${d.mode} ${d.owner}`);
    }
    for (const f of b.files) {
        const same = out.files.find(x => x.path === f.path);
        if (!same) out.files.push({ ...f });
        else if (same.content !== f.content || same.mode !== f.mode || same.owner !== f.owner || !!same.secret !== !!f.secret) fail(`both write ${f.path}`);
    }
    for (const m of b.mounts) {
        const byName = out.mounts.find(x => x.name === m.name);
        const byPath = out.mounts.find(x => x.mountPath === m.mountPath);
        if (byName) {
            if (JSON.stringify(byName) !== JSON.stringify({ ...byName, ...m })) fail(`volume ${m.name} is described twice, differently`);
        } else if (byPath) {
            fail(`${m.mountPath} is mounted as ${byPath.name} and as ${m.name}`);
        } else {
            out.mounts.push({ ...m });
        }
    }
    return out;
}

function union(a: string[], b: string[]): string[] {
    return [...a, ...b.filter(x => !a.includes(x))];
}

// ---------------------------------------------------------------------------------------------------------
// Resolution against one manifest's current flags

export interface ResolvedFlags {
    /** Flag name -> the value it must have. */
    set: Record<string, string>;
    /** Flags that must not be there. */
    remove: string[];
}

/**
 * The concrete flag values this patch means for a component whose flags are `current` (name -> value; a flag
 * without "=value" maps to undefined): list flags are merged with what is there, an empty list removes the flag.
 */
export function resolveFlags(current: ReadonlyMap<string, string | undefined>, patch: ComponentPatch): ResolvedFlags {
    const set: Record<string, string> = { ...patch.flags };
    const remove = [...patch.removeFlags];
    for (const [name, change] of Object.entries(patch.listFlags)) {
        const present = current.get(name);
        const entries = (present ?? "").split(",").map(s => s.trim()).filter(s => s !== "");
        const kept = entries.filter(e => !change.remove.includes(e));
        const value = [...kept, ...change.add.filter(e => !kept.includes(e))];
        if (value.length > 0) set[name] = value.join(",");
        else if (current.has(name)) remove.push(name);
    }
    return { set, remove };
}
