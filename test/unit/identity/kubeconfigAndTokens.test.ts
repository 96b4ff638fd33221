// Pure renderers: the kubeconfig a user receives and the apiserver's token.csv.

import { parse } from "yaml";
import { contextName, renderKubeconfig } from "../../../lib/identity/kubeconfig";
import { renderTokenCsv } from "../../../lib/identity/tokenCsv";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("renderKubeconfig", () => {
    test("client certificate user: cluster with CA data, user with cert and key, current context", () => {
        const text = renderKubeconfig({
            clusterName: "kube-test", server: "https://10.0.0.101:6443", caCertificatePem: CA, userName: "test",
            credentials: { clientCertificatePem: "CERT PEM", clientKeyPem: "KEY PEM" },
        });
        expect(parse(text)).toEqual({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "kube-test", cluster: { server: "https://10.0.0.101:6443", "certificate-authority-data": b64(CA) } }],
            users: [{ name: "test", user: { "client-certificate-data": b64("CERT PEM"), "client-key-data": b64("KEY PEM") } }],
            contexts: [{ name: "test@kube-test", context: { cluster: "kube-test", user: "test" } }],
            "current-context": "test@kube-test",
            preferences: {},
        });
    });

    test("token user, with a default namespace", () => {
        const doc = parse(renderKubeconfig({
            clusterName: "kube-test", server: "https://kubeapi.example:6443", caCertificatePem: CA, userName: "wang",
            credentials: { token: "abcdef.0123456789abcdef" }, namespace: "dev",
        }));
        expect(doc.users).toEqual([{ name: "wang", user: { token: "abcdef.0123456789abcdef" } }]);
        expect(doc.contexts[0].context).toEqual({ cluster: "kube-test", user: "wang", namespace: "dev" });
        expect(doc["current-context"]).toBe(contextName("wang", "kube-test"));
    });

    test("long values are never folded (kubectl reads one line per value)", () => {
        const longCa = `-----BEGIN CERTIFICATE-----\n${"A".repeat(2000)}\n-----END CERTIFICATE-----\n`;
        const text = renderKubeconfig({
            clusterName: "c", server: "https://h:6443", caCertificatePem: longCa, userName: "u", credentials: { token: "t" },
        });
        expect(text).toContain(`certificate-authority-data: ${b64(longCa)}\n`);
    });

    test("refuses plain http and a CA that is not PEM", () => {
        const base = { clusterName: "c", caCertificatePem: CA, userName: "u", credentials: { token: "t" } };
        expect(() => renderKubeconfig({ ...base, server: "http://h:6443" })).toThrow(/https/);
        expect(() => renderKubeconfig({ ...base, server: "https://h:6443", caCertificatePem: "nope" })).toThrow(/PEM/);
    });
});

describe("renderTokenCsv", () => {
    const wang = { token: "fd9745.e454c4f5f57bd54b", user: "wang", uid: "1001", groups: ["dev", "ops"] };
    const test1 = { token: "1a2dab.6895748fd9e46182", user: "test", uid: "1002", groups: ["dev"] };

    test("one line per user: token,user,uid,\"group1,group2\"", () => {
        expect(renderTokenCsv([wang, test1])).toBe(
            'fd9745.e454c4f5f57bd54b,wang,1001,"dev,ops"\n1a2dab.6895748fd9e46182,test,1002,"dev"\n');
    });

    test("the group column is left out when a user has no group", () => {
        expect(renderTokenCsv([{ ...wang, groups: [] }])).toBe("fd9745.e454c4f5f57bd54b,wang,1001\n");
    });

    test("refuses values that would break the CSV, without echoing the token", () => {
        expect(() => renderTokenCsv([{ ...wang, user: "wang,admin" }])).toThrow(/user "wang,admin" of entry 0/);
        expect(() => renderTokenCsv([{ ...wang, groups: ['dev"'] }])).toThrow(/group/);
        let message = "";
        try { renderTokenCsv([{ ...wang, token: "NOT-A-TOKEN-secret" }]); } catch (e) { message = (e as Error).message; }
        expect(message).toMatch(/not in the \[a-z0-9\]\{6\}/);
        expect(message).not.toContain("NOT-A-TOKEN-secret");
    });

    test("refuses duplicate users and uids", () => {
        expect(() => renderTokenCsv([wang, { ...test1, user: "wang" }])).toThrow(/user wang appears twice/);
        expect(() => renderTokenCsv([wang, { ...test1, uid: "1001" }])).toThrow(/uid 1001 appears twice/);
    });
});
