// Getting the CNI manifest text: the pinned upstream URL or a local file, optionally checked against a
// sha256 so a re-published release or a tampered mirror is refused rather than applied.

import { promises as fs } from "fs";
import * as path from "path";
import { CniManifestSource } from "../config/network";
import { sha256Hex } from "../hash";

export function describeSource(source: CniManifestSource): string {
    return source.source === "url" ? `${source.url} (${source.version})` : source.path;
}

/** Throws when an expected digest is given and the text does not match it. */
export function verifyManifestDigest(text: string, source: CniManifestSource): void {
    if (source.sha256 === undefined) return;
    const actual = sha256Hex(text);
    if (actual !== source.sha256) {
        throw new Error(`CNI manifest ${describeSource(source)} has sha256 ${actual}, expected ${source.sha256} (kube-baseline:cni.manifest.sha256)`);
    }
}

/** Reads or downloads the manifest; a relative path is resolved against `baseDir` (the project directory). */
export async function loadManifestText(source: CniManifestSource, baseDir: string = process.cwd()): Promise<string> {
    let text: string;
    if (source.source === "path") {
        const file = path.resolve(baseDir, source.path);
        try {
            text = await fs.readFile(file, "utf8");
        } catch (e) {
            throw new Error(`cannot read CNI manifest ${file} (kube-baseline:cni.manifest.path): ${(e as Error).message}`);
        }
    } else {
        let response: Response;
        try {
            response = await fetch(source.url);
        } catch (e) {
            throw new Error(`cannot download CNI manifest ${source.url}: ${(e as Error).message}; `
                + "for air-gapped use set kube-baseline:cni.manifest.path to a local copy");
        }
        if (!response.ok) throw new Error(`cannot download CNI manifest ${source.url}: HTTP ${response.status}`);
        text = await response.text();
    }
    verifyManifestDigest(text, source);
    return text;
}
