// The control-plane patch on kubeadm-shaped manifests: exactly the flags, mounts and volumes asked for change,
// nothing else; applying twice changes nothing; reverting against the original gives it back byte for byte, and
// after an upgrade keeps what the upgrade changed. Values stay data.

import { parse } from "yaml";
import { ControlPlaneComponent } from "../../../lib/controlPlane/components";
import {
    applyManifestPatch, removeManifestPatch, resolveManifestFlags, revertManifestChanges, revertManifestPatch,
} from "../../../lib/controlPlane/manifestPatch";
import { checkComponentPatch, componentPatch, ComponentPatch, mergeControlPlanePatches, resolveFlags } from "../../../lib/controlPlane/patchModel";
import { componentHealthUrl, readStaticPod } from "../../../lib/controlPlane/staticPodManifest";
import { APISERVER, CONTROLLER_MANAGER, MANIFESTS, SCHEDULER } from "./fixtures";

/** Lines of `after` that are not in `before` (and checks every line of `before` is still there, in order). */
function changedLines(before: string, after: string): { added: string[]; removed: string[] } {
    const a = before.split("\n");
    const b = after.split("\n");
    // Longest common subsequence, small inputs.
    const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
    for (let i = a.length - 1; i >= 0; i--) {
        for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
    const added: string[] = [];
    const removed: string[] = [];
    let i = 0, j = 0;
    while (i < a.length || j < b.length) {
        if (i < a.length && j < b.length && a[i] === b[j]) { i++; j++; }
        else if (j < b.length && (i === a.length || lcs[i][j + 1] >= lcs[i + 1][j])) added.push(b[j++]);
        else removed.push(a[i++]);
    }
    return { added, removed };
}

const AUDIT_DIR = "/etc/kubernetes/hardening";
const LOG_DIR = "/var/log/kubernetes/audit";

const HARDENING: ComponentPatch = componentPatch({
    flags: {
        "audit-policy-file": `${AUDIT_DIR}/audit-policy.yaml`,
        "audit-log-path": `${LOG_DIR}/audit.log`,
        "profiling": "false",
        "authorization-mode": "Node,RBAC",
        "tls-min-version": "VersionTLS12",
    },
    listFlags: { "enable-admission-plugins": { add: ["NodeRestriction", "AlwaysPullImages"], remove: [] } },
    removeFlags: ["enable-bootstrap-token-auth"],
    directories: [{ path: AUDIT_DIR, mode: "0700", owner: "root:root" }, { path: LOG_DIR, mode: "0700", owner: "root:root" }],
    files: [{ path: `${AUDIT_DIR}/audit-policy.yaml`, mode: "0600", owner: "root:root", content: "kind: Policy\n" }],
    mounts: [
        { name: "kb-hardening", hostPath: AUDIT_DIR, mountPath: AUDIT_DIR, readOnly: true, type: "DirectoryOrCreate" },
        { name: "kb-audit-log", hostPath: LOG_DIR, mountPath: LOG_DIR, readOnly: false, type: "DirectoryOrCreate" },
    ],
});

describe("applyManifestPatch on kubeadm's kube-apiserver manifest", () => {
    const patched = applyManifestPatch(APISERVER, "kube-apiserver", HARDENING);
    const view = readStaticPod(patched, "kube-apiserver");

    test("sets, merges and removes the flags, and mounts the directories", () => {
        expect(view.flags.get("audit-policy-file")).toBe("/etc/kubernetes/hardening/audit-policy.yaml");
        expect(view.flags.get("profiling")).toBe("false");
        expect(view.flags.get("enable-admission-plugins")).toBe("NodeRestriction,AlwaysPullImages");
        expect(view.flags.has("enable-bootstrap-token-auth")).toBe(false);
        expect(view.mounts).toContainEqual({ name: "kb-hardening", mountPath: AUDIT_DIR, readOnly: true });
        expect(view.mounts).toContainEqual({ name: "kb-audit-log", mountPath: LOG_DIR, readOnly: false });
        expect(view.volumes).toContainEqual({ name: "kb-audit-log", hostPath: LOG_DIR, type: "DirectoryOrCreate" });
    });

    test("changes only those lines, new flags in kubeadm's sorted order, an unchanged flag left alone", () => {
        expect(changedLines(APISERVER, patched)).toEqual({
            added: [
                "    - --audit-log-path=/var/log/kubernetes/audit/audit.log",
                "    - --audit-policy-file=/etc/kubernetes/hardening/audit-policy.yaml",
                "    - --enable-admission-plugins=NodeRestriction,AlwaysPullImages",
                "    - --profiling=false",
                "    - --tls-min-version=VersionTLS12",
                "    - mountPath: /etc/kubernetes/hardening",
                "      name: kb-hardening",
                "      readOnly: true",
                "    - mountPath: /var/log/kubernetes/audit",
                "      name: kb-audit-log",
                "  - hostPath:",
                "      path: /etc/kubernetes/hardening",
                "      type: DirectoryOrCreate",
                "    name: kb-hardening",
                "  - hostPath:",
                "      path: /var/log/kubernetes/audit",
                "      type: DirectoryOrCreate",
                "    name: kb-audit-log",
            ],
            removed: ["    - --enable-admission-plugins=NodeRestriction", "    - --enable-bootstrap-token-auth=true"],
        });
        const flags = view.command.slice(1);
        expect(flags.slice(0, 5)).toEqual([
            "--advertise-address=10.0.0.101", "--allow-privileged=true", "--audit-log-path=/var/log/kubernetes/audit/audit.log",
            "--audit-policy-file=/etc/kubernetes/hardening/audit-policy.yaml", "--authorization-mode=Node,RBAC",
        ]);
        expect(flags[flags.length - 1]).toBe("--tls-private-key-file=/etc/kubernetes/pki/apiserver.key");
    });

    test("is idempotent", () => {
        expect(applyManifestPatch(patched, "kube-apiserver", HARDENING)).toBe(patched);
    });

    test("reverting against the original gives it back byte for byte", () => {
        expect(revertManifestPatch(patched, APISERVER, "kube-apiserver", HARDENING)).toBe(APISERVER);
        expect(revertManifestPatch(APISERVER, APISERVER, "kube-apiserver", HARDENING)).toBe(APISERVER);
    });

    test("reverting after an upgrade keeps the upgrade and puts back only what the patch touched", () => {
        // kubeadm upgrade: new image, flags regenerated (ours appended after kubeadm's sorted ones).
        const upgraded = patched.replace("kube-apiserver:v1.35.4", "kube-apiserver:v1.36.0")
            .replace("    - --profiling=false\n", "").replace("    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key\n",
                "    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key\n    - --profiling=false\n");
        const reverted = revertManifestPatch(upgraded, APISERVER, "kube-apiserver", HARDENING);
        const after = readStaticPod(reverted, "kube-apiserver");
        expect(after.image).toBe("registry.k8s.io/kube-apiserver:v1.36.0");
        expect(after.flags).toEqual(readStaticPod(APISERVER, "kube-apiserver").flags);
        expect(after.mounts).toEqual(readStaticPod(APISERVER, "kube-apiserver").mounts);
        expect(after.volumes).toEqual(readStaticPod(APISERVER, "kube-apiserver").volumes);
    });

    test("a changed flag kubeadm moved after its own flags goes back to its original place", () => {
        // kubeadm writes extraArgs after its sorted flags: --enable-admission-plugins (changed) ends up last.
        const upgraded = patched.replace("kube-apiserver:v1.35.4", "kube-apiserver:v1.36.0")
            .replace("    - --enable-admission-plugins=NodeRestriction,AlwaysPullImages\n", "")
            .replace("    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key\n",
                "    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key\n    - --enable-admission-plugins=NodeRestriction,AlwaysPullImages\n");
        expect(revertManifestPatch(upgraded, APISERVER, "kube-apiserver", HARDENING))
            .toBe(APISERVER.replace("kube-apiserver:v1.35.4", "kube-apiserver:v1.36.0"));
        expect(revertManifestChanges(upgraded, APISERVER, patched, "kube-apiserver"))
            .toBe(APISERVER.replace("kube-apiserver:v1.35.4", "kube-apiserver:v1.36.0"));
    });

    test("a patch that only adds is removed exactly by removeManifestPatch", () => {
        const addOnly = componentPatch({ ...HARDENING, listFlags: {}, removeFlags: [], flags: { "audit-log-path": `${LOG_DIR}/audit.log` } });
        const withAudit = applyManifestPatch(APISERVER, "kube-apiserver", addOnly);
        expect(removeManifestPatch(withAudit, "kube-apiserver", addOnly)).toBe(APISERVER);
    });
});

describe("the same patch on the other components and shapes", () => {
    test.each([
        ["kube-controller-manager", CONTROLLER_MANAGER],
        ["kube-scheduler", SCHEDULER],
    ] as Array<[ControlPlaneComponent, string]>)("%s: profiling off, reverted byte for byte", (component, manifest) => {
        const patch = componentPatch({ flags: { profiling: "false", "bind-address": "127.0.0.1" } });
        const patched = applyManifestPatch(manifest, component, patch);
        expect(changedLines(manifest, patched)).toEqual({ added: ["    - --profiling=false"], removed: [] });
        expect(revertManifestPatch(patched, manifest, component, patch)).toBe(manifest);
    });

    test("a manifest without volumes gets both lists, indented like its own keys; CRLF is kept", () => {
        const bare = "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: kube-scheduler\r\nspec:\r\n    containers:\r\n      - name: kube-scheduler\r\n        command:\r\n          - kube-scheduler\r\n          - --v=2\r\n";
        const patched = applyManifestPatch(bare, "kube-scheduler", componentPatch({
            mounts: [{ name: "kb-x", hostPath: "/etc/x", mountPath: "/etc/x", readOnly: true, type: "Directory" }],
        }));
        expect(patched.replace(/\r\n/g, "")).not.toContain("\n");
        expect(parse(patched).spec.volumes).toEqual([{ hostPath: { path: "/etc/x", type: "Directory" }, name: "kb-x" }]);
        expect(parse(patched).spec.containers[0].volumeMounts).toEqual([{ mountPath: "/etc/x", name: "kb-x", readOnly: true }]);
    });

    test("a bare flag (--profiling) is changed in place and comes back bare on revert", () => {
        const manifest = SCHEDULER.replace("    - --leader-elect=true\n", "    - --leader-elect=true\n    - --profiling   # on for debugging\n");
        const patch = componentPatch({ flags: { profiling: "false" } });
        const patched = applyManifestPatch(manifest, "kube-scheduler", patch);
        expect(patched).toContain("    - --profiling=false   # on for debugging\n");
        expect(revertManifestPatch(patched.replace("v1.35.4", "v1.35.5"), manifest, "kube-scheduler", patch))
            .toBe(manifest.replace("v1.35.4", "v1.35.5"));
    });
});

describe("values stay data", () => {
    test.each([
        ["a command substitution", "$(touch /tmp/kb-pwned)"],
        ["backticks", "`id`"],
        ["quotes", `it's "quoted"`],
        ["a colon and space (YAML syntax)", "a: b"],
        ["a hash after a blank (a YAML comment)", "x #y"],
        ["a leading dash", "-x"],
        ["a YAML boolean", "true"],
    ])("%s ends up in the command exactly as given", (_what, value) => {
        const patched = applyManifestPatch(APISERVER, "kube-apiserver", componentPatch({ flags: { "service-node-port-range": value } }));
        expect(parse(patched).spec.containers[0].command).toContain(`--service-node-port-range=${value}`);
        expect(applyManifestPatch(patched, "kube-apiserver", componentPatch({ flags: { "service-node-port-range": value } }))).toBe(patched);
    });

    test("a value with a newline is refused before anything is written", () => {
        expect(() => applyManifestPatch(APISERVER, "kube-apiserver", componentPatch({ flags: { "v": "2\n- --anonymous-auth=true" } })))
            .toThrow(/--v must be one line of text/);
    });
});

describe("refusals", () => {
    test.each([
        ["an owned flag set to something else", APISERVER.replace("    - --secure-port", "    - --token-auth-file=/root/t.csv\n    - --secure-port"),
            componentPatch({ flags: { "token-auth-file": "/etc/kubernetes/auth/token.csv" }, ownedFlags: ["token-auth-file"] }),
            /already has --token-auth-file=\/root\/t.csv; refusing to replace/],
        ["a conflicting flag", APISERVER.replace("    - --secure-port", "    - --oidc-issuer-url=https://idp\n    - --secure-port"),
            componentPatch({ flags: { "authentication-config": "/etc/a.yaml" }, conflictingFlags: ["oidc-issuer-url"] }),
            /has --oidc-issuer-url, which cannot be used together with --authentication-config/],
        ["a flag given twice", APISERVER.replace("    - --secure-port", "    - --profiling=true\n    - --profiling=true\n    - --secure-port"),
            componentPatch({ flags: { profiling: "false" } }), /--profiling more than once/],
        ["a hand-made mount of the same path", APISERVER,
            componentPatch({ mounts: [{ name: "kb-pki", hostPath: "/etc/kubernetes/pki", mountPath: "/etc/kubernetes/pki", readOnly: true, type: "Directory" }] }),
            /already mounts \/etc\/kubernetes\/pki \(volume k8s-certs\)/],
        ["a volume of that name with another path", APISERVER,
            componentPatch({ mounts: [{ name: "k8s-certs", hostPath: "/etc/other", mountPath: "/etc/kubernetes/pki", readOnly: true, type: "Directory" }] }),
            /already has a volume named k8s-certs that is not the hostPath \/etc\/other/],
        ["a container with args", APISERVER.replace("    image:", "    args:\n    - --v=2\n    image:"),
            componentPatch({ flags: { profiling: "false" } }), /uses args/],
    ])("%s", (_what, manifest, patch, error) => {
        expect(() => applyManifestPatch(manifest, "kube-apiserver", patch)).toThrow(error);
    });

    test("repeated flags the patch does not touch are fine", () => {
        const manifest = APISERVER.replace("    - --secure-port", "    - --tls-sni-cert-key=a,b\n    - --tls-sni-cert-key=c,d\n    - --secure-port");
        expect(readStaticPod(applyManifestPatch(manifest, "kube-apiserver", componentPatch({ flags: { profiling: "false" } })), "kube-apiserver")
            .command.filter(c => c.startsWith("--tls-sni-cert-key"))).toHaveLength(2);
    });
});

describe("checkComponentPatch", () => {
    const dir = { path: "/etc/kb", mode: "0700", owner: "root:root" };
    const mount = { name: "kb", hostPath: "/etc/kb", mountPath: "/etc/kb", readOnly: true, type: "DirectoryOrCreate" as const };
    const file = { path: "/etc/kb/f.yaml", mode: "0600", owner: "root:root", content: "x" };
    test.each([
        ["a flag name with dashes in front", { flags: { "--v": "2" } }, /flag name "--v" is not a plain flag name/],
        ["a flag both set and removed", { flags: { v: "2" }, removeFlags: ["v"] }, /--v is both set and removed/],
        ["a list entry with a comma", { listFlags: { "enable-admission-plugins": { add: ["A,B"], remove: [] } } }, /entry "A,B"/],
        ["a mode that is not octal", { directories: [{ ...dir, mode: "700" }] }, /mode must be four octal digits/],
        ["an owner with a space", { directories: [{ ...dir, owner: "root root" }] }, /owner must be "user:group"/],
        ["a relative path", { directories: [{ ...dir, path: "etc/kb" }] }, /plain absolute path/],
        ["a path with ..", { directories: [{ ...dir, path: "/etc/../kb" }] }, /plain absolute path/],
        ["a file whose directory is not listed", { files: [file], mounts: [mount] }, /its directory \/etc\/kb must be listed/],
        ["a file no mount shows the component", { directories: [dir], files: [file] }, /not inside any volume mounted into kube-apiserver/],
        ["a volume name with capitals", { mounts: [{ ...mount, name: "KB" }] }, /RFC 1123/],
        ["an unknown hostPath type", { mounts: [{ ...mount, type: "Socket" as never }] }, /hostPath type must be one of/],
        ["an owned flag the patch does not set", { ownedFlags: ["token-auth-file"] }, /owned flag --token-auth-file is not set/],
    ] as Array<[string, Partial<ComponentPatch>, RegExp]>)("refuses %s", (_what, partial, error) => {
        expect(() => checkComponentPatch("kube-apiserver", componentPatch(partial))).toThrow(error);
    });

    test("accepts a well-formed patch", () => {
        expect(() => checkComponentPatch("kube-apiserver", componentPatch({ directories: [dir], files: [file], mounts: [mount] }))).not.toThrow();
    });
});

describe("mergeControlPlanePatches", () => {
    const a = { "kube-apiserver": componentPatch({ flags: { profiling: "false" }, listFlags: { "enable-admission-plugins": { add: ["NodeRestriction"], remove: [] } } }) };
    test("combines compatible patches", () => {
        const merged = mergeControlPlanePatches(a, {
            "kube-apiserver": componentPatch({ flags: { profiling: "false", "audit-log-maxage": "30" }, listFlags: { "enable-admission-plugins": { add: ["AlwaysPullImages"], remove: ["AlwaysAdmit"] } } }),
            "kube-scheduler": componentPatch({ flags: { profiling: "false" } }),
        });
        expect(merged["kube-apiserver"]!.flags).toEqual({ profiling: "false", "audit-log-maxage": "30" });
        expect(merged["kube-apiserver"]!.listFlags).toEqual({ "enable-admission-plugins": { add: ["NodeRestriction", "AlwaysPullImages"], remove: ["AlwaysAdmit"] } });
        expect(Object.keys(merged)).toEqual(["kube-apiserver", "kube-scheduler"]);
    });
    test.each([
        ["one flag, two values", { "kube-apiserver": componentPatch({ flags: { profiling: "true" } }) }, /--profiling=false and --profiling=true/],
        ["a list entry added and removed", { "kube-apiserver": componentPatch({ listFlags: { "enable-admission-plugins": { add: [], remove: ["NodeRestriction"] } } }) }, /NodeRestriction both added and removed/],
        ["a flag set and removed", { "kube-apiserver": componentPatch({ removeFlags: ["profiling"] }) }, /--profiling is both set and removed/],
    ] as Array<[string, Record<string, ComponentPatch>, RegExp]>)("refuses %s", (_what, b, error) => {
        expect(() => mergeControlPlanePatches(a, b)).toThrow(error);
    });
    test("refuses two settings writing one file or mounting one path under two names", () => {
        const dir = { path: "/etc/kb", mode: "0700", owner: "root:root" };
        const mount = { name: "kb", hostPath: "/etc/kb", mountPath: "/etc/kb", readOnly: true, type: "DirectoryOrCreate" as const };
        const file = (content: string) => ({ "kube-apiserver": componentPatch({ directories: [dir], mounts: [mount], files: [{ path: "/etc/kb/a", mode: "0600", owner: "root:root", content }] }) });
        expect(() => mergeControlPlanePatches(file("1"), file("2"))).toThrow(/both write \/etc\/kb\/a/);
        expect(mergeControlPlanePatches(file("1"), file("1"))["kube-apiserver"]!.files).toHaveLength(1);
        expect(() => mergeControlPlanePatches(file("1"), { "kube-apiserver": componentPatch({ mounts: [{ ...mount, name: "other" }] }) }))
            .toThrow(/\/etc\/kb is mounted as kb and as other/);
        expect(() => mergeControlPlanePatches(file("1"), { "kube-apiserver": componentPatch({ directories: [{ ...dir, mode: "0755" }] }) }))
            .toThrow(/directory \/etc\/kb wanted as 0700 root:root and as 0755 root:root/);
    });
});

describe("resolveFlags: list flags merge with what the manifest lists", () => {
    test.each([
        ["adds to the list kubeadm wrote", "NodeRestriction", { add: ["NodeRestriction", "AlwaysPullImages"], remove: [] }, { set: "NodeRestriction,AlwaysPullImages" }],
        ["keeps a hand-added plugin", "NodeRestriction,PodNodeSelector", { add: ["AlwaysPullImages"], remove: [] }, { set: "NodeRestriction,PodNodeSelector,AlwaysPullImages" }],
        ["takes out what is removed", "NodeRestriction,AlwaysAdmit", { add: [], remove: ["AlwaysAdmit"] }, { set: "NodeRestriction" }],
        ["removes a flag whose list ends empty", "AlwaysAdmit", { add: [], remove: ["AlwaysAdmit"] }, { removed: true }],
        ["sets a flag that was not there", undefined, { add: ["NodeRestriction"], remove: [] }, { set: "NodeRestriction" }],
        ["leaves alone a flag that was not there and stays empty", undefined, { add: [], remove: ["AlwaysAdmit"] }, {}],
    ] as Array<[string, string | undefined, { add: string[]; remove: string[] }, { set?: string; removed?: boolean }]>)("%s", (_what, current, change, expected) => {
        const flags = new Map<string, string | undefined>(current === undefined ? [] : [["enable-admission-plugins", current]]);
        const r = resolveFlags(flags, componentPatch({ listFlags: { "enable-admission-plugins": change } }));
        expect(r.set["enable-admission-plugins"]).toBe(expected.set);
        expect(r.remove.includes("enable-admission-plugins")).toBe(expected.removed === true);
    });

    test("resolveManifestFlags reads the manifest's own list", () => {
        expect(resolveManifestFlags(APISERVER, "kube-apiserver", HARDENING).set["enable-admission-plugins"]).toBe("NodeRestriction,AlwaysPullImages");
    });
});

describe("componentHealthUrl", () => {
    test.each([
        ["kube-apiserver", "https://10.0.0.101:6443/readyz"],
        ["kube-controller-manager", "https://127.0.0.1:10257/healthz"],
        ["kube-scheduler", "https://127.0.0.1:10259/readyz"],
    ] as Array<[ControlPlaneComponent, string]>)("%s: from kubeadm's probe on its named port", (component, url) => {
        expect(componentHealthUrl(MANIFESTS[component], component)).toBe(url);
    });
    test("falls back to the flags, then kubeadm's defaults", () => {
        const noProbes = (t: string) => t.replace(/    (liveness|readiness|startup)Probe:\n(      .*\n)+/g, "");
        expect(componentHealthUrl(noProbes(APISERVER), "kube-apiserver")).toBe("https://10.0.0.101:6443/readyz");
        expect(componentHealthUrl(noProbes(CONTROLLER_MANAGER).replace("--bind-address=127.0.0.1", "--bind-address=0.0.0.0"), "kube-controller-manager"))
            .toBe("https://127.0.0.1:10257/healthz");
    });
});

test("mergeControlPlanePatches: a file belongs to one component", () => {
    const dir = { path: "/etc/kb", mode: "0700", owner: "root:root" };
    const mount = { name: "kb", hostPath: "/etc/kb", mountPath: "/etc/kb", readOnly: true, type: "DirectoryOrCreate" as const };
    const p = componentPatch({ directories: [dir], mounts: [mount], files: [{ path: "/etc/kb/a", mode: "0600", owner: "root:root", content: "x" }] });
    expect(() => mergeControlPlanePatches({ "kube-apiserver": p }, { "kube-scheduler": p })).toThrow(/\/etc\/kb\/a is written for both kube-apiserver and kube-scheduler/);
});
