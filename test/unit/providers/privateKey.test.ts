import * as crypto from "crypto";
import { privateKeyProvider, PrivateKeyState } from "../../../providers/privateKey";

async function create(inputs: Record<string, unknown>): Promise<{ id: string; outs: PrivateKeyState }> {
  return (await privateKeyProvider.create(inputs)) as { id: string; outs: PrivateKeyState };
}

function pemPairMatches(outs: PrivateKeyState): boolean {
  const derived = crypto.createPublicKey(crypto.createPrivateKey(outs.privateKeyPem)).export({ type: "spki", format: "pem" });
  return derived.toString() === outs.publicKeyPem;
}

describe("PrivateKey provider", () => {
  test("RSA: PKCS#8 private key and SPKI public key of the requested size", async () => {
    const { outs } = await create({ algorithm: "RSA", rsaBits: 2048 });
    expect(outs.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(outs.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const key = crypto.createPrivateKey(outs.privateKeyPem);
    expect(key.asymmetricKeyType).toBe("rsa");
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(pemPairMatches(outs)).toBe(true);
    expect(outs).toMatchObject({ algorithm: "RSA", rsaBits: 2048 });
  });

  test("RSA defaults to 4096 bits", async () => {
    const { outs } = await create({ algorithm: "RSA" });
    expect(crypto.createPrivateKey(outs.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(outs.rsaBits).toBe(4096);
  }, 60_000);

  test.each([
    [undefined, "prime256v1"],
    ["P256", "prime256v1"],
    ["P384", "secp384r1"],
  ])("ECDSA curve %s is %s", async (ecdsaCurve, namedCurve) => {
    const { outs } = await create({ algorithm: "ECDSA", ...(ecdsaCurve ? { ecdsaCurve } : {}) });
    const key = crypto.createPrivateKey(outs.privateKeyPem);
    expect(key.asymmetricKeyType).toBe("ec");
    expect(key.asymmetricKeyDetails?.namedCurve).toBe(namedCurve);
    expect(pemPairMatches(outs)).toBe(true);
  });

  test("ED25519", async () => {
    const { outs } = await create({ algorithm: "ED25519" });
    expect(crypto.createPrivateKey(outs.privateKeyPem).asymmetricKeyType).toBe("ed25519");
    expect(pemPairMatches(outs)).toBe(true);
  });

  test("every create makes a different key", async () => {
    const a = await create({ algorithm: "ED25519" });
    const b = await create({ algorithm: "ED25519" });
    expect(a.outs.privateKeyPem).not.toBe(b.outs.privateKeyPem);
    expect(a.id).not.toBe(b.id);
  });

  test("diff: the same inputs again change nothing (second `pulumi up` is a no-op)", async () => {
    const { id, outs } = await create({ algorithm: "ECDSA" });
    const withProvider = { ...outs, __provider: "serialized" };
    expect(await privateKeyProvider.diff!(id, withProvider, { algorithm: "ECDSA", __provider: "serialized" })).toEqual({
      changes: false,
      replaces: [],
    });
    expect(await privateKeyProvider.diff!(id, withProvider, { algorithm: "ECDSA", ecdsaCurve: "P256" })).toMatchObject({
      changes: false,
    });
  });

  test("diff: a different algorithm or size replaces the key", async () => {
    const { id, outs } = await create({ algorithm: "RSA", rsaBits: 2048 });
    expect(await privateKeyProvider.diff!(id, outs, { algorithm: "RSA", rsaBits: 3072 })).toEqual({
      changes: true,
      replaces: ["rsaBits"],
    });
    expect(await privateKeyProvider.diff!(id, outs, { algorithm: "ED25519" })).toEqual({ changes: true, replaces: ["algorithm"] });
  });

  test("check reports bad inputs with the property and value", async () => {
    const result = await privateKeyProvider.check!({}, { algorithm: "RSA", rsaBits: 1024 });
    expect(result.failures).toEqual([expect.objectContaining({ property: "rsaBits", reason: expect.stringContaining("1024") })]);
  });
});
