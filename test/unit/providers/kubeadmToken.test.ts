import { kubeadmTokenProvider, KubeadmTokenState } from "../../../providers/kubeadmToken";
import { generateKubeadmToken, parseKubeadmToken, randomString } from "../../../providers/kubeadmTokenFormat";

const SHAPE = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A byte source that replays the given bytes. */
function replay(bytes: number[]): (n: number) => Uint8Array {
  let at = 0;
  return (n: number) => {
    const out = Uint8Array.from(bytes.slice(at, at + n));
    at += n;
    if (out.length < n) throw new Error("replay exhausted");
    return out;
  };
}

describe("kubeadm token format", () => {
  test("generated tokens have kubeadm's shape and split into id and secret", () => {
    for (let i = 0; i < 200; i++) {
      const t = generateKubeadmToken();
      expect(t.token).toMatch(SHAPE);
      expect(t.token).toBe(`${t.tokenId}.${t.tokenSecret}`);
      expect(parseKubeadmToken(t.token)).toEqual(t);
    }
  });

  test("parseKubeadmToken rejects other shapes", () => {
    for (const bad of ["abcdef.0123456789abcdef0", "ABCDEF.0123456789abcdef", "abcdef-0123456789abcdef", "abcde.0123456789abcdefg"]) {
      expect(parseKubeadmToken(bad)).toBeUndefined();
    }
  });

  test("rejection sampling: bytes 252..255 are skipped, others map to byte % 36", () => {
    // 252 = 7 * 36 is the first byte that would favour the first characters.
    const s = randomString(4, ALPHABET, replay([252, 0, 255, 35, 251, 36, ...new Array(20).fill(0)]));
    expect(s).toBe(`${ALPHABET[0]}${ALPHABET[35]}${ALPHABET[251 % 36]}${ALPHABET[0]}`);
  });

  test("keeps drawing when a whole batch is rejected", () => {
    const s = randomString(2, ALPHABET, replay([...new Array(16).fill(255), 1, 2, ...new Array(14).fill(0)]));
    expect(s).toBe("bc");
  });

  test("characters are spread evenly (no modulo bias, no missing characters)", () => {
    const counts = new Map<string, number>();
    const tokens = 3000;
    for (let i = 0; i < tokens; i++) {
      for (const ch of generateKubeadmToken().token.replace(".", "")) {
        counts.set(ch, (counts.get(ch) ?? 0) + 1);
      }
    }
    expect([...counts.keys()].sort().join("")).toBe([...ALPHABET].sort().join(""));
    const expected = (tokens * 22) / 36;
    for (const n of counts.values()) {
      // ±20% is over 6 standard deviations here: a fair generator does not fail this.
      expect(Math.abs(n - expected) / expected).toBeLessThan(0.2);
    }
  });
});

describe("KubeadmToken provider", () => {
  test("create returns the token (secret output) and its id; the resource id is the public part", async () => {
    const { id, outs } = (await kubeadmTokenProvider.create({})) as { id: string; outs: KubeadmTokenState };
    expect(outs.token).toMatch(SHAPE);
    expect(outs.tokenId).toBe(outs.token.slice(0, 6));
    expect(id).toBe(outs.tokenId);
    expect(id).not.toContain(outs.token.slice(7));
    expect(Object.keys(outs)).not.toContain("keepers");
  });

  test("every create makes a new token", async () => {
    const a = (await kubeadmTokenProvider.create({})).outs as KubeadmTokenState;
    const b = (await kubeadmTokenProvider.create({})).outs as KubeadmTokenState;
    expect(a.token).not.toBe(b.token);
  });

  test("diff: same keepers (or none) change nothing; other keepers replace the token", async () => {
    const { outs } = (await kubeadmTokenProvider.create({ keepers: { rotation: "1" } })) as { outs: KubeadmTokenState };
    expect(await kubeadmTokenProvider.diff!("id", { ...outs, __provider: "p" }, { keepers: { rotation: "1" }, __provider: "p" })).toEqual({
      changes: false,
      replaces: [],
    });
    expect(await kubeadmTokenProvider.diff!("id", outs, { keepers: { rotation: "2" } })).toEqual({ changes: true, replaces: ["keepers"] });
    const bare = (await kubeadmTokenProvider.create({})).outs as KubeadmTokenState;
    expect(await kubeadmTokenProvider.diff!("id", bare, {})).toEqual({ changes: false, replaces: [] });
  });
});
