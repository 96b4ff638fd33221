// The kube-apiserver manifest patch on kubeadm-shaped and hand-edited manifests: adds exactly the flag, mount and
// volume, is idempotent, and unpatch restores the original byte for byte.

import { parse } from "yaml";
import {
    apiserverReadyzUrl, hasTokenAuthFlag, patchApiserverManifest, tokenAuthFlag, unpatchApiserverManifest,
} from "../../../lib/identity/apiserverManifest";
import { APISERVER } from "../controlPlane/fixtures";
import { EDITED_APISERVER_MANIFEST, KUBEADM_APISERVER_MANIFEST, TOKEN_PATCH } from "./fixtures";

/** Lines of `after` that are not in `before`, assuming `after` only inserted lines. */
function insertedLines(before: string, after: string): string[] {
    const a = before.split("\n");
    const b = after.split("\n");
    const inserted: string[] = [];
    let i = 0;
    for (const line of b) {
        if (i < a.length && a[i] === line) i++;
        else inserted.push(line);
    }
    expect(i).toBe(a.length); // every original line is still there, in order
    return inserted;
}

function apiserverContainer(text: string) {
    const pod = parse(text);
    return { pod, container: pod.spec.containers.find((c: { name: string }) => c.name === "kube-apiserver") };
}

// The shapes of two kubeadm versions: v1.30 (probes on the port number) and v1.35, which the sandbox runs (a named probe port).
describe.each([
    ["v1.30", KUBEADM_APISERVER_MANIFEST],
    ["v1.35", APISERVER],
])("patchApiserverManifest on a kubeadm %s manifest", (_version, original) => {
    const patched = patchApiserverManifest(original, TOKEN_PATCH);

    test("adds the flag, a read-only mount of the token directory and its hostPath volume", () => {
        const { pod, container } = apiserverContainer(patched);
        expect(container.command).toContain("--token-auth-file=/etc/kubernetes/auth/token.csv");
        expect(container.volumeMounts).toContainEqual({ mountPath: "/etc/kubernetes/auth", name: "kube-baseline-static-tokens", readOnly: true });
        expect(pod.spec.volumes).toContainEqual({
            hostPath: { path: "/etc/kubernetes/auth", type: "DirectoryOrCreate" }, name: "kube-baseline-static-tokens",
        });
    });

    test("changes nothing else: only whole lines are inserted, in kubeadm's own style", () => {
        expect(insertedLines(original, patched)).toEqual([
            "    - --token-auth-file=/etc/kubernetes/auth/token.csv",
            "    - mountPath: /etc/kubernetes/auth",
            "      name: kube-baseline-static-tokens",
            "      readOnly: true",
            "  - hostPath:",
            "      path: /etc/kubernetes/auth",
            "      type: DirectoryOrCreate",
            "    name: kube-baseline-static-tokens",
        ]);
        const before = apiserverContainer(original);
        const after = apiserverContainer(patched);
        expect(after.container.command.filter((f: string) => !f.startsWith("--token-auth-file"))).toEqual(before.container.command);
        expect({ ...after.pod, spec: { ...after.pod.spec, containers: [], volumes: [] } })
            .toEqual({ ...before.pod, spec: { ...before.pod.spec, containers: [], volumes: [] } });
    });

    test("is idempotent", () => {
        expect(patchApiserverManifest(patched, TOKEN_PATCH)).toBe(patched);
    });

    test("unpatch gives back the original byte for byte", () => {
        expect(unpatchApiserverManifest(patched, TOKEN_PATCH)).toBe(original);
        expect(unpatchApiserverManifest(original, TOKEN_PATCH)).toBe(original);
    });

    test("hasTokenAuthFlag tells patched from original", () => {
        expect(hasTokenAuthFlag(patched, TOKEN_PATCH.tokenFile)).toBe(true);
        expect(hasTokenAuthFlag(original, TOKEN_PATCH.tokenFile)).toBe(false);
    });
});

describe("patchApiserverManifest on hand-edited manifests", () => {
    test("keeps comments, inserts the flag in sorted position and adds missing volume lists", () => {
        const patched = patchApiserverManifest(EDITED_APISERVER_MANIFEST, TOKEN_PATCH);
        expect(insertedLines(EDITED_APISERVER_MANIFEST, patched)).toEqual([
            "        - --token-auth-file=/etc/kubernetes/auth/token.csv",
            "      volumeMounts:",
            "      - mountPath: /etc/kubernetes/auth",
            "        name: kube-baseline-static-tokens",
            "        readOnly: true",
            "  volumes:",
            "  - hostPath:",
            "      path: /etc/kubernetes/auth",
            "      type: DirectoryOrCreate",
            "    name: kube-baseline-static-tokens",
        ]);
        const { pod, container } = apiserverContainer(patched);
        expect(container.command).toEqual([
            "kube-apiserver", "--authorization-mode=Node,RBAC", "--secure-port=6444", tokenAuthFlag(TOKEN_PATCH.tokenFile), "--v=2",
        ]);
        expect(container.volumeMounts).toHaveLength(1);
        expect(pod.spec.volumes).toHaveLength(1);
        expect(patched).toContain("# probes removed on purpose");
        expect(unpatchApiserverManifest(patched, TOKEN_PATCH)).toBe(EDITED_APISERVER_MANIFEST);
        expect(patchApiserverManifest(patched, TOKEN_PATCH)).toBe(patched);
    });

    test("round-trips a manifest that ends without a newline right after the volumes", () => {
        const noFinalNewline = KUBEADM_APISERVER_MANIFEST.replace(/status: \{\}\n$/, "").replace(/\n$/, "");
        const patched = patchApiserverManifest(noFinalNewline, TOKEN_PATCH);
        expect(patched.endsWith("    name: kube-baseline-static-tokens")).toBe(true);
        expect(parse(patched).spec.volumes).toHaveLength(6);
        expect(unpatchApiserverManifest(patched, TOKEN_PATCH)).toBe(noFinalNewline);
    });

    test("keeps CRLF line endings", () => {
        const crlf = KUBEADM_APISERVER_MANIFEST.replace(/\n/g, "\r\n");
        const patched = patchApiserverManifest(crlf, TOKEN_PATCH);
        expect(patched.replace(/\r\n/g, "")).not.toContain("\n");
        expect(unpatchApiserverManifest(patched, TOKEN_PATCH)).toBe(crlf);
    });

    test("refuses a token file flag it does not own", () => {
        const other = KUBEADM_APISERVER_MANIFEST.replace("    - --tls-cert-file", "    - --token-auth-file=/root/tokens.csv\n    - --tls-cert-file");
        expect(() => patchApiserverManifest(other, TOKEN_PATCH)).toThrow(/already has --token-auth-file=\/root\/tokens.csv/);
    });

    test("refuses a hand-made mount of the same directory (two mounts of one path are invalid)", () => {
        const manual = KUBEADM_APISERVER_MANIFEST.replace("  hostNetwork: true",
            "    - mountPath: /etc/kubernetes/auth\n      name: static-auth-token\n      readOnly: true\n  hostNetwork: true");
        expect(() => patchApiserverManifest(manual, TOKEN_PATCH)).toThrow(/already mounts \/etc\/kubernetes\/auth/);
    });

    test("rejects flow-style lists, non-pods and broken YAML with clear errors", () => {
        expect(() => patchApiserverManifest(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --v=2]\n", TOKEN_PATCH,
        )).toThrow(/flow-style/);
        expect(() => patchApiserverManifest("apiVersion: v1\nkind: Service\nspec: {}\n", TOKEN_PATCH)).toThrow(/not a Pod/);
        expect(() => patchApiserverManifest("kind: Pod\nspec: [\n", TOKEN_PATCH)).toThrow(/not valid YAML/);
        expect(() => patchApiserverManifest(KUBEADM_APISERVER_MANIFEST, { ...TOKEN_PATCH, tokenFile: "auth/token.csv" })).toThrow(/absolute/);
    });
});

describe("apiserverReadyzUrl", () => {
    test("uses kubeadm's readiness probe, on its port number or its named port", () => {
        expect(apiserverReadyzUrl(KUBEADM_APISERVER_MANIFEST)).toBe("https://10.0.0.101:6443/readyz");
        expect(apiserverReadyzUrl(APISERVER)).toBe("https://10.0.0.101:6443/readyz");
    });
    test("falls back to the flags, then to localhost:6443", () => {
        expect(apiserverReadyzUrl(EDITED_APISERVER_MANIFEST)).toBe("https://127.0.0.1:6444/readyz");
        expect(apiserverReadyzUrl("kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    command:\n    - kube-apiserver\n"))
            .toBe("https://127.0.0.1:6443/readyz");
    });
});
