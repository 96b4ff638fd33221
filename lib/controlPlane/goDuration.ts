// Go's duration syntax ("300s", "1m30s", "1h", "500ms"), as kube-apiserver's --request-timeout reads it.

/** Seconds in a Go duration string, or undefined when it is not one. */
export function goDurationSeconds(text: string): number | undefined {
    if (!/^([0-9]+(\.[0-9]+)?(ms|h|m|s))+$/.test(text)) return undefined;
    const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
    let total = 0;
    for (const [, n, , unit] of text.matchAll(/([0-9]+(\.[0-9]+)?)(ms|h|m|s)/g)) total += Number(n) * units[unit];
    return total;
}
