// The access summary a person reads after `npm run up`: kubectl's can-i table is read correctly, the rights every
// user has anyway are left out, each user x namespace shows its verbs per resource, failures are visible, and no
// kubeconfig ever ends up in a message.
import {
    AccessSummary, authenticationLabel, cellFromKubectl, cellLines, mergeGrants, parseArgs, parseCanIList,
    parseStackOutputs, renderMarkdown, renderTerminal, summariseRules,
} from "../../../lib/accessSummary";

// What kubectl v1.35 prints for a user bound to pods-viewer in the namespace (tabwriter, padding 2).
const PODS_VIEWER = [
    "Resources                                       Non-Resource URLs                     Resource Names   Verbs",
    "selfsubjectreviews.authentication.k8s.io        []                                    []               [create]",
    "selfsubjectaccessreviews.authorization.k8s.io   []                                    []               [create]",
    "selfsubjectrulesreviews.authorization.k8s.io    []                                    []               [create]",
    "pods                                            []                                    []               [get list watch]",
    "services                                        []                                    []               [get list watch]",
    "deployments.apps                                []                                    []               [get list watch]",
    "                                                [/.well-known/openid-configuration/]  []               [get]",
    "                                                [/api/*]                              []               [get]",
    "                                                [/api]                                []               [get]",
    "                                                [/healthz]                            []               [get]",
    "                                                [/version]                            []               [get]",
    "",
].join("\n");

describe("parseCanIList", () => {
    test("reads resource rows, non-resource rows and the verbs of each", () => {
        const rules = parseCanIList(PODS_VIEWER);
        expect(rules).toHaveLength(11);
        expect(rules[3]).toEqual({ resource: "pods", nonResourceUrls: [], resourceNames: [], verbs: ["get", "list", "watch"] });
        expect(rules[5].resource).toBe("deployments.apps");
        expect(rules[7]).toEqual({ resource: "", nonResourceUrls: ["/api/*"], resourceNames: [], verbs: ["get"] });
    });

    test("reads named resources and wildcards", () => {
        const rules = parseCanIList([
            "configmaps   []   [app-config other]   [get update]",
            "*.*          []   []                   [*]",
            "pods/log     []   []                   [get]",
        ].join("\n"));
        expect(rules).toEqual([
            { resource: "configmaps", nonResourceUrls: [], resourceNames: ["app-config", "other"], verbs: ["get", "update"] },
            { resource: "*.*", nonResourceUrls: [], resourceNames: [], verbs: ["*"] },
            { resource: "pods/log", nonResourceUrls: [], resourceNames: [], verbs: ["get"] },
        ]);
    });

    test("refuses a line it does not understand instead of dropping it", () => {
        expect(() => parseCanIList("pods  get list\n")).toThrow(/unexpected line .*pods  get list/);
    });
});

describe("summariseRules", () => {
    test("leaves out what every authenticated user may do and groups resources by verbs", () => {
        expect(summariseRules(parseCanIList(PODS_VIEWER))).toEqual({
            grants: [{ resources: ["deployments.apps", "pods", "services"], verbs: ["get", "list", "watch"] }],
            nonResourceGrants: [],
        });
    });

    test("keeps grants beyond the built-in ones, widest first", () => {
        const rules = parseCanIList([
            "pods                                          []           []   [watch get list]",
            "secrets                                       []           []   [get]",
            "*.*                                           []           []   [*]",
            "selfsubjectaccessreviews.authorization.k8s.io []           []   [create delete]",
            "                                              [/metrics]   []   [get]",
            "                                              [/api]       []   [post]",
        ].join("\n"));
        expect(summariseRules(rules)).toEqual({
            grants: [
                { resources: ["*.*"], verbs: ["*"] },
                { resources: ["pods"], verbs: ["get", "list", "watch"] },
                { resources: ["selfsubjectaccessreviews.authorization.k8s.io"], verbs: ["create", "delete"] },
                { resources: ["secrets"], verbs: ["get"] },
            ],
            nonResourceGrants: [
                { resources: ["/api"], verbs: ["post"] },
                { resources: ["/metrics"], verbs: ["get"] },
            ],
        });
    });
});

describe("cellFromKubectl", () => {
    test("a successful run becomes the user's grants", () => {
        const { cell } = cellFromKubectl({ status: 0, stdout: PODS_VIEWER, stderr: "" });
        expect(cellLines(cell)).toEqual(["deployments.apps, pods, services: get list watch"]);
    });

    test("no grant at all shows as a dash", () => {
        const only = PODS_VIEWER.split("\n").filter(l => !/^(pods|services|deployments)/.test(l)).join("\n");
        expect(cellLines(cellFromKubectl({ status: 0, stdout: only, stderr: "" }).cell)).toEqual(["-"]);
    });

    test("a refused credential is shown as an error with the apiserver's reason", () => {
        const { cell } = cellFromKubectl({
            status: 1, stdout: "",
            stderr: "Warning: something\nerror: You must be logged in to the server (Unauthorized)\n",
        });
        expect(cell).toEqual({ ok: false, error: "You must be logged in to the server (Unauthorized)" });
        expect(cellLines(cell)).toEqual(["ERROR: You must be logged in to the server (Unauthorized)"]);
    });

    test("kubectl missing or timing out is an error too", () => {
        expect(cellFromKubectl({ status: null, stdout: "", stderr: "", error: "cannot run kubectl: spawnSync kubectl ENOENT" }).cell)
            .toEqual({ ok: false, error: "cannot run kubectl: spawnSync kubectl ENOENT" });
    });

    test("an incomplete list is flagged", () => {
        const { cell } = cellFromKubectl({ status: 0, stdout: PODS_VIEWER, stderr: "Warning: the list may be incomplete: webhook authorizer does not support user rule resolution\n" });
        expect(cellLines(cell)).toContain("(warning: the list may be incomplete: webhook authorizer does not support user rule resolution)");
    });
});

describe("parseStackOutputs", () => {
    const outputs = {
        apiServerUrl: "https://192.168.213.10:6443",
        userKubeconfigs: { wang: "apiVersion: v1\n# token-wang", alice: "apiVersion: v1\n# key-alice" },
        namespaces: { staging: { enforce: "restricted" }, dev: { enforce: "restricted" } },
        tokenUsers: ["wang"],
        certificateExpiry: { alice: "2030-01-02T03:04:05Z" },
        cni: { kind: "flannel" },
    };

    test("takes users, namespaces (sorted) and how each user authenticates", () => {
        const inputs = parseStackOutputs(outputs);
        expect(inputs.namespaces).toEqual(["dev", "staging"]);
        expect(Object.keys(inputs.userKubeconfigs).sort()).toEqual(["alice", "wang"]);
        expect(authenticationLabel("wang", inputs)).toBe("token");
        expect(authenticationLabel("alice", inputs)).toBe("cert until 2030-01-02 03:04 UTC");
        expect(authenticationLabel("bob", inputs)).toBe("cert");
    });

    test("a stack that was never updated says what to do", () => {
        expect(() => parseStackOutputs({})).toThrow(/no output userKubeconfigs: run `npm run pulumi -- up` first/);
    });

    test("masked secrets are refused", () => {
        expect(() => parseStackOutputs({ ...outputs, userKubeconfigs: { alice: "[secret]" } })).toThrow(/--show-secrets/);
    });

    test("errors never carry a kubeconfig", () => {
        const bad = [
            { ...outputs, namespaces: ["dev"] },
            { ...outputs, tokenUsers: "wang" },
            { ...outputs, userKubeconfigs: { ...outputs.userKubeconfigs, bob: 1 } },
        ];
        for (const o of bad) {
            let message = "";
            try {
                parseStackOutputs(o);
            } catch (err) {
                message = (err as Error).message;
            }
            expect(message).toMatch(/stack output/);
            expect(message).not.toMatch(/token-wang|key-alice/);
        }
    });
});

test("non-resource grants seen in several namespaces are merged once", () => {
    const g = { resources: ["/metrics"], verbs: ["get"] };
    expect(mergeGrants([[g], [g], []])).toEqual([g]);
});

describe("rendering", () => {
    const summary: AccessSummary = {
        stacks: ["dev"],
        apiServerUrl: "https://192.168.213.10:6443",
        generatedAt: "2030-01-01T00:00:00Z",
        namespaces: ["dev", "staging"],
        users: [
            {
                user: "alice", authentication: "cert until 2030-01-02 03:04 UTC", nonResourceGrants: [],
                cells: {
                    dev: {
                        ok: true, grants: [
                            { resources: ["configmaps[app|cfg]"], verbs: ["get", "update"] },
                            { resources: ["pods", "services"], verbs: ["get", "list"] },
                        ],
                    },
                    staging: { ok: true, grants: [] },
                },
            },
            {
                user: "wang", authentication: "token", nonResourceGrants: [{ resources: ["/metrics"], verbs: ["get"] }],
                cells: { dev: { ok: false, error: "Unauthorized" }, staging: { ok: true, grants: [] } },
            },
        ],
    };

    test("the terminal table has one row per user and namespace, the user named once", () => {
        const lines = renderTerminal(summary).split("\n");
        expect(lines[0]).toBe("Access summary: stack dev at https://192.168.213.10:6443, asked as each user at 2030-01-01T00:00:00Z");
        const table = lines.slice(2, 8);
        expect(table).toEqual([
            "USER   AUTH                             NAMESPACE  ACCESS (resources: verbs)",
            "alice  cert until 2030-01-02 03:04 UTC  dev        configmaps[app|cfg]: get update",
            "                                                   pods, services: get list",
            "                                        staging    -",
            "wang   token                            dev        ERROR: Unauthorized",
            "                                        staging    -",
        ]);
        expect(lines).toContain("wang may also use non-resource URLs (cluster-wide): /metrics: get");
    });

    test("the Markdown table escapes cell text and keeps a cell on one row", () => {
        const md = renderMarkdown(summary);
        expect(md).toContain("| alice | cert until 2030-01-02 03:04 UTC | dev | configmaps[app\\|cfg]: get update<br>pods, services: get list |");
        expect(md).toContain("| wang | token | dev | ERROR: Unauthorized |");
        expect(md).toContain("- wang may also use non-resource URLs (cluster-wide): /metrics: get");
    });
});

describe("rendering several stacks (a baseline and its tenant stacks)", () => {
    const none = { ok: true as const, grants: [] };
    const edit = { ok: true as const, grants: [{ resources: ["configmaps"], verbs: ["get", "create"] }] };
    const summary: AccessSummary = {
        stacks: ["base", "ta", "tb"],
        generatedAt: "2030-01-01T00:00:00Z",
        namespaces: ["ta-one", "tb-one"],
        users: [
            { user: "ta:dev", stack: "ta", authentication: "cert", nonResourceGrants: [], cells: { "ta-one": edit, "tb-one": none } },
            { user: "tb:dev", stack: "tb", authentication: "cert", nonResourceGrants: [], cells: { "ta-one": none, "tb-one": edit } },
        ],
    };

    test("every user of every stack against every namespace, with the stack it comes from", () => {
        const lines = renderTerminal(summary).split("\n");
        expect(lines[0]).toBe("Access summary: stacks base, ta, tb, asked as each user at 2030-01-01T00:00:00Z");
        expect(lines.slice(2, 7)).toEqual([
            "STACK  USER    AUTH  NAMESPACE  ACCESS (resources: verbs)",
            "ta     ta:dev  cert  ta-one     configmaps: get create",
            "                     tb-one     -",
            "tb     tb:dev  cert  ta-one     -",
            "                     tb-one     configmaps: get create",
        ]);
        const md = renderMarkdown(summary);
        expect(md).toContain("Stacks `base`, `ta`, `tb`.");
        expect(md).toContain("| stack | user | authentication | namespace | access (resources: verbs) |");
        expect(md).toContain("| tb | tb:dev | cert | tb-one | configmaps: get create |");
    });
});

describe("parseArgs", () => {
    test("defaults to the dev stack and ./access-summary.md", () => {
        expect(parseArgs([])).toEqual({ stacks: ["dev"], out: "access-summary.md", help: false });
        expect(parseArgs([], { KUBE_BASELINE_STACK: "prod" }).stacks).toEqual(["prod"]);
    });

    test("takes --stack (repeated), --baseline and --out in both spellings and refuses anything else", () => {
        expect(parseArgs(["--stack", "prod", "--out=/tmp/a.md"])).toEqual({ stacks: ["prod"], out: "/tmp/a.md", help: false });
        expect(parseArgs(["--stack", "ta", "--stack=tb"]).stacks).toEqual(["ta", "tb"]);
        expect(parseArgs(["--baseline", "base"])).toEqual({ stacks: [], baseline: "base", out: "access-summary.md", help: false });
        expect(() => parseArgs(["--stack"])).toThrow(/--stack needs a value/);
        expect(() => parseArgs(["--show-secrets"])).toThrow(/unknown argument "--show-secrets"/);
    });
});
