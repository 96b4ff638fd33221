// The node scripts run for real against a fake node (fakeNode.ts): files with their modes and owners, the
// compare-and-swap of the manifest, the backup, the restart when only files change, the wait for the *new*
// process, the rollback on timeout, the byte-for-byte restore, the directory rule, and values that stay data.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "fs";
import { applyManifestPatch } from "../../../lib/controlPlane/manifestPatch";
import { applyPatchScript, backupPath, commandArgsSha256, ManifestState, OWNED_DIRECTORY_MARKER, parseManifestState, readManifestStateScript, renderApplyStdin, restorePatchScript } from "../../../lib/controlPlane/nodeScripts";
import { sha256Hex } from "../../../lib/hash";
import { planManifestUpdate } from "../../../lib/controlPlane/manifestUpdate";
import { componentPatch, ComponentPatch, ManagedFile } from "../../../lib/controlPlane/patchModel";
import { readStaticPod } from "../../../lib/controlPlane/staticPodManifest";
import { CONFIG_DIR, FakeNode, makeFakeNode } from "./fakeNode";
import { APISERVER } from "./fixtures";

const OWNER = `${process.getuid!()}:${process.getgid!()}`;
const nodes: FakeNode[] = [];
afterAll(() => nodes.forEach(n => n.stop()));
function node(manifest = APISERVER, options: { noticeMs?: number } = {}): FakeNode {
    const n = makeFakeNode(manifest, options);
    nodes.push(n);
    return n;
}

const HEALTH = { url: "https://10.0.0.101:6443/readyz", timeoutSeconds: 6, intervalSeconds: 1 };

/** A patch of the fake node's kube-apiserver: an audit policy (plain), a key file (secret), a log directory. */
function hardening(n: FakeNode, opts: { policy?: string; key?: string; extraFlag?: string } = {}): ComponentPatch {
    const config = `${n.root}${CONFIG_DIR}`;
    const logs = `${n.root}/var/log/kubernetes/audit`;
    const files: ManagedFile[] = [
        { path: `${config}/audit-policy.yaml`, mode: "0600", owner: OWNER, content: opts.policy ?? "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n" },
        { path: `${config}/encryption.yaml`, mode: "0600", owner: OWNER, content: opts.key ?? "secret: c2VjcmV0LWtleQ==\n", secret: true },
    ];
    return componentPatch({
        flags: {
            "audit-policy-file": `${config}/audit-policy.yaml`, "audit-log-path": `${logs}/audit.log`, "profiling": "false",
            ...(opts.extraFlag ? { "service-node-port-range": opts.extraFlag } : {}),
        },
        directories: [{ path: config, mode: "0700", owner: OWNER }, { path: logs, mode: "0700", owner: OWNER }],
        files,
        mounts: [
            { name: "kb-hardening", hostPath: config, mountPath: config, readOnly: true, type: "DirectoryOrCreate" },
            { name: "kb-audit-log", hostPath: logs, mountPath: logs, readOnly: false, type: "DirectoryOrCreate" },
        ],
    });
}

function scripts(n: FakeNode, patch: ComponentPatch, original = APISERVER) {
    const patched = applyManifestPatch(original, "kube-apiserver", patch);
    const paths = { manifestPath: n.manifestPath, stateDirectory: n.stateDirectory, procRoot: n.procRoot };
    return {
        patched,
        stdin: renderApplyStdin(patch.files),
        apply: applyPatchScript({
            node: "cp1", component: "kube-apiserver", paths, originalManifest: original, patchedManifest: patched,
            directories: patch.directories, files: patch.files, health: HEALTH,
        }),
        restore: restorePatchScript({
            node: "cp1", component: "kube-apiserver", paths, originalManifest: original, patchedManifest: patched,
            files: patch.files.map(f => f.path), directories: patch.directories.map(d => d.path), health: HEALTH,
        }),
    };
}

function mode(path: string): number {
    return statSync(path).mode & 0o777;
}

function result(stdout: string) {
    return JSON.parse(stdout.trim().split("\n").pop()!);
}

describe("applyPatchScript", () => {
    test("writes the files, patches the manifest, backs up the original and waits for the component to run it", () => {
        const n = node();
        const patch = hardening(n);
        const s = scripts(n, patch);
        const r = n.run(s.apply, s.stdin);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(result(r.stdout)).toEqual({
            node: "cp1", component: "kube-apiserver", manifestChanged: true, restarted: true,
            filesChanged: [`${n.root}${CONFIG_DIR}/audit-policy.yaml`, `${n.root}${CONFIG_DIR}/encryption.yaml`],
        });
        expect(readFileSync(n.manifestPath, "utf8")).toBe(s.patched);
        expect(mode(n.manifestPath)).toBe(0o600);
        expect(readFileSync(backupPath(n), "utf8")).toBe(APISERVER);
        for (const f of patch.files) {
            expect(readFileSync(f.path, "utf8")).toBe(f.content);
            expect(mode(f.path)).toBe(0o600);
        }
        expect(mode(`${n.root}${CONFIG_DIR}`)).toBe(0o700);
        expect(mode(`${n.root}/var/log/kubernetes/audit`)).toBe(0o700);
        expect(mode(n.stateDirectory)).toBe(0o700);
        // The component runs the patched manifest, restarted once, and read the files it was given.
        expect(n.runningSha()).toBe(sha256Hex(s.patched));
        expect(n.restarts()).toBe(2);
        expect(n.loaded()[`${n.root}${CONFIG_DIR}/encryption.yaml`]).toBe("secret: c2VjcmV0LWtleQ==\n");
        // No secret in the script or its output; no temp file left.
        expect(s.apply).not.toContain("c2VjcmV0LWtleQ");
        expect(r.stdout + r.stderr).not.toContain("c2VjcmV0LWtleQ");
        // Every directory it made carries its marker; the manifest directory, which it did not make, does not.
        for (const dir of [n.stateDirectory, `${n.root}${CONFIG_DIR}`, `${n.root}/var`, `${n.root}/var/log/kubernetes/audit`]) {
            expect(existsSync(`${dir}/${OWNED_DIRECTORY_MARKER}`)).toBe(true);
        }
        expect(existsSync(`${n.root}/etc/kubernetes/manifests/${OWNED_DIRECTORY_MARKER}`)).toBe(false);
    }, 30000);

    test("again with the same input: nothing changes, nothing restarts", () => {
        const n = node();
        const s = scripts(n, hardening(n));
        expect(n.run(s.apply, s.stdin).code).toBe(0);
        const restarts = n.restarts();
        const r = n.run(s.apply, s.stdin);
        expect(r.code).toBe(0);
        expect(result(r.stdout)).toMatchObject({ manifestChanged: false, filesChanged: [], restarted: false });
        expect(n.restarts()).toBe(restarts);
    }, 30000);

    test("a new secret alone: the file is replaced and the component restarted once to read it", () => {
        const n = node();
        expect(n.run(scripts(n, hardening(n)).apply, scripts(n, hardening(n)).stdin).code).toBe(0);
        const before = n.restarts();
        const s = scripts(n, hardening(n, { key: "secret: bmV3LWtleQ==\n" }));
        const r = n.run(s.apply, s.stdin);
        expect(r.stderr).toBe("");
        expect(result(r.stdout)).toMatchObject({ manifestChanged: false, filesChanged: [`${n.root}${CONFIG_DIR}/encryption.yaml`], restarted: true });
        expect(n.restarts()).toBe(before + 1);
        expect(n.loaded()[`${n.root}${CONFIG_DIR}/encryption.yaml`]).toBe("secret: bmV3LWtleQ==\n");
        expect(readFileSync(n.manifestPath, "utf8")).toBe(s.patched);
        expect(existsSync(`${n.stateDirectory}/kube-apiserver.yaml.parked`)).toBe(false);
    }, 30000);

    test("changed settings: the patch written last is replaced, a file no longer in the patch is removed", () => {
        const n = node();
        const first = hardening(n);
        expect(n.run(scripts(n, first).apply, scripts(n, first).stdin).code).toBe(0);
        const second = componentPatch({ ...first, files: [first.files[0]], flags: { ...first.flags, "profiling": "true" } });
        const s = scripts(n, second);
        const r = n.run(s.apply, s.stdin);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(readFileSync(n.manifestPath, "utf8")).toBe(s.patched);
        expect(readFileSync(backupPath(n), "utf8")).toBe(APISERVER);
        expect(existsSync(first.files[1].path)).toBe(false);
    }, 30000);

    test("compare-and-swap: a manifest edited since it was read is left alone, and nothing is written", () => {
        const n = node();
        const edited = APISERVER.replace("cpu: 250m", "cpu: 500m");
        writeFileSync(n.manifestPath, edited);
        const s = scripts(n, hardening(n));
        const r = n.run(s.apply, s.stdin);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/^kube-baseline: node cp1: kube-apiserver: .*kube-apiserver.yaml changed since it was read .*nothing was written/);
        expect(readFileSync(n.manifestPath, "utf8")).toBe(edited);
        expect(existsSync(`${n.root}${CONFIG_DIR}`)).toBe(false);
        expect(existsSync(n.stateDirectory)).toBe(false);
    }, 30000);

    test("waits for the new process, not the old one still answering (kubelet notices the change late)", () => {
        const n = node(APISERVER, { noticeMs: 2500 });
        const s = scripts(n, hardening(n));
        const r = n.run(s.apply, s.stdin);
        expect(r.code).toBe(0);
        expect(n.runningSha()).toBe(sha256Hex(s.patched));
    }, 30000);

    test("a component that never becomes healthy: bounded wait, clear error, previous manifest and files put back", () => {
        const n = node();
        const good = hardening(n);
        expect(n.run(scripts(n, good).apply, scripts(n, good).stdin).code).toBe(0);
        const bad = hardening(n, { key: "BROKEN\n", extraFlag: "30000-32767" });
        const s = scripts(n, bad);
        const started = Date.now();
        const r = n.run(s.apply, s.stdin);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/node cp1: kube-apiserver: timed out after 6s waiting for kube-apiserver to run the patched manifest and answer https:\/\/10\.0\.0\.101:6443\/readyz; the previous manifest and files were put back, it is healthy again/);
        expect(Date.now() - started).toBeLessThan(25000);
        expect(readFileSync(n.manifestPath, "utf8")).toBe(scripts(n, good).patched);
        expect(readFileSync(good.files[1].path, "utf8")).toBe(good.files[1].content);
        // The record still says what is really there, so a later run or a restore finds it.
        expect(readFileSync(`${n.stateDirectory}/kube-apiserver.yaml.written`, "utf8")).toBe(scripts(n, good).patched);
    }, 40000);

    test("a broken file alone: put back, and the component restarted onto it", () => {
        const n = node();
        const good = hardening(n);
        expect(n.run(scripts(n, good).apply, scripts(n, good).stdin).code).toBe(0);
        const s = scripts(n, hardening(n, { key: "BROKEN\n" }));
        const r = n.run(s.apply, s.stdin);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/the previous manifest and files were put back, it is healthy again/);
        expect(n.loaded()[good.files[1].path]).toBe(good.files[1].content);
    }, 40000);

    test("stdin without the secret: refused before the manifest or any file is touched", () => {
        const n = node();
        const s = scripts(n, hardening(n));
        for (const stdin of ["", "\n"]) {
            const r = n.run(s.apply, stdin);
            expect(r.code).not.toBe(0);
            expect(r.stderr).toMatch(/expected 1 secret file\(s\) on stdin, got 0|secret file 1 of 1 is empty on stdin/);
            expect(readFileSync(n.manifestPath, "utf8")).toBe(APISERVER);
            expect(existsSync(`${n.root}${CONFIG_DIR}`)).toBe(false);
        }
    }, 30000);
});

describe("the directory rule", () => {
    test.each([
        ["another mode", 0o755, undefined],
        ["the asked mode, with someone else's file", 0o700, "someone-elses.txt"],
    ])("a directory kube-baseline did not create (%s): refused, naming node and path, nothing written", (_what, dirMode, file) => {
        const n = node();
        mkdirSync(`${n.root}${CONFIG_DIR}`, { recursive: true, mode: dirMode });
        if (file) writeFileSync(`${n.root}${CONFIG_DIR}/${file}`, "keep me");
        const s = scripts(n, hardening(n));
        const r = n.run(s.apply, s.stdin);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toBe(`kube-baseline: node cp1: kube-apiserver: ${n.root}${CONFIG_DIR} exists and was not created by kube-baseline; refusing to change its mode or owner or to write into it (configure a directory of its own)\n`);
        expect(mode(`${n.root}${CONFIG_DIR}`)).toBe(dirMode);
        expect(readFileSync(n.manifestPath, "utf8")).toBe(APISERVER);
        if (file) expect(readFileSync(`${n.root}${CONFIG_DIR}/${file}`, "utf8")).toBe("keep me");
    }, 30000);

    test("a symbolic link where a directory should be: refused", () => {
        const n = node();
        mkdirSync(`${n.root}/elsewhere`, { mode: 0o700 });
        mkdirSync(`${n.root}/etc/kubernetes`, { recursive: true });
        symlinkSync(`${n.root}/elsewhere`, `${n.root}${CONFIG_DIR}`);
        const s = scripts(n, hardening(n));
        const r = n.run(s.apply, s.stdin);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toBe(`kube-baseline: node cp1: kube-apiserver: ${n.root}${CONFIG_DIR} is a symbolic link; refusing to use it (kube-baseline only manages directories it creates)\n`);
        expect(readFileSync(n.manifestPath, "utf8")).toBe(APISERVER);
    }, 30000);

    test("a directory an earlier kube-baseline left (asked mode and owner, only its own files) is adopted, and removed on restore", () => {
        const n = node();
        mkdirSync(`${n.root}${CONFIG_DIR}`, { recursive: true, mode: 0o700 });
        writeFileSync(`${n.root}${CONFIG_DIR}/audit-policy.yaml`, "old policy");
        // The static-token scripts' state directory from before the marker: the backup and the probe header.
        mkdirSync(n.stateDirectory, { mode: 0o700 });
        writeFileSync(`${n.stateDirectory}/.probe-header`, "x");
        const s = scripts(n, hardening(n));
        const r = n.run(s.apply, s.stdin);
        expect(r.stderr).toBe("");
        expect(existsSync(`${n.root}${CONFIG_DIR}/${OWNED_DIRECTORY_MARKER}`)).toBe(true);
        expect(existsSync(`${n.stateDirectory}/${OWNED_DIRECTORY_MARKER}`)).toBe(true);
        // (The static-token scripts' destroy removed the probe header; this patch does not write one.)
        rmSync(`${n.stateDirectory}/.probe-header`);
        expect(n.run(s.restore).code).toBe(0);
        expect(existsSync(`${n.root}${CONFIG_DIR}`)).toBe(false);
        expect(existsSync(`${n.root}/var/log/kubernetes`)).toBe(false);
    }, 30000);
});

describe("restorePatchScript", () => {
    test("puts the original back byte for byte, waits for it, removes files and the directories it made", () => {
        const n = node();
        const s = scripts(n, hardening(n));
        expect(n.run(s.apply, s.stdin).code).toBe(0);
        const r = n.run(s.restore);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(result(r.stdout)).toEqual({ node: "cp1", component: "kube-apiserver", restored: true });
        expect(readFileSync(n.manifestPath, "utf8")).toBe(APISERVER);
        expect(mode(n.manifestPath)).toBe(0o600);
        expect(n.runningSha()).toBe(sha256Hex(APISERVER));
        for (const gone of [`${n.root}${CONFIG_DIR}`, `${n.root}/var`, n.stateDirectory]) expect(existsSync(gone)).toBe(false);
        expect(existsSync(`${n.root}/etc/kubernetes/manifests`)).toBe(true);
        // Twice is harmless.
        expect(n.run(s.restore).code).toBe(0);
    }, 30000);

    test("refuses to overwrite a manifest changed since kube-baseline wrote it, and removes nothing", () => {
        const n = node();
        const s = scripts(n, hardening(n));
        expect(n.run(s.apply, s.stdin).code).toBe(0);
        const upgraded = s.patched.replace("kube-apiserver:v1.35.4", "kube-apiserver:v1.36.0");
        writeFileSync(n.manifestPath, upgraded);
        const r = n.run(s.restore);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/kube-apiserver.yaml is not the text kube-baseline wrote \(edited by hand or regenerated by kubeadm upgrade since\); nothing was restored or removed\. Run pulumi up .*, then destroy again/);
        expect(readFileSync(n.manifestPath, "utf8")).toBe(upgraded);
        expect(existsSync(`${n.root}${CONFIG_DIR}/audit-policy.yaml`)).toBe(true);
        expect(existsSync(backupPath(n))).toBe(true);
    }, 30000);

    test("the record of what was written is lost: the patched text it was built with still identifies it", () => {
        const n = node();
        const s = scripts(n, hardening(n));
        expect(n.run(s.apply, s.stdin).code).toBe(0);
        writeFileSync(`${n.stateDirectory}/kube-apiserver.yaml.written`, "");
        expect(n.run(s.restore).code).toBe(0);
        expect(readFileSync(n.manifestPath, "utf8")).toBe(APISERVER);
    }, 30000);
});

describe("values stay data", () => {
    const tricky = "it's \"quoted\" $(touch /tmp/kb-h14-pwned) `touch /tmp/kb-h14-pwned` \\n\n--leading-dash\n-\n\n";
    test("file content, secret or not, arrives byte for byte and is never run", () => {
        const n = node();
        const p = hardening(n, { policy: tricky, key: tricky });
        const s = scripts(n, p);
        const r = n.run(s.apply, s.stdin);
        expect(r.stderr).toBe("");
        expect(readFileSync(p.files[0].path, "utf8")).toBe(tricky);
        expect(readFileSync(p.files[1].path, "utf8")).toBe(tricky);
        expect(existsSync("/tmp/kb-h14-pwned")).toBe(false);
    }, 30000);

    test("a flag value with shell syntax reaches the component's command line as is", () => {
        const n = node();
        const s = scripts(n, hardening(n, { extraFlag: "$(touch /tmp/kb-h14-pwned)`id`'x'" }));
        expect(n.run(s.apply, s.stdin).code).toBe(0);
        const [pid] = readdirSync(n.procRoot);
        expect(readFileSync(`${n.procRoot}/${pid}/cmdline`, "utf8").split("\0")).toContain("--service-node-port-range=$(touch /tmp/kb-h14-pwned)`id`'x'");
        expect(existsSync("/tmp/kb-h14-pwned")).toBe(false);
    }, 30000);
});

describe("readManifestStateScript", () => {
    test("returns the original (the backup once there is one), the live text and what kube-baseline wrote", () => {
        const n = node();
        const paths = { manifestPath: n.manifestPath, stateDirectory: n.stateDirectory };
        const fresh = parseManifestState(n.run(readManifestStateScript(paths)).stdout);
        expect(fresh).toEqual({ original: { text: APISERVER, sha256: sha256Hex(APISERVER) }, live: { text: APISERVER, sha256: sha256Hex(APISERVER) }, written: undefined });
        const s = scripts(n, hardening(n));
        expect(n.run(s.apply, s.stdin).code).toBe(0);
        const after = parseManifestState(n.run(readManifestStateScript(paths)).stdout);
        expect(after.original.text).toBe(APISERVER);
        expect(after.live?.text).toBe(s.patched);
        expect(after.written).toEqual({ text: s.patched, sha256: sha256Hex(s.patched) });
    }, 30000);
});

describe("script builders", () => {
    const paths = { manifestPath: "/etc/kubernetes/manifests/kube-apiserver.yaml", stateDirectory: "/etc/kubernetes/kube-baseline" };
    const base = { node: "cp1", component: "kube-apiserver" as const, paths, originalManifest: APISERVER, patchedManifest: APISERVER, directories: [], files: [], health: HEALTH };
    test.each([
        ["a node name with shell syntax", { ...base, node: "cp1;id" }, /not a node name/],
        ["a manifest path with $()", { ...base, paths: { ...paths, manifestPath: "/etc/$(id).yaml" } }, /plain absolute path/],
        ["a state directory inside the manifest directory", { ...base, paths: { ...paths, stateDirectory: "/etc/kubernetes/manifests" } }, /must not be the manifest directory/],
        ["a health URL with backticks", { ...base, health: { ...HEALTH, url: "https://x/`id`" } }, /not a health URL/],
        ["a non-integer timeout", { ...base, health: { ...HEALTH, timeoutSeconds: 1.5 } }, /positive integer/],
        ["a file whose directory is not listed", { ...base, files: [{ path: "/etc/x/f", mode: "0600", owner: "root:root", content: "" }] }, /its directory must be listed/],
    ])("refuse %s", (_what, input, error) => {
        expect(() => applyPatchScript(input)).toThrow(error);
    });
    test("commandArgsSha256 is the sha256 of what /proc/<pid>/cmdline holds after argv[0]", () => {
        const args = APISERVER.split("\n").filter(l => l.startsWith("    - --")).map(l => l.slice(6));
        expect(commandArgsSha256(APISERVER, "kube-apiserver")).toBe(sha256Hex(args.map(a => `${a}\0`).join("")));
    });
    test("renderApplyStdin carries only the secret files, one base64 line each", () => {
        expect(renderApplyStdin([
            { path: "/a", mode: "0600", owner: "root:root", content: "plain" },
            { path: "/b", mode: "0600", owner: "root:root", content: "s1\n", secret: true },
        ])).toBe(`${Buffer.from("s1\n").toString("base64")}\n`);
    });
});

describe("after kubeadm upgrade regenerated the manifest", () => {
    /** What `kubeadm upgrade` writes: a new image, kubeadm's own flags sorted, the extraArgs (ours) appended. */
    function upgrade(patched: string, ours: string[]): string {
        let text = patched.replace("kube-apiserver:v1.35.4", "kube-apiserver:v1.36.0");
        const moved = ours.map(f => `    - ${f}`);
        for (const line of moved) text = text.replace(`${line}\n`, "");
        return text.replace("    image:", `${moved.join("\n")}\n    image:`);
    }

    test("the next apply re-bases: the upgraded manifest without kube-baseline becomes the original, and destroy restores that", () => {
        const n = node();
        const patch = hardening(n);
        const first = scripts(n, patch);
        expect(n.run(first.apply, first.stdin).code).toBe(0);
        const ours = readStaticPod(first.patched, "kube-apiserver").command.filter(f => !readStaticPod(APISERVER, "kube-apiserver").command.includes(f));
        const upgraded = upgrade(first.patched, ours);
        writeFileSync(n.manifestPath, upgraded);

        const paths = { manifestPath: n.manifestPath, stateDirectory: n.stateDirectory, procRoot: n.procRoot };
        const state = parseManifestState(n.run(readManifestStateScript(paths)).stdout);
        const update = planManifestUpdate(state, "kube-apiserver", patch);
        expect(update.rebased).toBe(true);
        expect(update.drift?.likelyCause).toBe("kubeadm upgrade");
        expect(update.originalManifest).toBe(APISERVER.replace("kube-apiserver:v1.35.4", "kube-apiserver:v1.36.0"));

        // Without what it read, the apply refuses; with it, it goes ahead.
        const apply = (expected?: { liveSha256?: string; backupSha256?: string }) => applyPatchScript({
            node: "cp1", component: "kube-apiserver", paths, originalManifest: update.originalManifest, patchedManifest: update.patchedManifest,
            expected, directories: patch.directories, files: patch.files, health: HEALTH,
        });
        expect(n.run(apply(), first.stdin).stderr).toMatch(/changed since it was read/);
        const r = n.run(apply(update.expected), first.stdin);
        expect(r.stderr).toBe("");
        expect(readFileSync(n.manifestPath, "utf8")).toBe(update.patchedManifest);
        expect(readFileSync(backupPath(n), "utf8")).toBe(update.originalManifest);

        const restore = restorePatchScript({
            node: "cp1", component: "kube-apiserver", paths, originalManifest: update.originalManifest, patchedManifest: update.patchedManifest,
            files: patch.files.map(f => f.path), directories: patch.directories.map(d => d.path), health: HEALTH,
        });
        expect(n.run(restore).code).toBe(0);
        expect(readFileSync(n.manifestPath, "utf8")).toBe(update.originalManifest);
    }, 40000);

    test("a backup someone changed since it was read is not replaced", () => {
        const n = node();
        const s = scripts(n, hardening(n));
        expect(n.run(s.apply, s.stdin).code).toBe(0);
        writeFileSync(backupPath(n), "someone else's\n");
        const r = n.run(s.apply, s.stdin);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/the backup .* is not the original manifest kube-baseline read; nothing was written/);
    }, 30000);
});

describe("planManifestUpdate", () => {
    const patch = componentPatch({ flags: { profiling: "false" } });
    const state = (live: string, written?: string): ManifestState => ({
        original: { text: APISERVER, sha256: sha256Hex(APISERVER) },
        live: { text: live, sha256: sha256Hex(live) },
        written: written === undefined ? undefined : { text: written, sha256: sha256Hex(written) },
    });
    const patched = applyManifestPatch(APISERVER, "kube-apiserver", patch);
    test.each([
        ["the first patch", APISERVER, undefined, { rebased: false, upToDate: false, drift: false }],
        ["nothing changed since", patched, patched, { rebased: false, upToDate: true, drift: false }],
        ["settings changed", patched, patched, { rebased: false, upToDate: false, drift: false, patch: componentPatch({ flags: { profiling: "false", v: "2" } }) }],
        ["edited by hand since", patched.replace("cpu: 250m", "cpu: 500m"), patched, { rebased: true, upToDate: false, drift: true }],
    ] as Array<[string, string, string | undefined, { rebased: boolean; upToDate: boolean; drift: boolean; patch?: ComponentPatch }]>)("%s", (_what, live, written, expected) => {
        const u = planManifestUpdate(state(live, written), "kube-apiserver", expected.patch ?? patch);
        expect({ rebased: u.rebased, upToDate: u.upToDate, drift: u.drift !== undefined }).toEqual({ rebased: expected.rebased, upToDate: expected.upToDate, drift: expected.drift });
        // The script is told what it cannot tell by itself: a live text that is neither the original nor its own, a
        // backup to replace. Otherwise nothing, so the script stays the same while nothing changes on the node.
        expect(u.expected).toEqual(expected.rebased ? { liveSha256: sha256Hex(live), backupSha256: sha256Hex(APISERVER) } : {});
        expect(readStaticPod(u.patchedManifest, "kube-apiserver").flags.get("profiling")).toBe("false");
    });
    test("a hand edit elsewhere survives into the new original; one of kube-baseline's flags is put back", () => {
        const live = patched.replace("cpu: 250m", "cpu: 500m").replace("--profiling=false", "--profiling=true");
        const u = planManifestUpdate(state(live, patched), "kube-apiserver", patch);
        expect(u.originalManifest).toBe(APISERVER.replace("cpu: 250m", "cpu: 500m"));
        expect(u.drift?.flags.changed).toEqual([{ name: "profiling", from: "false", to: "true" }]);
    });
});
