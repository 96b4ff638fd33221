// The kube-apiserver static pod manifest patch for static tokens: adds `--token-auth-file=<file>` to the
// kube-apiserver command, a read-only mount of the token directory and its hostPath volume — and nothing else.
//
// The manifest is edited as text: the yaml Document API finds the nodes and their source ranges, and the patch
// inserts whole lines there (indented like their neighbours). Every byte outside the inserted lines stays as it
// was, so the unpatch (removing exactly those lines) gives back the original text byte for byte. Patching is
// idempotent. Both run in the Pulumi program; the node only swaps whole files (see staticTokenScripts.ts).

import { isMap, isScalar, isSeq, parseDocument, Document, Node, Pair, YAMLMap, YAMLSeq } from "yaml";

export interface TokenAuthPatch {
    /** Absolute path of token.csv on the node; its directory is what gets mounted. */
    tokenFile: string;
    /** Name of the added volume (and its mount). */
    volumeName: string;
}

export const DEFAULT_VOLUME_NAME = "kube-baseline-static-tokens";
const FLAG = "--token-auth-file=";

export function tokenDirectory(tokenFile: string): string {
    const dir = tokenFile.replace(/\/[^/]+$/, "");
    return dir === "" ? "/" : dir;
}

export function tokenAuthFlag(tokenFile: string): string {
    return `${FLAG}${tokenFile}`;
}

/** Patched manifest text; the input unchanged when it already carries this exact patch. */
export function patchApiserverManifest(text: string, patch: TokenAuthPatch): string {
    checkPatch(patch);
    const m = locate(text);
    const dir = tokenDirectory(patch.tokenFile);
    const flag = tokenAuthFlag(patch.tokenFile);
    const edits: Edit[] = [];

    // The flag: kubeadm keeps flags sorted, so insert it in order (or last when nothing sorts after it).
    const flags = m.command.items.map(scalarString);
    const existing = flags.find(f => f?.startsWith(FLAG));
    if (existing !== undefined && existing !== flag) {
        throw new Error(`kube-apiserver already has ${existing}; refusing to replace a token file kube-baseline does not own`);
    }
    if (existing === undefined) {
        const after = m.command.items.findIndex((item, i) => i > 0 && (scalarString(item) ?? "") > flag);
        if (after > 0) {
            edits.push({ at: lineStart(text, (m.command.items[after] as Node).range![0]), lines: [`${seqIndent(text, m.command.items[after])}- ${flag}`] });
        } else {
            edits.push(appendToSeq(text, m.command, [`- ${flag}`]));
        }
    }

    // The mount.
    const mounts = m.volumeMounts ? m.volumeMounts.items.filter(isMap) : [];
    const mountByName = mounts.find(v => v.get("name") === patch.volumeName);
    const mountByPath = mounts.find(v => v.get("mountPath") === dir);
    if (mountByName && (mountByName.get("mountPath") !== dir || mountByName.get("readOnly") !== true)) {
        throw new Error(`kube-apiserver already has a volumeMount named ${patch.volumeName} that is not a read-only mount of ${dir}`);
    }
    if (!mountByName && mountByPath) {
        throw new Error(`kube-apiserver already mounts ${dir} (volume ${String(mountByPath.get("name"))}); remove that hand-made patch first`);
    }
    if (!mountByName) {
        const item = [`- mountPath: ${dir}`, `  name: ${patch.volumeName}`, "  readOnly: true"];
        edits.push(m.volumeMounts ? appendToSeq(text, m.volumeMounts, item) : appendPair(text, m.container, "volumeMounts", item));
    }

    // The volume.
    const volumes = m.volumes ? m.volumes.items.filter(isMap) : [];
    const volumeByName = volumes.find(v => v.get("name") === patch.volumeName);
    if (volumeByName && volumeByName.getIn(["hostPath", "path"]) !== dir) {
        throw new Error(`the pod already has a volume named ${patch.volumeName} that is not the hostPath ${dir}`);
    }
    if (!volumeByName) {
        const item = ["- hostPath:", `    path: ${dir}`, "    type: DirectoryOrCreate", `  name: ${patch.volumeName}`];
        edits.push(m.volumes ? appendToSeq(text, m.volumes, item) : appendPair(text, m.spec, "volumes", item));
    }
    return applyEdits(text, edits);
}

/** Removes exactly what patchApiserverManifest added; unpatch(patch(x)) === x. */
export function unpatchApiserverManifest(text: string, patch: TokenAuthPatch): string {
    checkPatch(patch);
    const m = locate(text);
    const flag = tokenAuthFlag(patch.tokenFile);
    const removals: Array<[number, number]> = [];
    const flagItem = m.command.items.find(item => scalarString(item) === flag);
    if (flagItem) removals.push(itemLines(text, flagItem));
    for (const [owner, seq] of [[m.container, m.volumeMounts], [m.spec, m.volumes]] as Array<[YAMLMap, YAMLSeq | undefined]>) {
        if (!seq) continue;
        const item = seq.items.find(v => isMap(v) && v.get("name") === patch.volumeName) as Node | undefined;
        if (!item) continue;
        // A sequence that holds only our item was added by the patch together with its key.
        removals.push(seq.items.length === 1 ? pairLines(text, owner, seq) : itemLines(text, item));
    }
    removals.sort((a, b) => b[0] - a[0]);
    let out = text;
    for (const [start, end] of removals) out = removeLines(out, start, end);
    return out;
}

/** True when the manifest's kube-apiserver command carries this token file flag. */
export function hasTokenAuthFlag(text: string, tokenFile: string): boolean {
    return locate(text).command.items.some(item => scalarString(item) === tokenAuthFlag(tokenFile));
}

/**
 * Where the node can ask the apiserver /readyz: the manifest's own readiness probe when it has one (kubeadm
 * writes host, port and scheme there), else the advertise address and secure port flags, else localhost:6443.
 */
export function apiserverReadyzUrl(text: string): string {
    const m = locate(text);
    const flagValue = (name: string) => m.command.items.map(scalarString)
        .find(f => f?.startsWith(`--${name}=`))?.slice(name.length + 3);
    const probe = m.container.get("readinessProbe");
    const httpGet = isMap(probe) ? probe.get("httpGet") : undefined;
    const probePort = isMap(httpGet) ? httpGet.get("port") : undefined;
    const port = typeof probePort === "number" ? String(probePort) : flagValue("secure-port") ?? "6443";
    const probeHost = isMap(httpGet) ? httpGet.get("host") : undefined;
    const host = typeof probeHost === "string" && probeHost !== "" ? probeHost : flagValue("advertise-address") ?? "127.0.0.1";
    const scheme = isMap(httpGet) && typeof httpGet.get("scheme") === "string" ? String(httpGet.get("scheme")).toLowerCase() : "https";
    return `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}/readyz`;
}

// ---------------------------------------------------------------------------------------------------------

interface Located {
    spec: YAMLMap;
    container: YAMLMap;
    command: YAMLSeq;
    volumeMounts?: YAMLSeq;
    volumes?: YAMLSeq;
}

interface Edit { at: number; lines: string[]; leadingNewline?: boolean }

function checkPatch(patch: TokenAuthPatch): void {
    if (!/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(patch.tokenFile) || patch.tokenFile.split("/").includes("..")) {
        throw new Error(`token file must be a plain absolute path, got ${JSON.stringify(patch.tokenFile)}`);
    }
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(patch.volumeName)) {
        throw new Error(`volume name must be an RFC 1123 label, got ${JSON.stringify(patch.volumeName)}`);
    }
}

function locate(text: string): Located {
    const doc: Document = parseDocument(text);
    if (doc.errors.length > 0) throw new Error(`kube-apiserver manifest is not valid YAML: ${doc.errors[0].message}`);
    const spec = doc.get("spec");
    if (doc.get("kind") !== "Pod" || !isMap(spec)) throw new Error("kube-apiserver manifest is not a Pod with a spec");
    const containers = spec.get("containers");
    if (!isSeq(containers)) throw new Error("kube-apiserver manifest has no spec.containers list");
    const container = containers.items.find(c => isMap(c) && (c.get("name") === "kube-apiserver" ||
        (isSeq(c.get("command")) && /(^|\/)kube-apiserver$/.test(scalarString((c.get("command") as YAMLSeq).items[0]) ?? "")))) as YAMLMap | undefined;
    if (!container) throw new Error("kube-apiserver manifest has no kube-apiserver container");
    const command = container.get("command");
    if (!isSeq(command) || command.items.length === 0) throw new Error("kube-apiserver container has no command list");
    const volumeMounts = blockSeqOrUndefined(container.get("volumeMounts"), "volumeMounts");
    const volumes = blockSeqOrUndefined(spec.get("volumes"), "volumes");
    for (const seq of [command, volumeMounts, volumes]) {
        if (seq && seq.flow) throw new Error("kube-apiserver manifest uses a flow-style list ([...]); only block lists are supported");
    }
    return { spec, container, command, volumeMounts, volumes };
}

function blockSeqOrUndefined(value: unknown, what: string): YAMLSeq | undefined {
    if (value === undefined || value === null || (isScalar(value) && value.value === null)) return undefined;
    if (!isSeq(value)) throw new Error(`${what} in the kube-apiserver manifest is not a list`);
    return value.items.length === 0 ? undefined : value;
}

function scalarString(node: unknown): string | undefined {
    return isScalar(node) && typeof node.value === "string" ? node.value : undefined;
}

function lineStart(text: string, pos: number): number {
    return text.lastIndexOf("\n", pos - 1) + 1;
}

/** Offset just after the line that holds pos (pos itself when it already starts a line). */
function lineEnd(text: string, pos: number): number {
    if (pos > 0 && text[pos - 1] === "\n") return pos;
    const nl = text.indexOf("\n", pos);
    return nl < 0 ? text.length : nl + 1;
}

/** The "  " before "- " of a block sequence item. */
function seqIndent(text: string, item: unknown): string {
    const node = item as Node;
    if (!node.range) throw new Error("manifest node without a source position");
    const prefix = text.slice(lineStart(text, node.range[0]), node.range[0]);
    const match = /^( *)- +$/.exec(prefix);
    if (!match) throw new Error("kube-apiserver manifest lists must have one '- item' per line");
    return match[1];
}

function appendToSeq(text: string, seq: YAMLSeq, lines: string[]): Edit {
    const last = seq.items[seq.items.length - 1] as Node;
    const indent = seqIndent(text, seq.items[0]);
    return atLineEnd(text, last.range![1], lines.map(l => indent + l));
}

/** Adds `key:` with a one-item list as the last entry of a block map, at the indentation of its keys. */
function appendPair(text: string, map: YAMLMap, key: string, itemLines: string[]): Edit {
    const first = map.items[0] as Pair<Node, Node>;
    const keyStart = first.key.range![0];
    const column = keyStart - lineStart(text, keyStart);
    const indent = " ".repeat(column);
    return atLineEnd(text, map.range![1], [`${indent}${key}:`, ...itemLines.map(l => indent + l)]);
}

function atLineEnd(text: string, pos: number, lines: string[]): Edit {
    const at = lineEnd(text, pos);
    return { at, lines, leadingNewline: at === text.length && !text.endsWith("\n") && text.length > 0 };
}

/** The file's own line ending, so inserted lines match it (kubeadm writes "\n"; an edited file may have "\r\n"). */
function lineEnding(text: string): string {
    return text.includes("\r\n") ? "\r\n" : "\n";
}

function applyEdits(text: string, edits: Edit[]): string {
    const eol = lineEnding(text);
    // Back to front so offsets stay valid; at equal offsets the later edit goes in first, so that the final
    // text keeps the edits in the order they were made (a container's key before the pod's key).
    const ordered = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.at - a.e.at || b.i - a.i).map(x => x.e);
    let out = text;
    for (const e of ordered) {
        const block = e.leadingNewline ? `${eol}${e.lines.join(eol)}` : `${e.lines.join(eol)}${eol}`;
        out = out.slice(0, e.at) + block + out.slice(e.at);
    }
    return out;
}

function itemLines(text: string, item: unknown): [number, number] {
    const node = item as Node;
    return [lineStart(text, node.range![0]), lineEnd(text, node.range![1])];
}

function pairLines(text: string, owner: YAMLMap, seq: YAMLSeq): [number, number] {
    const pair = owner.items.find(p => p.value === seq) as Pair<Node, Node>;
    return [lineStart(text, pair.key.range![0]), lineEnd(text, seq.range![1])];
}

/** Removes whole lines [start, end); a block that ends the file without a newline takes the newline before it. */
function removeLines(text: string, start: number, end: number): string {
    if (end === text.length && !text.endsWith("\n") && start > 0) return text.slice(0, start - lineEnding(text).length);
    return text.slice(0, start) + text.slice(end);
}
