import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { packPolicies } from "../pack";

const policies = packPolicies();
const isStackPolicy = (p: Policies[number]): p is StackValidationPolicy => "validateStack" in p;
const byName = new Map(policies.map(p => [p.name, p]));
const readConfig = (env: string) => JSON.parse(fs.readFileSync(path.join(__dirname, "..", "config", `${env}.json`), "utf8")) as Record<string, Record<string, unknown>>;

// The policies that warn in dev and fail in prod; every other policy fails in both.
const ADVISORY_IN_DEV = [
    "rbac-no-cluster-wide-secret-read",
    "rbac-cluster-role-binding-allow-list",
    "identity-certificate-validity",
    "identity-no-static-tokens",
    "namespace-pod-security-enforce",
    "serviceaccount-no-token-automount",
    "namespace-default-deny-network-policy",
    "calico-route-reflector-redundancy",
    // The dev stack's static token turns CIS 1.2.2 failing on purpose.
    "control-plane-cis-no-regression",
];

describe("the policy pack", () => {
    it("has uniquely named policies, each with a description, an enforcement level and a config schema", () => {
        expect(byName.size).toBe(policies.length);
        for (const p of policies) {
            expect(p.name).toMatch(/^[a-z0-9-]+$/);
            expect(p.description.length).toBeGreaterThan(20);
            expect(["advisory", "mandatory"]).toContain(p.enforcementLevel);
            expect(p.configSchema).toBeDefined();
            expect(p.configSchema!.properties).not.toHaveProperty("enforcementLevel");
        }
    });

    it("covers every area of the baseline", () => {
        const prefixes = new Set(policies.map(p => p.name.split("-")[0]));
        expect([...prefixes].sort()).toEqual(["calico", "control", "identity", "namespace", "rbac", "secret", "serviceaccount", "tenant", "workloads"]);
        expect(policies.filter(isStackPolicy).map(p => p.name).sort()).toEqual([
            "calico-route-reflector-redundancy",
            "control-plane-cis-no-regression",
            "namespace-default-deny-network-policy",
            "rbac-aggregated-cluster-roles",
            "rbac-no-secret-read-in-token-namespaces",
            "secret-outputs",
            "tenant-stays-in-its-namespaces",
            "workloads-no-host-access",
        ]);
    });

    it("ignores resources outside each policy's types", async () => {
        for (const p of policies.filter(p => !isStackPolicy(p)) as ResourceValidationPolicy[]) {
            const violations: string[] = [];
            const validate = p.validateResource as (args: unknown, report: (m: string) => void) => void;
            validate({ type: "random:index/randomPet:RandomPet", name: "pet", urn: "urn", props: { length: 2 }, opts: {}, getConfig: () => ({}) }, m => violations.push(m));
            expect(violations).toEqual([]);
        }
    });
});

// tenant.json: prod's levels, for tenant stacks (their CI previews), where a stack without a tenant output fails.
describe.each(["dev", "prod", "tenant"])("config/%s.json", env => {
    const config = readConfig(env);

    it("configures every policy, and only known ones", () => {
        expect(Object.keys(config).sort()).toEqual([...byName.keys()].sort());
    });

    it("matches each policy's config schema the way the CLI checks it, with no unknown keys", () => {
        const ajv = new Ajv({ strict: false });
        for (const [name, entry] of Object.entries(config)) {
            const { enforcementLevel, ...properties } = entry;
            expect(["advisory", "mandatory", "disabled"]).toContain(enforcementLevel);
            const schema = byName.get(name)!.configSchema!;
            const validate = ajv.compile({ type: "object", properties: schema.properties, additionalProperties: false });
            expect({ policy: name, valid: validate(properties), errors: validate.errors ?? null }).toEqual({ policy: name, valid: true, errors: null });
        }
    });

    it(env !== "dev" ? "makes every policy mandatory" : "warns for the dev-advisory policies and fails for the rest", () => {
        for (const [name, entry] of Object.entries(config)) {
            const expected = env === "dev" && ADVISORY_IN_DEV.includes(name) ? "advisory" : "mandatory";
            expect({ name, level: entry.enforcementLevel }).toEqual({ name, level: expected });
        }
    });

    it(env === "tenant" ? "is for tenant stacks only" : "judges tenant stacks by their tenant output, and other stacks not at all", () => {
        expect(config["tenant-stays-in-its-namespaces"].requireTenantOutput).toBe(env === "tenant");
    });
});

describe("README's policy table", () => {
    // One row per policy: | `name` [(stack)] | refuses | attack it stops | dev | prod | settings |
    const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    const rows = readme.split("\n").filter(line => /^\| `[a-z0-9-]+`/.test(line)).map(line => line.split("|").map(cell => cell.trim()));
    const rowOf = new Map(rows.map(cells => [/`([a-z0-9-]+)`/.exec(cells[1])![1], cells]));

    it("lists every policy once, each with what it refuses and the attack it stops", () => {
        expect(rows.map(cells => /`([a-z0-9-]+)`/.exec(cells[1])![1]).sort()).toEqual([...byName.keys()].sort());
        for (const cells of rows) {
            expect(cells).toHaveLength(8);
            expect(cells[2].length).toBeGreaterThan(10);
            expect(cells[3].length).toBeGreaterThan(10);
        }
    });

    it("gives each policy the enforcement level of config/dev.json and config/prod.json, and marks the stack policies", () => {
        const dev = readConfig("dev");
        const prod = readConfig("prod");
        for (const [name, cells] of rowOf) {
            expect({ name, dev: cells[4], prod: cells[5] }).toEqual({ name, dev: dev[name].enforcementLevel, prod: prod[name].enforcementLevel });
            expect({ name, stack: cells[1].includes("(stack)") }).toEqual({ name, stack: isStackPolicy(byName.get(name)!) });
        }
    });
});
