import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { containsUnknown, deepEqual, secretInputFailure, withoutUndefined } from "../../../providers/values";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe("containsUnknown", () => {
  test("finds the engine's unknown placeholder at any depth", () => {
    expect(containsUnknown(UNKNOWN)).toBe(true);
    expect(containsUnknown({ a: [1, { b: UNKNOWN }] })).toBe(true);
  });

  test("known values are known", () => {
    expect(containsUnknown("ssh-ed25519 AAAA")).toBe(false);
    expect(containsUnknown({ a: [1, { b: "x" }], c: null })).toBe(false);
    expect(containsUnknown(undefined)).toBe(false);
  });
});

describe("deepEqual", () => {
  test("compares objects regardless of key order and treats undefined keys as missing", () => {
    expect(deepEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  });

  test("array order and value types matter", () => {
    expect(deepEqual(["dev", "ops"], ["ops", "dev"])).toBe(false);
    expect(deepEqual([1], ["1"])).toBe(false);
    expect(deepEqual({ a: null }, { a: undefined })).toBe(false);
    expect(deepEqual([1, 2], [1, 2, 3])).toBe(false);
  });
});

describe("withoutUndefined", () => {
  test("makes provider outputs encodable as the protobuf Struct the provider host sends", () => {
    const outs = { a: undefined, b: "x", c: { d: undefined, e: [1, undefined] } };
    expect(() => Struct.fromJavaScript(outs as never)).toThrow();
    const cleaned = withoutUndefined(outs);
    expect(cleaned).toEqual({ b: "x", c: { e: [1, null] } });
    expect(Struct.fromJavaScript(cleaned as never).toJavaScript()).toEqual(cleaned);
  });
});

describe("secretInputFailure", () => {
  test("names the input in the reason and leaves the property empty", () => {
    expect(secretInputFailure("caKeyPem", "required")).toEqual({ property: "", reason: "caKeyPem: required" });
  });
});
