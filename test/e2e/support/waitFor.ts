// Polling with a bound, for end-to-end checks of things that happen on their own time.

export interface Observation {
    ok: boolean;
    /** What was seen, for the error when the bound passes. */
    seen: string;
}

/** Calls check every intervalMs until it is ok (returns what it saw) or timeoutMs has passed (throws). */
export async function waitFor(
    what: string, timeoutMs: number, check: () => Observation | Promise<Observation>, intervalMs = 1000,
): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let seen = "";
    for (;;) {
        const observation = await check();
        if (observation.ok) return observation.seen;
        seen = observation.seen;
        if (Date.now() + intervalMs > deadline) break;
        await new Promise(resolve => setTimeout(resolve, intervalMs));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen:\n${seen}`);
}
