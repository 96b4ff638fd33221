import { keySpecChanges, keySpecIssues, normalizeKeySpec } from "../../../providers/keySpec";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe("normalizeKeySpec", () => {
  test("fills the defaults: RSA 4096, ECDSA P256", () => {
    expect(normalizeKeySpec({ algorithm: "RSA" })).toEqual({ algorithm: "RSA", rsaBits: 4096 });
    expect(normalizeKeySpec({ algorithm: "ECDSA" })).toEqual({ algorithm: "ECDSA", ecdsaCurve: "P256" });
    expect(normalizeKeySpec({ algorithm: "ED25519", rsaBits: 2048 })).toEqual({ algorithm: "ED25519" });
  });
});

describe("keySpecIssues", () => {
  test("accepts the supported shapes", () => {
    expect(keySpecIssues({ algorithm: "RSA", rsaBits: 2048 })).toEqual([]);
    expect(keySpecIssues({ algorithm: "ECDSA", ecdsaCurve: "P384" })).toEqual([]);
    expect(keySpecIssues({ algorithm: "ED25519" })).toEqual([]);
  });

  test("rejects weak or malformed RSA sizes, naming the bad value", () => {
    const issues = keySpecIssues({ algorithm: "RSA", rsaBits: 1024 });
    expect(issues).toHaveLength(1);
    expect(issues[0].property).toBe("rsaBits");
    expect(issues[0].reason).toContain("1024");
    expect(keySpecIssues({ algorithm: "RSA", rsaBits: 3000.5 })).toHaveLength(1);
    expect(keySpecIssues({ algorithm: "RSA", rsaBits: "4096" })).toHaveLength(1);
  });

  test("rejects unknown algorithms and curves", () => {
    expect(keySpecIssues({ algorithm: "DSA" })[0]).toMatchObject({ property: "algorithm" });
    expect(keySpecIssues({ algorithm: "ECDSA", ecdsaCurve: "P521" })[0]).toMatchObject({ property: "ecdsaCurve" });
  });

  test("does not judge values that are not known yet", () => {
    expect(keySpecIssues({ algorithm: UNKNOWN })).toEqual([]);
    expect(keySpecIssues({ algorithm: "RSA", rsaBits: UNKNOWN })).toEqual([]);
  });
});

describe("keySpecChanges", () => {
  test("equivalent specs are no change (defaults spelled out or not)", () => {
    expect(keySpecChanges({ algorithm: "RSA", rsaBits: 4096 }, { algorithm: "RSA" })).toEqual([]);
    expect(keySpecChanges({ algorithm: "ECDSA", ecdsaCurve: "P256" }, { algorithm: "ECDSA" })).toEqual([]);
    expect(keySpecChanges({ algorithm: "ED25519" }, { algorithm: "ED25519", ecdsaCurve: "P384" })).toEqual([]);
  });

  test("a different algorithm, size or curve is a change of the named input", () => {
    expect(keySpecChanges({ algorithm: "RSA", rsaBits: 4096 }, { algorithm: "ECDSA" })).toEqual(["algorithm"]);
    expect(keySpecChanges({ algorithm: "RSA", rsaBits: 4096 }, { algorithm: "RSA", rsaBits: 2048 })).toEqual(["rsaBits"]);
    expect(keySpecChanges({ algorithm: "ECDSA", ecdsaCurve: "P256" }, { algorithm: "ECDSA", ecdsaCurve: "P384" })).toEqual([
      "ecdsaCurve",
    ]);
  });

  test("a parameter not known yet counts as a change", () => {
    expect(keySpecChanges({ algorithm: "RSA", rsaBits: 4096 }, { algorithm: "RSA", rsaBits: UNKNOWN })).toEqual(["rsaBits"]);
  });
});
