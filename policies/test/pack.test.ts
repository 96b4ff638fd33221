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
        expect([...prefixes].sort()).toEqual(["calico", "identity", "namespace", "rbac", "secret", "serviceaccount", "workloads"]);
        expect(policies.filter(isStackPolicy).map(p => p.name).sort()).toEqual([
            "calico-route-reflector-redundancy",
            "namespace-default-deny-network-policy",
            "rbac-aggregated-cluster-roles",
            "rbac-no-secret-read-in-token-namespaces",
            "secret-outputs",
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

describe.each(["dev", "prod"])("config/%s.json", env => {
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

    it(env === "prod" ? "makes every policy mandatory" : "warns for the dev-advisory policies and fails for the rest", () => {
        for (const [name, entry] of Object.entries(config)) {
            const expected = env === "dev" && ADVISORY_IN_DEV.includes(name) ? "advisory" : "mandatory";
            expect({ name, level: entry.enforcementLevel }).toEqual({ name, level: expected });
        }
    });
});
