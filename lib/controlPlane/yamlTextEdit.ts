// Editing YAML as text: the yaml library's Document API finds nodes and their source ranges, and edits insert,
// replace or remove whole lines (or one scalar) there, indented like their neighbours. Every byte outside an edit
// stays as it was, so a patched manifest differs from the original only where the patch says, and removing the
// inserted lines gives the original back byte for byte.

import { Node, Pair, stringify, YAMLMap, YAMLSeq } from "yaml";

/** Replace text[start, end) with `text`. An insertion has start === end. */
export interface TextEdit { start: number; end: number; text: string }

export function lineStart(text: string, pos: number): number {
    return text.lastIndexOf("\n", pos - 1) + 1;
}

/** Offset just after the line that holds pos (pos itself when it already starts a line). */
export function lineEnd(text: string, pos: number): number {
    if (pos > 0 && text[pos - 1] === "\n") return pos;
    const nl = text.indexOf("\n", pos);
    return nl < 0 ? text.length : nl + 1;
}

/** The file's own line ending, so inserted lines match it (kubeadm writes "\n"; an edited file may have "\r\n"). */
export function lineEnding(text: string): string {
    return text.includes("\r\n") ? "\r\n" : "\n";
}

/** One YAML scalar on one line: plain when YAML allows it, quoted otherwise ("--a=x: y", "true"). */
export function renderScalar(value: string): string {
    const out = stringify(value, { lineWidth: 0 }).replace(/\n$/, "");
    if (out.includes("\n")) throw new Error(`value ${JSON.stringify(value)} does not fit on one YAML line`);
    return out;
}

/** The "  " before "- " of a block sequence item. */
export function seqIndent(text: string, item: unknown, what: string): string {
    const node = item as Node;
    if (!node.range) throw new Error("manifest node without a source position");
    const prefix = text.slice(lineStart(text, node.range[0]), node.range[0]);
    const match = /^( *)- +$/.exec(prefix);
    if (!match) throw new Error(`${what}: lists must have one '- item' per line`);
    return match[1];
}

/** Lines inserted at the end of the line that holds pos. */
export function insertLinesAfter(text: string, pos: number, lines: string[]): TextEdit {
    const at = lineEnd(text, pos);
    const eol = lineEnding(text);
    const block = at === text.length && !text.endsWith("\n") && text.length > 0
        ? `${eol}${lines.join(eol)}`
        : `${lines.join(eol)}${eol}`;
    return { start: at, end: at, text: block };
}

/** Lines inserted before the line that holds pos. */
export function insertLinesBefore(text: string, pos: number, lines: string[]): TextEdit {
    const at = lineStart(text, pos);
    const eol = lineEnding(text);
    return { start: at, end: at, text: `${lines.join(eol)}${eol}` };
}

/** Items appended to a block sequence, at its items' indentation. `lines` start with "- ". */
export function appendToSeq(text: string, seq: YAMLSeq, lines: string[], what: string): TextEdit {
    const last = seq.items[seq.items.length - 1] as Node;
    const indent = seqIndent(text, seq.items[0], what);
    return insertLinesAfter(text, last.range![1], lines.map(l => indent + l));
}

/** Adds `key:` with a block list as the last entry of a block map, at the indentation of its keys. */
export function appendPair(text: string, map: YAMLMap, key: string, itemLines: string[]): TextEdit {
    const first = map.items[0] as Pair<Node, Node>;
    const keyStart = first.key.range![0];
    const indent = " ".repeat(keyStart - lineStart(text, keyStart));
    return insertLinesAfter(text, map.range![1], [`${indent}${key}:`, ...itemLines.map(l => indent + l)]);
}

/** Replaces one scalar node in place (the rest of its line, comments included, stays). */
export function replaceScalar(node: Node, rendered: string): TextEdit {
    return { start: node.range![0], end: node.range![1], text: rendered };
}

/** Removes the whole lines of a sequence item. */
export function removeItem(text: string, item: unknown): TextEdit {
    const node = item as Node;
    return removeLines(text, lineStart(text, node.range![0]), lineEnd(text, node.range![1]));
}

/** Removes `key:` and its whole value. */
export function removePair(text: string, owner: YAMLMap, value: unknown): TextEdit {
    const pair = owner.items.find(p => p.value === value) as Pair<Node, Node>;
    return removeLines(text, lineStart(text, pair.key.range![0]), lineEnd(text, (value as Node).range![1]));
}

/** Whole lines [start, end); a block that ends the file without a newline takes the newline before it. */
function removeLines(text: string, start: number, end: number): TextEdit {
    if (end === text.length && !text.endsWith("\n") && start > 0) {
        return { start: start - lineEnding(text).length, end, text: "" };
    }
    return { start, end, text: "" };
}

/**
 * Applies edits back to front so offsets stay valid. At equal offsets the later edit goes in first, so the final
 * text keeps insertions in the order they were made (a container's key before the pod's key).
 */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
    const ordered = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.start - a.e.start || b.i - a.i).map(x => x.e);
    let out = text;
    let limit = Infinity;
    for (const e of ordered) {
        if (e.end > limit) throw new Error("internal error: overlapping manifest edits");
        out = out.slice(0, e.start) + e.text + out.slice(e.end);
        limit = e.start;
    }
    return out;
}
