import { quitsAtOnce, REPEATED_SIGNAL_MS } from "../../../bench/command";

// A group-wide SIGTERM reaches the bench twice (directly and forwarded by bench.sh): that must still clean up.
test.each([
    ["the same signal forwarded a moment later", 50, false],
    ["just inside the window", REPEATED_SIGNAL_MS - 1, false],
    ["at the window's end", REPEATED_SIGNAL_MS, true],
    ["a user pressing Ctrl-C again later", 10_000, true],
])("a second signal: %s (%d ms) quits at once: %s", (_what, after, quits) => {
    expect(quitsAtOnce(1_000_000, 1_000_000 + after)).toBe(quits);
});
