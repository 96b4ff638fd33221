// The multi-stack command's pure parts: which stacks a project's files make a set, in what order and how many at
// once they run (a failing stack does not stop the others, a failed phase stops the next), what the closing table
// and a failure's error say, and the command line.
import { parseStacksArgs, policyPackConfigFor } from "../../../lib/stacks/args";
import { MAX_NODE_PARALLEL, pulumiDefaultParallel, stackParallel } from "../../../lib/stacks/parallel";
import { phasesOf, runPhases, StackOutcome } from "../../../lib/stacks/plan";
import { describeStackFile, namesStack, stackNameOfFile, stackSetOf } from "../../../lib/stacks/stackFiles";
import { changesText, durationText, errorSummary, isNoiseWarning, renderSummary, stepLine } from "../../../lib/stacks/summary";

describe("stack files", () => {
    test.each([
        ["Pulumi.dev.yaml", "dev"], ["Pulumi.team-a.yml", "team-a"], ["Pulumi.yaml", undefined], ["package.json", undefined],
    ])("%s is stack %s", (file, stack) => expect(stackNameOfFile(file)).toBe(stack));

    test("a stack file says its kind: baseline with tenants, tenant (YAML or the JSON text pulumi config set writes), single", () => {
        expect(describeStackFile("base", "config:\n  kube-baseline:tenants:\n    - { name: ta, namespaces: [a] }\n    - { name: tb, namespaces: [b] }\n"))
            .toEqual({ stack: "base", kind: "baseline", tenants: ["ta", "tb"] });
        expect(describeStackFile("ta", "config:\n  kube-baseline:tenant: { name: ta, baselineStack: base }\n"))
            .toEqual({ stack: "ta", kind: "tenant", tenant: { name: "ta", baselineStack: "base" } });
        expect(describeStackFile("tb", `config:\n  kube-baseline:tenant: '{"name":"tb","baselineStack":"organization/kube-baseline/base"}'\n`))
            .toEqual({ stack: "tb", kind: "tenant", tenant: { name: "tb", baselineStack: "organization/kube-baseline/base" } });
        expect(describeStackFile("dev", "config:\n  kube-baseline:cluster: { source: sandbox }\n")).toEqual({ stack: "dev", kind: "single" });
        expect(() => describeStackFile("bad", "config: [\n")).toThrow(/Pulumi.bad.yaml is not valid YAML/);
    });

    test("a stack file says how many nodes its cluster lists, when it describes them", () => {
        const nodes = "nodes: [{ name: cp }, { name: w1 }, { name: w2 }]";
        expect(describeStackFile("base", `config:\n  kube-baseline:tenants: []\n  kube-baseline:cluster: { ${nodes} }\n`))
            .toEqual({ stack: "base", kind: "baseline", tenants: [], nodes: 3 });
        expect(describeStackFile("prod", `config:\n  kube-baseline:cluster: '{"nodes":[{"name":"cp"}]}'\n`)).toEqual({ stack: "prod", kind: "single", nodes: 1 });
        expect(describeStackFile("base", "config:\n  kube-baseline:tenants: []\n  kube-baseline:cluster: { source: sandbox }\n").nodes).toBeUndefined();
        expect(describeStackFile("base", "config:\n  kube-baseline:tenants: []\n  kube-baseline:cluster: { secure: v1:abc }\n").nodes).toBeUndefined();
    });

    test.each([
        ["base", true], ["kube-baseline/base", true], ["organization/kube-baseline/base", true],
        ["organization/other-project/base", false], ["organization/kube-baseline/base2", false],
    ])("baselineStack %s names stack base of kube-baseline: %s", (name, expected) => expect(namesStack(name, "base", "kube-baseline")).toBe(expected));

    const files = [
        { stack: "dev", kind: "single" as const },
        { stack: "base", kind: "baseline" as const, tenants: ["ta", "tb", "tc"] },
        { stack: "ta", kind: "tenant" as const, tenant: { name: "ta", baselineStack: "organization/kube-baseline/base" } },
        { stack: "tb", kind: "tenant" as const, tenant: { name: "tb", baselineStack: "base" } },
        { stack: "tx", kind: "tenant" as const, tenant: { name: "tx", baselineStack: "base" } },
        { stack: "other", kind: "tenant" as const, tenant: { name: "ta", baselineStack: "elsewhere" } },
    ];

    test("the set: the only baseline with tenants and the tenant stacks that name it, with what the registry and files disagree on", () => {
        const set = stackSetOf(files, "kube-baseline");
        expect(set.baseline.stack).toBe("base");
        expect(set.tenants.map(t => t.stack)).toEqual(["ta", "tb", "tx"]);
        expect(set.warnings).toEqual([
            "stack tx is tenant tx, which base's kube-baseline:tenants does not list: it will fail",
            "tenant tc of base has no stack file (Pulumi.<stack>.yaml with kube-baseline:tenant.name: tc)",
        ]);
        expect(stackSetOf(files, "kube-baseline", { tenants: ["tb"] }).tenants.map(t => t.stack)).toEqual(["tb"]);
    });

    test.each([
        [{ baseline: "dev" }, /stack dev has no kube-baseline:tenants: it is a single stack/],
        [{ baseline: "ta" }, /it is a tenant stack/],
        [{ baseline: "nope" }, /no Pulumi.nope.yaml/],
        [{ tenants: ["other"] }, /not a tenant stack of base: other \(its tenant stacks: ta, tb, tx\)/],
    ])("choosing %j is refused", (choose, message) => expect(() => stackSetOf(files, "kube-baseline", choose)).toThrow(message));

    test("no baseline, or several, asks what to run", () => {
        expect(() => stackSetOf([files[0]], "kube-baseline")).toThrow(/no stack file has kube-baseline:tenants/);
        expect(() => stackSetOf([...files, { stack: "base2", kind: "baseline", tenants: [] }], "kube-baseline")).toThrow(/several baselines .*base, base2.*--baseline/);
    });
});

describe("order and concurrency", () => {
    test("the baseline first, then the tenants; destroy the other way round", () => {
        expect(phasesOf("up", "base", ["ta", "tb"])).toEqual([["base"], ["ta", "tb"]]);
        expect(phasesOf("preview", "base", [])).toEqual([["base"]]);
        expect(phasesOf("destroy", "base", ["ta", "tb"])).toEqual([["ta", "tb"], ["base"]]);
    });

    /** A fake runner: each stack takes `ms`, fails when listed; records how many ran at once. */
    function fakeRunner(failing: string[] = [], ms = 20) {
        const log: string[] = [];
        let running = 0;
        let most = 0;
        return {
            log,
            most: () => most,
            run: async (stack: string): Promise<StackOutcome> => {
                running++;
                most = Math.max(most, running);
                log.push(`start ${stack}`);
                await new Promise(r => setTimeout(r, ms));
                running--;
                log.push(`end ${stack}`);
                if (failing.includes(stack)) throw new Error(`${stack} broke`);
                return { stack, status: "succeeded", seconds: ms / 1000 };
            },
        };
    }

    test("tenant stacks run side by side, never more than the bound, after the baseline", async () => {
        const runner = fakeRunner();
        const outcomes = await runPhases("up", phasesOf("up", "base", ["t1", "t2", "t3", "t4", "t5"]), 2, runner);
        expect(runner.most()).toBe(2);
        expect(runner.log.slice(0, 2)).toEqual(["start base", "end base"]);
        expect(outcomes.map(o => o.stack)).toEqual(["base", "t1", "t2", "t3", "t4", "t5"]);
    });

    test("a failing tenant is named with its error and the others still finish", async () => {
        const runner = fakeRunner(["t2"]);
        const outcomes = await runPhases("up", phasesOf("up", "base", ["t1", "t2", "t3"]), 2, runner);
        expect(outcomes.map(o => [o.stack, o.status, o.error])).toEqual([
            ["base", "succeeded", undefined], ["t1", "succeeded", undefined], ["t2", "failed", "t2 broke"], ["t3", "succeeded", undefined],
        ]);
    });

    test("a failed baseline update skips the tenants; a failed tenant destroy keeps the baseline; previews go on", async () => {
        const skipped: string[] = [];
        const up = await runPhases("up", phasesOf("up", "base", ["t1", "t2"]), 2, { ...fakeRunner(["base"]), skipped: o => skipped.push(o.stack) });
        expect(up.map(o => [o.stack, o.status])).toEqual([["base", "failed"], ["t1", "skipped"], ["t2", "skipped"]]);
        expect(up[1].error).toBe("not run: base failed first");
        expect(skipped).toEqual(["t1", "t2"]);
        const destroy = await runPhases("destroy", phasesOf("destroy", "base", ["t1", "t2"]), 2, fakeRunner(["t1"]));
        expect(destroy.map(o => [o.stack, o.status])).toEqual([["t1", "failed"], ["t2", "succeeded"], ["base", "skipped"]]);
        const preview = await runPhases("preview", phasesOf("preview", "base", ["t1"]), 2, fakeRunner(["base"]));
        expect(preview.map(o => o.status)).toEqual(["failed", "succeeded"]);
    });

    test("a bound below 1 is refused", async () => {
        await expect(runPhases("up", [["base"]], 0, fakeRunner())).rejects.toThrow(/at least 1/);
    });
});

describe("what it prints", () => {
    test.each([
        ["up", { create: 3, update: 1, same: 5, read: 1 }, "3 created, 1 updated, 5 unchanged"],
        ["preview", { create: 2, delete: 1 }, "2 to create, 1 to delete"],
        ["destroy", { delete: 22, discard: 1 }, "22 deleted"],
        ["refresh", { same: 0 }, "no changes"],
        ["up", undefined, "-"],
    ] as const)("%s %j: %s", (operation, changes, text) => expect(changesText(operation, changes as Record<string, number> | undefined)).toBe(text));

    test.each([[4.24, "4.2s"], [65, "1m05s"], [3599.6, "60m00s"]])("%s seconds is %s", (s, text) => expect(durationText(s)).toBe(text));

    test("the table names every stack with its result, and each failure with its error", () => {
        const text = renderSummary("up", [
            { stack: "base", kind: "baseline", status: "succeeded", seconds: 6.1, changes: { same: 8 } },
            { stack: "ta", kind: "tenant", status: "succeeded", seconds: 12.9, changes: { create: 22 } },
            { stack: "tx", kind: "tenant", status: "failed", seconds: 7.4, error: "invalid stack configuration (1 problem):\n  - kube-baseline:namespaces[1].name = \"tb-one\": belongs to tenant tb" },
        ], 27);
        expect(text.split("\n")).toEqual([
            "STACK  KIND      RESULT     CHANGES      TIME",
            "base   baseline  succeeded  8 unchanged  6.1s",
            "ta     tenant    succeeded  22 created   12.9s",
            "tx     tenant    failed     -            7.4s",
            "",
            "up: 1 of 3 stacks did not succeed (tx failed) in 27.0s",
            "",
            "tx failed:",
            "  invalid stack configuration (1 problem):",
            "    - kube-baseline:namespaces[1].name = \"tb-one\": belongs to tenant tb",
            "",
        ]);
        expect(renderSummary("preview", [{ stack: "base", kind: "baseline", status: "succeeded", seconds: 1, changes: {} }], 1)).toMatch(/preview: 1 stack succeeded in 1.0s/);
    });

    test("an error is the engine's diagnostics without colours, stack frames or repeats, else the CLI's output", () => {
        const diagnostic = "\u001b[31mRunning program failed:\u001b[0m\nConfigError: bad\n    at loadTenantStackConfig (/repo/lib/config/tenantStackConfig.ts:78:62)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)\n";
        expect(errorSummary([diagnostic, "ConfigError: bad"], "ignored")).toBe("Running program failed:\nConfigError: bad");
        expect(errorSummary([], "code: 255\n stderr: error: no stack named 'x' found\n")).toBe("code: 255\n stderr: error: no stack named 'x' found");
        expect(errorSummary([Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n")], "", 3)).toBe("line 0\nline 1\nline 2\n... (17 more lines)");
    });

    test("progress lines and noise", () => {
        expect(stepLine("create", "urn:pulumi:ta::kube-baseline::kube-baseline:identity:Identity$kubernetes:core/v1:Namespace::identity-namespaces-ta-one", false))
            .toBe("created Namespace identity-namespaces-ta-one");
        expect(stepLine("delete", "urn:pulumi:ta::kube-baseline::kubernetes:core/v1:Namespace::ns", true)).toBe("to delete Namespace ns");
        expect(isNoiseWarning("using pulumi-resource-tls from $PATH at /root/.cache/x")).toBe(true);
        expect(isNoiseWarning("the certificate of user alice ends at ...")).toBe(false);
    });
});

describe("each stack's --parallel", () => {
    test.each([
        [1, 4], [2, 8], [8, 32], [0, 4], [2.5, 8],
    ])("pulumi's default on %s CPUs is %s", (cpus, expected) => expect(pulumiDefaultParallel(cpus)).toBe(expected));

    const baseline = (nodes?: number) => ({ kind: "baseline" as const, nodes });
    test.each([
        ["no nodes listed (the sandbox's)", baseline(), 2, {}, undefined, "pulumi's default"],
        ["as many nodes as pulumi's default", baseline(8), 2, {}, undefined, "pulumi's default"],
        ["more nodes than pulumi's default", baseline(50), 2, {}, 50, "one per node of its 50 (pulumi's default here: 8)"],
        ["more nodes than the cap", baseline(500), 2, {}, MAX_NODE_PARALLEL, "one per node of its 500 (pulumi's default here: 8)"],
        ["a runner whose default is above the cap", baseline(500), 32, {}, undefined, "pulumi's default"],
        ["a tenant stack (no nodes)", { kind: "tenant" as const }, 2, {}, undefined, "pulumi's default"],
        ["PULUMI_PARALLEL set", baseline(50), 2, { pulumiParallelEnv: "16" }, undefined, "PULUMI_PARALLEL"],
        ["PULUMI_PARALLEL=0, which pulumi ignores", baseline(50), 2, { pulumiParallelEnv: "0" }, 50, "one per node of its 50 (pulumi's default here: 8)"],
        ["--parallel", baseline(50), 2, { all: 4, pulumiParallelEnv: "16" }, 4, "--parallel"],
        ["--baseline-parallel before --parallel", baseline(50), 2, { all: 4, baseline: 20 }, 20, "--baseline-parallel"],
        ["--baseline-parallel is not a tenant's", { kind: "tenant" as const }, 2, { all: 4, baseline: 20 }, 4, "--parallel"],
    ])("%s", (_what, file, cpus, choice, parallel, reason) => {
        expect(stackParallel(file, cpus, choice)).toEqual({ ...(parallel === undefined ? {} : { parallel }), reason });
    });
});

describe("arguments", () => {
    test("a command and its options, in both spellings", () => {
        expect(parseStacksArgs(["up", "--baseline", "base", "--tenants=ta,tb", "--concurrency", "4"])).toEqual({
            command: "up", baseline: "base", tenants: ["ta", "tb"], concurrency: 4, accessSummary: true, json: false, help: false,
        });
        expect(parseStacksArgs(["preview", "--policy-pack", "policies"]).policyPack).toBe("policies");
        expect(parseStacksArgs(["list", "--json"]).json).toBe(true);
        expect(parseStacksArgs(["up", "--result-file", "/tmp/r.json"]).resultFile).toBe("/tmp/r.json");
        expect(() => parseStacksArgs(["list", "--result-file", "/tmp/r.json"])).toThrow(/--result-file applies to preview, up, refresh and destroy/);
        expect(parseStacksArgs(["up", "--no-access-summary"]).accessSummary).toBe(false);
        expect(parseStacksArgs(["destroy"], { KUBE_BASELINE_STACKS_CONCURRENCY: "3" }).concurrency).toBe(3);
        expect(parseStacksArgs(["--help"]).help).toBe(true);
        expect(parseStacksArgs(["up", "--parallel", "16", "--baseline-parallel=50"])).toMatchObject({ parallel: 16, baselineParallel: 50 });
    });

    test.each([
        [[], /no command/],
        [["apply"], /unknown command "apply": one of preview, up, refresh, destroy, list/],
        [["up", "down"], /one command at a time/],
        [["up", "--concurrency", "0"], /--concurrency must be a whole number from 1 to 64, got "0"/],
        [["up", "--concurrency", "two"], /--concurrency must be a whole number/],
        [["up", "--baseline"], /--baseline needs a value/],
        [["up", "--parallel", "0"], /--parallel must be a whole number from 1 to 1024, got "0"/],
        [["up", "--baseline-parallel", "2000"], /--baseline-parallel must be a whole number from 1 to 1024, got "2000"/],
        [["up", "--yes"], /unknown option "--yes"/],
        [["destroy", "--policy-pack", "policies"], /--policy-pack applies to preview and up/],
        [["up", "--policy-pack-config", "x.json"], /--policy-pack-config needs --policy-pack/],
    ])("%j is refused", (argv, message) => expect(() => parseStacksArgs(argv as string[])).toThrow(message));

    test("each stack's pack config: the one given, else its own, else the pack's tenant config for a tenant", () => {
        const exists = (f: string) => ["policies/config/dev.json", "policies/config/tenant.json"].includes(f);
        const pack = { policyPack: "policies" };
        expect(policyPackConfigFor("dev", "single", pack, exists)).toBe("policies/config/dev.json");
        expect(policyPackConfigFor("ta", "tenant", pack, exists)).toBe("policies/config/tenant.json");
        expect(policyPackConfigFor("base", "baseline", pack, exists)).toBeUndefined();
        expect(policyPackConfigFor("ta", "tenant", { ...pack, policyPackConfig: "x.json" }, exists)).toBe("x.json");
        expect(policyPackConfigFor("ta", "tenant", {}, exists)).toBeUndefined();
    });
});
