// The state profile: bytes by resource field, by type and by property, summed over resources of a type.
import { profileState } from "../../../bench/stateProfile";

const state = {
    deployment: {
        resources: [
            { type: "tls:index/privateKey:PrivateKey", urn: "u1", inputs: { algorithm: "RSA" }, outputs: { privateKeyPem: "x".repeat(2048) }, stackTrace: "s".repeat(1024) },
            { type: "tls:index/privateKey:PrivateKey", urn: "u2", inputs: { algorithm: "RSA" }, outputs: { privateKeyPem: "x".repeat(2048) } },
            { type: "kubernetes:core/v1:Namespace", urn: "u3", inputs: { metadata: { name: "a" } }, outputs: { metadata: { name: "a" } } },
        ],
    },
};

test("sums each field, type and property over the resources", () => {
    const p = profileState(state);
    expect(p.resources).toBe(3);
    expect(p.byField[0].field).toBe("outputs");
    expect(p.byField.find(f => f.field === "stackTrace")!.kib).toBeCloseTo(1026 / 1024, 5);
    expect(p.byType[0]).toMatchObject({ type: "tls:index/privateKey:PrivateKey", count: 2 });
    // {"privateKeyPem":"x…x"}: 2048 characters, 2 quotes, 18 of key and braces.
    expect(p.byType[0].outputsKiB).toBeCloseTo(2 * 2068 / 1024, 5);
    expect(p.largestProperties[0]).toMatchObject({ type: "tls:index/privateKey:PrivateKey", where: "outputs", property: "privateKeyPem" });
    expect(p.totalKiB).toBeGreaterThan(p.byType.reduce((n, t) => n + t.kib, 0));
});

test("an empty or odd export is an empty profile", () => {
    expect(profileState({})).toMatchObject({ resources: 0, byField: [], byType: [], largestProperties: [] });
    expect(profileState(undefined).resources).toBe(0);
});

test("top limits the type and property lists", () => {
    const p = profileState(state, 1);
    expect(p.byType).toHaveLength(1);
    expect(p.largestProperties).toHaveLength(1);
});
