// BENCH_SCALES and BENCH_REPEATS: the default plan, subsets, and bad values named with the variable.
import { DEFAULT_SCALES, parseRepeats, parseScales, scaleLabel, stackCount } from "../../../bench/scales";

test("unset or empty means the issue's scales: 1, 10, 50, 200 namespaces, 1, 3, 10, 50 nodes, 1 and 50 waiting nodes", () => {
    expect(parseScales(undefined, 50).map(scaleLabel)).toEqual(["ns:1", "ns:10", "ns:50", "ns:200", "nodes:1", "nodes:3", "nodes:10", "nodes:50",
        "waitnodes:1", "waitnodes:50", "split:10/20@4", "split:50/20@4", "split:200/20@1", "split:200/20@2", "split:200/20@4", "split:1000/20@4"]);
    expect(parseScales("  ", 50)).toEqual(DEFAULT_SCALES);
});

test("split scales: namespaces, per stack, at once; the stacks they deploy", () => {
    expect(parseScales("split:200/20@2,split:45/20@4,split:200/20@2", 50)).toEqual([
        { series: "split", size: 200, perStack: 20, atOnce: 2 }, { series: "split", size: 45, perStack: 20, atOnce: 4 },
    ]);
    expect(stackCount({ series: "split", size: 45, perStack: 20, atOnce: 4 })).toBe(4);
    expect(stackCount({ series: "ns", size: 200 })).toBe(1);
});

test("every default scale can be named in BENCH_SCALES (split:10/20@4 is one tenant stack of 10)", () => {
    const labels = DEFAULT_SCALES.map(scaleLabel);
    expect(parseScales(labels.join(","), 50)).toEqual(DEFAULT_SCALES);
    expect(stackCount(parseScales("split:10/20@4", 50)[0])).toBe(2);
});

test("a subset keeps its order and drops duplicates", () => {
    expect(parseScales("ns:200, nodes:50,ns:1,ns:200", 50).map(scaleLabel)).toEqual(["ns:200", "nodes:50", "ns:1"]);
});

test.each([
    ["ns:ten", /"ns:ten" is not ns:<namespaces>, nodes:<nodes>, waitnodes:<nodes> or split:<namespaces>\/<per stack>@<at once>/],
    ["split:200/1001@2", /split:200\/1001@2 is out of range \(namespaces and per stack 1 to 1000/],
    ["split:200/20@0", /split:200\/20@0 is out of range/],
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
