// /proc parsing and the process-tree walk behind the peak-memory and CPU figures.
import { largestPulumiTreeBytes, parseMachineBusyTicks, parseProcStat, processRole, treePids, treeRssBytes, ProcStat } from "../../../bench/procTree";

test("parses pid, command, parent, CPU ticks and RSS pages from a stat line", () => {
    const line = "1 (process_api) S 0 0 0 0 -1 4194560 157989 202467409 0 21411 1658 5882 845249 343505 10 -10 13 0 19 41803776 2961 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
    expect(parseProcStat(line)).toEqual({ pid: 1, comm: "process_api", ppid: 0, cpuTicks: 1658 + 5882, rssPages: 2961 });
});

test("a command name with spaces and parentheses does not shift the fields", () => {
    const line = "4242 (we (ird) name) R 17 4242 1 0 -1 0 0 0 0 0 250 50 0 0 20 0 1 0 100 1000 77 0";
    expect(parseProcStat(line)).toEqual({ pid: 4242, comm: "we (ird) name", ppid: 17, cpuTicks: 300, rssPages: 77 });
});

test("garbage is an error", () => {
    expect(() => parseProcStat("no parentheses here")).toThrow("not a /proc/<pid>/stat line");
    expect(() => parseProcStat("12 (x) S")).toThrow("not a /proc/<pid>/stat line");
});

const p = (pid: number, ppid: number, rssPages: number): ProcStat => ({ pid, ppid, rssPages, comm: "x", cpuTicks: 0 });

test("the tree is the root and all its descendants, nothing else", () => {
    const stats = [p(1, 0, 1), p(10, 1, 2), p(11, 10, 3), p(12, 11, 4), p(13, 10, 5), p(20, 1, 6), p(21, 20, 7)];
    expect([...treePids(stats, 10)].sort((a, b) => a - b)).toEqual([10, 11, 12, 13]);
    expect(treeRssBytes(stats, treePids(stats, 10), 4096)).toBe((2 + 3 + 4 + 5) * 4096);
    expect(treePids(stats, 99).size).toBe(0);
});

test("several stacks at once: the largest pulumi CLI with its descendants is the one tree the target is about", () => {
    const named = (pid: number, ppid: number, rssPages: number, comm: string): ProcStat => ({ pid, ppid, rssPages, comm, cpuTicks: 0 });
    // The multi-stack command (node, 1) runs two pulumi CLIs (10, 20), each with a program and a plugin.
    const stats = [named(1, 0, 50, "node"), named(10, 1, 2, "pulumi"), named(11, 10, 3, "node"), named(12, 10, 4, "pulumi-resource"),
        named(20, 1, 6, "pulumi"), named(21, 20, 1, "node")];
    expect(largestPulumiTreeBytes(stats, treePids(stats, 1), 4096)).toBe((2 + 3 + 4) * 4096);
    expect(largestPulumiTreeBytes(stats, treePids(stats, 20), 4096)).toBe((6 + 1) * 4096);
    expect(largestPulumiTreeBytes(stats, new Set([1]), 4096)).toBe(0);
});

test("a parent loop (pid reuse while reading) does not hang the walk", () => {
    expect([...treePids([p(5, 6, 1), p(6, 5, 1)], 5)].sort()).toEqual([5, 6]);
});

test.each([
    ["pulumi", "pulumi up --yes", "pulumi CLI (engine)"],
    ["pulumi-language", "pulumi-language-nodejs localhost:1", "language host"],
    ["pulumi-resource", "/x/pulumi-resource-kubernetes 127.0.0.1:4000", "kubernetes provider"],
    ["pulumi-resource", "/x/pulumi-resource-tls 127.0.0.1:4000", "tls provider"],
    ["pulumi-resource", "/x/pulumi-resource-random 127.0.0.1:4000", "random provider"],
    ["pulumi-resource", "/x/pulumi-resource-command 127.0.0.1:4000", "command provider"],
    ["pulumi-resource", "/bin/sh /x/pulumi-resource-pulumi-nodejs 127.0.0.1:4000", "dynamic provider (node)"],
    ["node", "node /w/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js 127.0.0.1:4000", "dynamic provider (node)"],
    ["node", "node /w/policies/node_modules/@pulumi/policy/bin/index.js /w/policies", "policy pack (node)"],
    ["node", "node /w/node_modules/@pulumi/pulumi/cmd/run /w", "program (node)"],
    ["kubectl", "kubectl apply", "kubectl"],
    ["sh", "sh -c x", "other (sh)"],
])("%s (%s) is the %s", (comm, cmdline, role) => {
    expect(processRole(comm, cmdline)).toBe(role);
});

test("machine busy time is everything but idle and iowait, over all CPUs", () => {
    const stat = "cpu  100 5 50 1000 30 7 3 2 40 0\ncpu0 50 2 25 500 15 3 1 1 20 0\nintr 1 2 3\n";
    expect(parseMachineBusyTicks(stat)).toBe(100 + 5 + 50 + 7 + 3 + 2);
    expect(() => parseMachineBusyTicks("intr 1 2\n")).toThrow("no cpu line in /proc/stat");
});
