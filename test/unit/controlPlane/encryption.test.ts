// Encryption at rest: every plan the planner makes keeps every Secret readable at every step (and during each
// rolling restart when there are several apiservers), the verifier catches the orders that lose data, and the
// rendered EncryptionConfiguration is what the apiserver reads.

import { parse } from "yaml";
import {
    encryptionKeyProblem, EncryptionKey, EncryptionStep, entryName, Keyring, parseEncryptionConfiguration, planEncryptionTransition,
    renderEncryptionConfiguration, verifyEncryptionPlan,
} from "../../../lib/controlPlane/encryption";

const K1: EncryptionKey = { provider: "secretbox", name: "key-1" };
const K2: EncryptionKey = { provider: "secretbox", name: "key-2" };
const A3: EncryptionKey = { provider: "aescbc", name: "key-3" };
const ID = { provider: "identity" } as const;
const KEYS = { "key-1": Buffer.alloc(32, 1).toString("base64"), "key-2": Buffer.alloc(32, 2).toString("base64"), "key-3": Buffer.alloc(32, 3).toString("base64") };

const show = (steps: EncryptionStep[]) => steps.map(s => s.kind === "write-config" ? s.keyring.map(entryName).join(",") : s.kind);

describe("planEncryptionTransition", () => {
    test.each([
        ["enable, one apiserver: provider first, identity after, then rewrite", undefined, K1, 1,
            ["secretbox:key-1,identity", "rewrite-secrets"]],
        ["enable, three apiservers: every one learns the key before any encrypts with it", undefined, K1, 3,
            ["identity,secretbox:key-1", "secretbox:key-1,identity", "rewrite-secrets"]],
        ["rotate: new key non-primary, then primary, rewrite, old key dropped", [K1, ID], K2, 3,
            ["secretbox:key-1,secretbox:key-2,identity", "secretbox:key-2,secretbox:key-1,identity", "rewrite-secrets", "secretbox:key-2,identity"]],
        ["change provider the same way", [K1, ID], A3, 1,
            ["secretbox:key-1,aescbc:key-3,identity", "aescbc:key-3,secretbox:key-1,identity", "rewrite-secrets", "aescbc:key-3,identity"]],
        ["disable: identity first, rewrite, then the config goes", [K1, ID], undefined, 3,
            ["identity,secretbox:key-1", "rewrite-secrets", "remove-config"]],
        ["finish an interrupted rotation", [K2, K1, ID], K2, 3, ["rewrite-secrets", "secretbox:key-2,identity"]],
        ["finish an interrupted disable", [ID, K1], undefined, 3, ["rewrite-secrets", "remove-config"]],
        ["re-enable after an interrupted disable", [ID, K1], K1, 3, ["secretbox:key-1,identity", "rewrite-secrets"]],
        ["nothing to do", [K1, ID], K1, 3, []],
        ["nothing to do without encryption", undefined, undefined, 3, []],
    ] as Array<[string, Keyring | undefined, EncryptionKey | undefined, number, string[]]>)("%s", (_what, from, to, apiservers, expected) => {
        const steps = planEncryptionTransition(from, to, { apiservers });
        expect(show(steps)).toEqual(expected);
        expect(verifyEncryptionPlan(from, steps, { apiservers })).toEqual([]);
    });

    test("no plan between any two states ever leaves a Secret unreadable", () => {
        const states: Array<Keyring | undefined> = [undefined, [K1, ID], [K2, ID], [A3, ID], [ID, K1], [K2, K1, ID], [K1, K2, ID], [K1]];
        const targets: Array<EncryptionKey | undefined> = [undefined, K1, K2, A3];
        for (const from of states) for (const to of targets) for (const apiservers of [1, 2, 3]) {
            const steps = planEncryptionTransition(from, to, { apiservers });
            expect({ from, to, apiservers, problems: verifyEncryptionPlan(from, steps, { apiservers }) }).toEqual({ from, to, apiservers, problems: [] });
            // And it ends where it should: the new key primary with identity after, or no config.
            const last = [...steps].reverse().find(s => s.kind !== "rewrite-secrets");
            if (to === undefined) expect(from === undefined ? steps : last?.kind).toEqual(from === undefined ? [] : "remove-config");
        }
    });
});

describe("verifyEncryptionPlan catches the orders that lose Secrets", () => {
    test.each([
        ["removing the config before rewriting", [K1, ID], [{ kind: "remove-config", why: "" }], 1, /Secrets stored as secretbox:key-1 cannot be read by the new config/],
        ["dropping the old key before rewriting", [K1, ID], [{ kind: "write-config", keyring: [K2, ID], why: "" }], 1, /stored as secretbox:key-1 cannot be read/],
        ["encrypting without identity while plaintext Secrets remain", undefined, [{ kind: "write-config", keyring: [K1], why: "" }], 1, /stored as identity cannot be read/],
        ["making a new key primary at once with several apiservers", [K1, ID], [{ kind: "write-config", keyring: [K2, K1, ID], why: "" }], 2,
            /apiservers still on the old config cannot read Secrets stored as secretbox:key-2/],
        ["enabling at once with several apiservers", undefined, [{ kind: "write-config", keyring: [K1, ID], why: "" }], 2,
            /still on the old config cannot read Secrets stored as secretbox:key-1/],
    ] as Array<[string, Keyring | undefined, EncryptionStep[], number, RegExp]>)("%s", (_what, from, steps, apiservers, problem) => {
        expect(verifyEncryptionPlan(from, steps, { apiservers }).join("\n")).toMatch(problem);
    });
});

describe("renderEncryptionConfiguration", () => {
    test("groups a provider's keys (the first encrypts) and keeps identity where the keyring puts it", () => {
        const text = renderEncryptionConfiguration([K2, K1, A3, ID], KEYS);
        expect(parse(text)).toEqual({
            apiVersion: "apiserver.config.k8s.io/v1",
            kind: "EncryptionConfiguration",
            resources: [{
                resources: ["secrets"],
                providers: [
                    { secretbox: { keys: [{ name: "key-2", secret: KEYS["key-2"] }, { name: "key-1", secret: KEYS["key-1"] }] } },
                    { aescbc: { keys: [{ name: "key-3", secret: KEYS["key-3"] }] } },
                    { identity: {} },
                ],
            }],
        });
        expect(parseEncryptionConfiguration(text)).toEqual([K2, K1, A3, ID]);
    });

    test.each([
        ["a missing key", {}, /key-1: no key material/],
        ["a 16-byte key for secretbox", { "key-1": Buffer.alloc(16).toString("base64") }, /secretbox needs a key of 32 bytes, this one has 16/],
        ["a key that is not base64", { "key-1": "not base64!" }, /not standard base64/],
    ])("refuses %s, without showing it", (_what, secrets, error) => {
        expect(() => renderEncryptionConfiguration([K1, ID], secrets as Record<string, string>)).toThrow(error);
        try { renderEncryptionConfiguration([K1, ID], secrets as Record<string, string>); } catch (e) {
            for (const v of Object.values(secrets)) expect((e as Error).message).not.toContain(v as string);
        }
    });

    test("key sizes: aescbc takes 16, 24 or 32 bytes", () => {
        expect([16, 24, 32, 31].map(n => encryptionKeyProblem("aescbc", Buffer.alloc(n).toString("base64")))).toEqual([
            undefined, undefined, undefined, "aescbc needs a key of 16 or 24 or 32 bytes, this one has 31",
        ]);
    });

    test("refuses duplicate key names and bad names", () => {
        expect(() => renderEncryptionConfiguration([K1, K1], KEYS)).toThrow(/key-1 appears twice/);
        expect(() => planEncryptionTransition(undefined, { provider: "secretbox", name: "Key_1" }, { apiservers: 1 })).toThrow(/RFC 1123/);
    });
});
