// BENCH_SCALES and BENCH_REPEATS: the default plan, subsets, and bad values named with the variable.
import { DEFAULT_SCALES, parseRepeats, parseScales, scaleLabel } from "../../../bench/scales";

test("unset or empty means the issue's scales: 1, 10, 50, 200 namespaces, 1, 3, 10, 50 nodes, 1 and 50 waiting nodes", () => {
    expect(parseScales(undefined, 50).map(scaleLabel)).toEqual(["ns:1", "ns:10", "ns:50", "ns:200", "nodes:1", "nodes:3", "nodes:10", "nodes:50",
        "waitnodes:1", "waitnodes:50"]);
    expect(parseScales("  ", 50)).toEqual(DEFAULT_SCALES);
});

test("a subset keeps its order and drops duplicates", () => {
    expect(parseScales("ns:200, nodes:50,ns:1,ns:200", 50).map(scaleLabel)).toEqual(["ns:200", "nodes:50", "ns:1"]);
});

test.each([
    ["ns:ten", /"ns:ten" is not ns:<namespaces>, nodes:<nodes> or waitnodes:<nodes>/],
    ["waitnodes:51", /waitnodes:51 is out of range \(waitnodes from 1 to 50, the nodes of the bench sandbox\)/],
    ["pods:3", /"pods:3" is not/],
    ["ns:0", /ns:0 is out of range \(ns from 1 to 1000\)/],
    ["nodes:51", /nodes:51 is out of range \(nodes from 1 to 50, the nodes of the bench sandbox\)/],
    [",", /names no scale/],
])("BENCH_SCALES=%s is refused, naming the variable", (text, message) => {
    expect(() => parseScales(text, 50)).toThrow(/^BENCH_SCALES = /);
    expect(() => parseScales(text, 50)).toThrow(message);
});

test("BENCH_REPEATS: default 3, 1 to 20", () => {
    expect(parseRepeats(undefined)).toBe(3);
    expect(parseRepeats("5")).toBe(5);
    for (const bad of ["0", "21", "two", "1.5"]) {
        expect(() => parseRepeats(bad)).toThrow(`BENCH_REPEATS = "${bad}": must be a whole number from 1 to 20`);
    }
});
