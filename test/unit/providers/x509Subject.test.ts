import { clientSubject, subjectIssues, subjectToString } from "../../../providers/x509Subject";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe("clientSubject", () => {
  test("CN first, then one O per group in the given order", () => {
    expect(clientSubject("jane", ["app1", "ops"])).toEqual([{ CN: ["jane"] }, { O: ["app1"] }, { O: ["ops"] }]);
  });

  test("no groups means a subject with the CN only", () => {
    expect(clientSubject("jane", [])).toEqual([{ CN: ["jane"] }]);
  });
});

describe("subjectToString", () => {
  test("renders and escapes like RFC 4514", () => {
    expect(subjectToString("jane", ["system:masters", "a,b"])).toBe("CN=jane, O=system:masters, O=a\\,b");
  });
});

describe("subjectIssues", () => {
  test("accepts user and group names as Kubernetes uses them", () => {
    expect(subjectIssues("system:node:worker-1", ["system:nodes"])).toEqual([]);
    expect(subjectIssues("jane", [])).toEqual([]);
    expect(subjectIssues("jane", undefined)).toEqual([]);
  });

  test("rejects an empty CN and names the value", () => {
    expect(subjectIssues(" ", [])).toEqual([expect.objectContaining({ property: "commonName", reason: expect.stringContaining('" "') })]);
    expect(subjectIssues(undefined, [])).toEqual([expect.objectContaining({ property: "commonName" })]);
  });

  test("rejects empty, control-character and repeated groups by index", () => {
    const issues = subjectIssues("jane", ["dev", "", "line\nbreak", "dev"]);
    expect(issues.map((i) => i.property)).toEqual(["organizations[1]", "organizations[2]", "organizations[3]"]);
    expect(issues[2].reason).toContain('"dev"');
  });

  test("rejects a group list that is not a list", () => {
    expect(subjectIssues("jane", "dev")).toEqual([expect.objectContaining({ property: "organizations" })]);
  });

  test("does not judge values not known yet", () => {
    expect(subjectIssues(UNKNOWN, [UNKNOWN, "dev"])).toEqual([]);
  });
});
