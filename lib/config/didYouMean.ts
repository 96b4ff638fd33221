// "did you mean" for misspelt keys: the closest known key, when it is close enough to be what was meant.
import { distance } from "fastest-levenshtein";

/** The known name closest to `word` (case-insensitive), or undefined when none is within a small edit distance. */
export function closestName(word: string, known: readonly string[]): string | undefined {
    const lower = word.toLowerCase();
    // One edit in short names, two from six letters on, three from twelve: typos, not different words.
    const allowed = lower.length < 6 ? 1 : lower.length < 12 ? 2 : 3;
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of known) {
        const d = distance(lower, candidate.toLowerCase());
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return best !== undefined && bestDistance <= allowed ? best : undefined;
}

/** The message for an unknown key, with a suggestion when one is close. */
export function unknownKeyMessage(word: string, known: readonly string[]): string {
    const suggestion = closestName(word, known);
    return suggestion !== undefined
        ? `is not a known setting; did you mean ${suggestion}?`
        : `is not a known setting (known here: ${known.join(", ")})`;
}
