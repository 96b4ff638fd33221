// Where an operation's time goes, from its engine events as read while it ran.
import { changesOf, EngineEvent, parseEventLines, profileOperation, splitEventLines, TimedEvent } from "../../../bench/engineEvents";

const urn = (type: string, name: string) => `urn:pulumi:s::p::${type}::${name}`;
const pre = (atMs: number, type: string, name: string, op = "create"): TimedEvent =>
    ({ atMs, event: { resourcePreEvent: { metadata: { op, type, urn: urn(type, name) } } } });
const done = (atMs: number, type: string, name: string): TimedEvent =>
    ({ atMs, event: { resOutputsEvent: { metadata: { op: "create", type, urn: urn(type, name) } } } });
const NS = "kubernetes:core/v1:Namespace";
const KEY = "pulumi-nodejs:dynamic/kube-baseline:PrivateKey";

test("event lines are split; a partial last line waits for the rest", () => {
    const { lines, rest } = splitEventLines('{"sequence":1}\n\n{"summaryEvent":{}}\n{"seq');
    expect(lines).toEqual(['{"sequence":1}', '{"summaryEvent":{}}']);
    expect(rest).toBe('{"seq');
});

test("lines are parsed with the time they were read; an unreadable line is counted, not fatal", () => {
    expect(parseEventLines([{ atMs: 5, line: '{"summaryEvent":{}}' }, { atMs: 6, line: "{oops" }]))
        .toEqual({ events: [{ atMs: 5, event: { summaryEvent: {} } as EngineEvent }], unreadable: 1 });
});

test("start-up, step span, tail, concurrency and the slowest steps; components are left out", () => {
    const profile = profileOperation([
        pre(100, "pulumi:pulumi:Stack", "stack"),
        pre(200, "kube-baseline:identity:Namespaces", "ns"),
        pre(3000, NS, "a"),
        pre(3100, NS, "b"),
        pre(3200, KEY, "k", "same"),
        done(3300, KEY, "k"),
        done(4000, NS, "a"),
        done(7000, NS, "b"),
        done(7500, "kube-baseline:identity:Namespaces", "ns"),
        { atMs: 7600, event: { summaryEvent: { resourceChanges: { create: 2, same: 1 } } } },
    ], 8);
    expect(profile.firstStepSeconds).toBe(3);
    expect(profile.stepsSeconds).toBe(4);
    expect(profile.tailSeconds).toBe(1);
    expect(profile.steps).toEqual({ create: 2, same: 1 });
    expect(profile.maxConcurrency).toBe(3);
    expect(profile.slowest.map(s => [s.name, s.seconds])).toEqual([["b", 3.9], ["a", 1], ["k", 0.1]]);
    expect(profile.byType).toEqual([{ type: NS, count: 2, seconds: 4.9 }, { type: KEY, count: 1, seconds: 0.1 }]);
    expect(profile.resourceChanges).toEqual({ create: 2, same: 1 });
});

test("errors and mandatory policy violations are collected; advisory ones are not", () => {
    const profile = profileOperation([
        { atMs: 1, event: { diagnosticEvent: { severity: "warning", message: "meh" } } },
        { atMs: 2, event: { diagnosticEvent: { severity: "error", message: "  boom\n" } } },
        { atMs: 3, event: { policyEvent: { policyName: "rbac-no-wildcards", enforcementLevel: "mandatory", message: "wildcard\nmore" } } },
        { atMs: 4, event: { policyEvent: { policyName: "identity-no-static-tokens", enforcementLevel: "advisory", message: "token" } } },
    ], 1);
    expect(profile.errors).toEqual(["boom"]);
    expect(profile.mandatoryPolicyViolations).toEqual(["rbac-no-wildcards: wildcard"]);
    expect(profile.firstStepSeconds).toBeUndefined();
    expect(profile.maxConcurrency).toBe(0);
});

test("a no-op update's changes are everything but same", () => {
    expect(changesOf({ same: 40 })).toEqual({});
    expect(changesOf({ same: 38, update: 2, create: 0 })).toEqual({ update: 2 });
    expect(changesOf(undefined)).toEqual({});
});
