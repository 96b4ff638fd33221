// Key paths as users write them in Pulumi.<stack>.yaml: "kube-baseline:users[2].name". Every config issue and
// warning names one, so a user can find the exact value that is wrong.

export const CONFIG_NAMESPACE = "kube-baseline";

export type PathSegment = string | number;

/** ["users", 2, "name"] -> "users[2].name" (relative to the namespace). */
export function relativePath(segments: readonly PathSegment[]): string {
    let path = "";
    for (const segment of segments) {
        if (typeof segment === "number") path += `[${segment}]`;
        else path += path === "" ? segment : `.${segment}`;
    }
    return path;
}

/** "users[2].name" -> "kube-baseline:users[2].name". */
export function fullKey(path: string): string {
    return `${CONFIG_NAMESPACE}:${path}`;
}

/** ["bgp", "externalPeers", 1, "asNumber"] -> "kube-baseline:bgp.externalPeers[1].asNumber". */
export function keyPath(segments: readonly PathSegment[]): string {
    return fullKey(relativePath(segments));
}

/** The name a value sits under: the last string segment of "users[0].key.rsaBits" is "rsaBits". */
export function lastName(path: string): string {
    const withoutIndexes = path.replace(/\[\d+\]/g, "");
    const colon = withoutIndexes.indexOf(":");
    const bare = colon >= 0 ? withoutIndexes.slice(colon + 1) : withoutIndexes;
    return bare.slice(bare.lastIndexOf(".") + 1);
}
