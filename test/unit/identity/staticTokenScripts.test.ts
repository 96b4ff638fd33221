// The node-side scripts run for real here, against a temporary directory that stands in for a control-plane
// node: /etc/kubernetes paths inside it, and a fake `curl` that plays the kube-apiserver (it restarts whenever
// the manifest changes, loads token.csv only then, and answers /readyz 200 for a loaded token, 401 otherwise).

import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { patchApiserverManifest } from "../../../lib/identity/apiserverManifest";
import {
    applyStaticTokensScript, backupPath, decodeManifest, OWNED_DIRECTORY_MARKER, readManifestScript, remoteShellCommand, removeStaticTokensScript,
    sha256Hex, StaticTokenPaths,
} from "../../../lib/identity/staticTokenScripts";
import { KUBEADM_APISERVER_MANIFEST } from "./fixtures";

const FAKE_APISERVER = `#!/bin/sh
hdr=''; prev=''
for a in "$@"; do [ "$prev" = -H ] && hdr=\${a#@}; prev=$a; done
[ -f "$FAKE_STATE/broken" ] && { printf 000; exit 7; }
if [ ! -f "$MANIFEST" ]; then echo none > "$FAKE_STATE/running"; printf 000; exit 7; fi
cur=$(sha256sum < "$MANIFEST" | cut -d' ' -f1)
if [ "$(cat "$FAKE_STATE/running")" != "$cur" ]; then
  echo "$cur" > "$FAKE_STATE/running"
  echo $(( $(cat "$FAKE_STATE/restarts") + 1 )) > "$FAKE_STATE/restarts"
  if grep -qF -- "--token-auth-file=$TOKEN_FILE" "$MANIFEST" && [ -f "$TOKEN_FILE" ]; then cp "$TOKEN_FILE" "$FAKE_STATE/loaded"; else : > "$FAKE_STATE/loaded"; fi
fi
if [ -n "$hdr" ]; then
  token=$(sed -n 's/^Authorization: Bearer //p' "$hdr")
  if cut -d, -f1 "$FAKE_STATE/loaded" | grep -qxF -- "$token"; then printf 200; else printf 401; fi
else
  printf 200
fi
`;

const TOKENS_1 = 'abcdef.0123456789abcdef,wang,1001,"dev"\n';
const TOKENS_2 = 'abcdef.0123456789abcdef,wang,1001,"dev"\nzyxwvu.fedcba9876543210,li,1002\n';

interface Node { root: string; paths: StaticTokenPaths; state: string; env: NodeJS.ProcessEnv }

function makeNode(manifest = KUBEADM_APISERVER_MANIFEST): Node {
    const root = mkdtempSync(join(tmpdir(), "kb-node-"));
    const paths: StaticTokenPaths = {
        tokenFile: `${root}/etc/kubernetes/auth/token.csv`,
        manifestPath: `${root}/etc/kubernetes/manifests/kube-apiserver.yaml`,
        backupDirectory: `${root}/etc/kubernetes/kube-baseline`,
    };
    mkdirSync(`${root}/etc/kubernetes/manifests`, { recursive: true });
    writeFileSync(paths.manifestPath, manifest, { mode: 0o600 });
    const state = `${root}/apiserver`;
    mkdirSync(state);
    writeFileSync(`${state}/running`, `${sha256Hex(manifest)}\n`);
    writeFileSync(`${state}/restarts`, "0\n");
    writeFileSync(`${state}/loaded`, "");
    mkdirSync(`${root}/bin`);
    writeFileSync(`${root}/bin/curl`, FAKE_APISERVER);
    chmodSync(`${root}/bin/curl`, 0o755);
    const env = { ...process.env, PATH: `${root}/bin:${process.env.PATH}`, FAKE_STATE: state, MANIFEST: paths.manifestPath, TOKEN_FILE: paths.tokenFile };
    return { root, paths, state, env };
}

function run(node: Node, script: string, stdin = "") {
    // Through the same wrapper the SSH command uses.
    const r = spawnSync("sh", ["-c", remoteShellCommand(script, { sudo: false })], { input: stdin, env: node.env, encoding: "utf8", timeout: 60000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function restarts(node: Node): number {
    return Number(readFileSync(`${node.state}/restarts`, "utf8"));
}

const WAIT = { readyzUrl: "https://10.0.0.101:6443/readyz", timeoutSeconds: 5, intervalSeconds: 1 };

function scripts(node: Node, original = KUBEADM_APISERVER_MANIFEST, nodeName = "cp1") {
    const patched = patchApiserverManifest(original, { tokenFile: node.paths.tokenFile, volumeName: "kube-baseline-static-tokens" });
    const originalSha256 = sha256Hex(original);
    return {
        patched,
        apply: applyStaticTokensScript({ paths: node.paths, node: nodeName, originalManifest: original, originalSha256, patchedManifest: patched, wait: WAIT }),
        remove: removeStaticTokensScript({ paths: node.paths, node: nodeName, originalSha256, patchedSha256: sha256Hex(patched), wait: WAIT }),
    };
}

const nodes: Node[] = [];
function node(manifest?: string): Node {
    const n = makeNode(manifest);
    nodes.push(n);
    return n;
}
afterAll(() => nodes.forEach(n => rmSync(n.root, { recursive: true, force: true })));

describe("readManifestScript", () => {
    test("returns the manifest byte for byte, even without a final newline", () => {
        const text = KUBEADM_APISERVER_MANIFEST.trimEnd();
        const n = node(text);
        const r = run(n, readManifestScript(n.paths));
        expect(r.code).toBe(0);
        expect(decodeManifest(r.stdout)).toEqual({ text, sha256: sha256Hex(text) });
    });

    test("returns the backup when an earlier run left one (the manifest is then patched)", () => {
        const n = node("patched: already\n");
        mkdirSync(n.paths.backupDirectory);
        writeFileSync(backupPath(n.paths), KUBEADM_APISERVER_MANIFEST);
        expect(decodeManifest(run(n, readManifestScript(n.paths)).stdout).text).toBe(KUBEADM_APISERVER_MANIFEST);
    });

    test("fails clearly when there is no manifest", () => {
        const n = node();
        rmSync(n.paths.manifestPath);
        const r = run(n, readManifestScript(n.paths));
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/kube-apiserver.yaml not found on this node/);
    });
});

describe("applyStaticTokensScript and removeStaticTokensScript", () => {
    test("apply: token file 0600 in a 0700 dir, manifest patched, original backed up, apiserver accepts the token", () => {
        const n = node();
        const s = scripts(n);
        const r = run(n, s.apply, TOKENS_1);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(readFileSync(n.paths.tokenFile, "utf8")).toBe(TOKENS_1);
        expect(statSync(n.paths.tokenFile).mode & 0o777).toBe(0o600);
        expect(statSync(`${n.root}/etc/kubernetes/auth`).mode & 0o777).toBe(0o700);
        expect(readFileSync(n.paths.manifestPath, "utf8")).toBe(s.patched);
        expect(statSync(n.paths.manifestPath).mode & 0o777).toBe(0o600);
        expect(readFileSync(backupPath(n.paths), "utf8")).toBe(KUBEADM_APISERVER_MANIFEST);
        expect(readFileSync(`${n.state}/loaded`, "utf8")).toBe(TOKENS_1);
        expect(restarts(n)).toBe(1);
        // No temp files left behind (only the markers of the two directories it created), no token in the output.
        expect(spawnSync("sh", ["-c", `find ${n.root}/etc -name '.*' | sort`], { encoding: "utf8" }).stdout)
            .toBe(`${n.root}/etc/kubernetes/auth/${OWNED_DIRECTORY_MARKER}\n${n.paths.backupDirectory}/${OWNED_DIRECTORY_MARKER}\n`);
        expect(r.stdout + r.stderr).not.toContain("0123456789abcdef");
    });

    test("apply again with the same tokens changes nothing and restarts nothing", () => {
        const n = node();
        const s = scripts(n);
        expect(run(n, s.apply, TOKENS_1).code).toBe(0);
        const before = restarts(n);
        expect(run(n, s.apply, TOKENS_1).code).toBe(0);
        expect(restarts(n)).toBe(before);
        expect(readFileSync(n.paths.manifestPath, "utf8")).toBe(s.patched);
    });

    test("new tokens: the file is replaced and the apiserver restarted once to load it", () => {
        const n = node();
        const s = scripts(n);
        expect(run(n, s.apply, TOKENS_1).code).toBe(0);
        const r = run(n, s.apply, TOKENS_2);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(readFileSync(n.paths.tokenFile, "utf8")).toBe(TOKENS_2);
        expect(readFileSync(`${n.state}/loaded`, "utf8")).toBe(TOKENS_2);
        expect(readFileSync(n.paths.manifestPath, "utf8")).toBe(s.patched);
        expect(existsSync(`${n.paths.backupDirectory}/kube-apiserver.yaml.parked`)).toBe(false);
    });

    test("remove: the manifest is restored byte for byte, token file, directory and backup are gone", () => {
        const n = node();
        const s = scripts(n);
        expect(run(n, s.apply, TOKENS_1).code).toBe(0);
        const r = run(n, s.remove);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(readFileSync(n.paths.manifestPath, "utf8")).toBe(KUBEADM_APISERVER_MANIFEST);
        expect(statSync(n.paths.manifestPath).mode & 0o777).toBe(0o600);
        expect(existsSync(n.paths.tokenFile)).toBe(false);
        expect(existsSync(`${n.root}/etc/kubernetes/auth`)).toBe(false);
        expect(existsSync(n.paths.backupDirectory)).toBe(false);
        expect(readFileSync(`${n.state}/loaded`, "utf8")).toBe("");
        // Removing twice is harmless.
        expect(run(n, s.remove).code).toBe(0);
    });

    test("compare-and-swap: a manifest edited since it was read is left alone, and nothing is written", () => {
        const n = node();
        const s = scripts(n);
        const edited = KUBEADM_APISERVER_MANIFEST.replace("--v=", "--v=").replace("cpu: 250m", "cpu: 500m");
        writeFileSync(n.paths.manifestPath, edited);
        const r = run(n, s.apply, TOKENS_1);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/changed since it was read .*nothing was written/);
        expect(readFileSync(n.paths.manifestPath, "utf8")).toBe(edited);
        expect(existsSync(n.paths.tokenFile)).toBe(false);
    });

    test("an apiserver that never comes back: bounded wait, clear timeout error, original manifest put back", () => {
        const n = node();
        const s = scripts(n);
        writeFileSync(`${n.state}/broken`, "");
        const started = Date.now();
        const r = run(n, s.apply, TOKENS_1);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/timed out after 5s waiting for the kube-apiserver at https:\/\/10\.0\.0\.101:6443\/readyz to accept the static tokens; the original manifest was put back/);
        expect(Date.now() - started).toBeLessThan(20000);
        expect(readFileSync(n.paths.manifestPath, "utf8")).toBe(KUBEADM_APISERVER_MANIFEST);
    }, 30000);

    test("remove refuses to overwrite a patched manifest someone edited since", () => {
        const n = node();
        const s = scripts(n);
        expect(run(n, s.apply, TOKENS_1).code).toBe(0);
        const edited = s.patched.replace("cpu: 250m", "cpu: 500m");
        writeFileSync(n.paths.manifestPath, edited);
        const r = run(n, s.remove);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/not the text kube-baseline wrote/);
        expect(readFileSync(n.paths.manifestPath, "utf8")).toBe(edited);
        expect(existsSync(backupPath(n.paths))).toBe(true);
    });

    test("a lost backup is rebuilt from the text the program read", () => {
        const n = node();
        const s = scripts(n);
        expect(run(n, s.apply, TOKENS_1).code).toBe(0);
        rmSync(backupPath(n.paths));
        expect(run(n, s.apply, TOKENS_1).code).toBe(0);
        expect(readFileSync(backupPath(n.paths), "utf8")).toBe(KUBEADM_APISERVER_MANIFEST);
    });

    test("apply without token data on stdin fails before touching the manifest", () => {
        const n = node();
        const s = scripts(n);
        const r = run(n, s.apply, "");
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/no token data on stdin/);
        expect(readFileSync(n.paths.manifestPath, "utf8")).toBe(KUBEADM_APISERVER_MANIFEST);
    });
});

describe("directories kube-baseline did not create are never taken over", () => {
    test("apply refuses an existing token directory without the marker: names node and path, changes nothing", () => {
        const n = node();
        const dir = `${n.root}/etc/kubernetes/auth`;
        mkdirSync(dir, { mode: 0o755 });
        chmodSync(dir, 0o755);
        writeFileSync(`${dir}/someone-elses.conf`, "keep me\n");
        const r = run(n, scripts(n).apply, TOKENS_1);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toBe(`kube-baseline: node cp1: ${dir} exists and was not created by kube-baseline; refusing to change its mode or owner (configure a directory of its own)\n`);
        expect(statSync(dir).mode & 0o777).toBe(0o755);
        expect(readFileSync(`${dir}/someone-elses.conf`, "utf8")).toBe("keep me\n");
        expect(existsSync(n.paths.tokenFile)).toBe(false);
        expect(readFileSync(n.paths.manifestPath, "utf8")).toBe(KUBEADM_APISERVER_MANIFEST);
        expect(restarts(n)).toBe(0);
    });

    test("apply refuses an existing backup directory without the marker, and a symbolic link", () => {
        const n = node();
        mkdirSync(n.paths.backupDirectory, { mode: 0o750 });
        chmodSync(n.paths.backupDirectory, 0o750);
        let r = run(n, scripts(n).apply, TOKENS_1);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain(`node cp1: ${n.paths.backupDirectory} exists and was not created by kube-baseline`);
        expect(statSync(n.paths.backupDirectory).mode & 0o777).toBe(0o750);
        expect(readFileSync(n.paths.manifestPath, "utf8")).toBe(KUBEADM_APISERVER_MANIFEST);

        const m = node();
        mkdirSync(`${m.root}/elsewhere`, { mode: 0o755 });
        mkdirSync(`${m.root}/etc/kubernetes`, { recursive: true });
        spawnSync("ln", ["-s", `${m.root}/elsewhere`, `${m.root}/etc/kubernetes/auth`]);
        r = run(m, scripts(m).apply, TOKENS_1);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain(`node cp1: ${m.root}/etc/kubernetes/auth is a symbolic link; refusing to change its mode or owner`);
        expect(statSync(`${m.root}/elsewhere`).mode & 0o777).toBe(0o755);
    });

    // A stack applied by kube-baseline before the marker existed: its directories hold only what it wrote there.
    test("apply adopts the directories an earlier kube-baseline left (0700 root, only its own files)", () => {
        const n = node();
        const tokenDir = `${n.root}/etc/kubernetes/auth`;
        mkdirSync(tokenDir, { recursive: true, mode: 0o700 });
        chmodSync(tokenDir, 0o700);
        writeFileSync(n.paths.tokenFile, "old,tokens\n", { mode: 0o600 });
        mkdirSync(n.paths.backupDirectory, { recursive: true, mode: 0o700 });
        chmodSync(n.paths.backupDirectory, 0o700);
        writeFileSync(`${n.paths.backupDirectory}/.probe-header`, "Authorization: Bearer x\n", { mode: 0o600 });
        const r = run(n, scripts(n).apply, TOKENS_1);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(existsSync(`${tokenDir}/.kube-baseline-owned`)).toBe(true);
        expect(existsSync(`${n.paths.backupDirectory}/.kube-baseline-owned`)).toBe(true);
        expect(readFileSync(n.paths.tokenFile, "utf8")).toBe(TOKENS_1);
    });

    test.each([
        ["another file beside the token file", (dir: string) => writeFileSync(`${dir}/other.csv`, "x\n"), 0o700],
        ["a mode other than 0700", () => undefined, 0o755],
        ["a subdirectory", (dir: string) => mkdirSync(`${dir}/sub`), 0o700],
    ])("apply does not adopt a directory with %s", (_what, extra, mode) => {
        const n = node();
        const tokenDir = `${n.root}/etc/kubernetes/auth`;
        mkdirSync(tokenDir, { recursive: true });
        chmodSync(tokenDir, mode);
        writeFileSync(n.paths.tokenFile, "old,tokens\n", { mode: 0o600 });
        extra(tokenDir);
        const r = run(n, scripts(n).apply, TOKENS_1);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain("exists and was not created by kube-baseline");
        expect(existsSync(`${tokenDir}/.kube-baseline-owned`)).toBe(false);
        expect(statSync(tokenDir).mode & 0o777).toBe(mode);
    });

    test("remove leaves a token file in a directory it did not create alone", () => {
        const n = node();
        const dir = `${n.root}/etc/kubernetes/auth`;
        mkdirSync(dir, { recursive: true });
        writeFileSync(n.paths.tokenFile, "not ours\n");
        const r = run(n, scripts(n).remove);
        expect(r.code).toBe(0);
        expect(readFileSync(n.paths.tokenFile, "utf8")).toBe("not ours\n");
    });

    test("its own directories are reused on the next run and removed on destroy, marker and all", () => {
        const n = node();
        const s = scripts(n);
        expect(run(n, s.apply, TOKENS_1).code).toBe(0);
        expect(existsSync(`${n.root}/etc/kubernetes/auth/${OWNED_DIRECTORY_MARKER}`)).toBe(true);
        expect(run(n, s.apply, TOKENS_2).code).toBe(0);
        expect(run(n, s.remove).code).toBe(0);
        expect(existsSync(`${n.root}/etc/kubernetes/auth`)).toBe(false);
        expect(existsSync(n.paths.backupDirectory)).toBe(false);
    });
});

describe("hostile values stay data in the rendered scripts", () => {
    const HOSTILE = ["it's", "a\"b", "$(touch PWNED)", "`touch PWNED`", "x\ntouch PWNED", "-rf", "--help", "; touch PWNED #"];

    test.each(HOSTILE)("a node name %j is printed as it is and never run", name => {
        const n = node();
        mkdirSync(`${n.root}/etc/kubernetes/auth`, { recursive: true });
        const r = spawnSync("sh", ["-c", remoteShellCommand(scripts(n, KUBEADM_APISERVER_MANIFEST, name).apply, { sudo: false })],
            { input: TOKENS_1, env: n.env, cwd: n.root, encoding: "utf8", timeout: 60000 });
        expect(r.status).not.toBe(0);
        expect(r.stderr.startsWith(`kube-baseline: node ${name}: `)).toBe(true);
        expect(existsSync(`${n.root}/PWNED`)).toBe(false);
    });

    test("token data on stdin with quotes, $(), backticks and dashes is written byte for byte, never run", () => {
        const n = node();
        const tokens = 'abcdef.0123456789abcdef,"$(touch PWNED)",`touch PWNED`,"-rf, it\'s"\n';
        const r = spawnSync("sh", ["-c", remoteShellCommand(scripts(n).apply, { sudo: false })],
            { input: tokens, env: n.env, cwd: n.root, encoding: "utf8", timeout: 60000 });
        expect(r.status).toBe(0);
        expect(readFileSync(n.paths.tokenFile, "utf8")).toBe(tokens);
        expect(existsSync(`${n.root}/PWNED`)).toBe(false);
    });

    test.each(["/etc/kubernetes/it's", "/etc/$(reboot)", "/etc/`reboot`", "/etc/kubernetes/a\nb", "-rf", "/etc/kubernetes/a b", "/etc/../root"])(
        "a path %j never reaches a script", bad => {
            const paths = { tokenFile: "/etc/kubernetes/auth/token.csv", manifestPath: "/etc/kubernetes/manifests/kube-apiserver.yaml", backupDirectory: "/etc/kubernetes/kb" };
            for (const field of ["tokenFile", "manifestPath", "backupDirectory"] as const) {
                expect(() => readManifestScript({ ...paths, [field]: bad })).toThrow(/plain absolute path/);
                expect(() => removeStaticTokensScript({ paths: { ...paths, [field]: bad }, originalSha256: "a".repeat(64), patchedSha256: "b".repeat(64), wait: WAIT }))
                    .toThrow(/plain absolute path/);
            }
        });
});

describe("script builders", () => {
    test("refuse values that are not plain paths, digests or URLs", () => {
        const n = { tokenFile: "/etc/kubernetes/auth/token.csv", manifestPath: "/etc/kubernetes/manifests/kube-apiserver.yaml", backupDirectory: "/etc/kubernetes/kb" };
        expect(() => readManifestScript({ ...n, manifestPath: "/etc/$(id)" })).toThrow(/plain absolute path/);
        expect(() => removeStaticTokensScript({ paths: n, originalSha256: "x", patchedSha256: "y", wait: WAIT })).toThrow(/sha256/);
        expect(() => applyStaticTokensScript({
            paths: n, originalManifest: "a", originalSha256: sha256Hex("a"), patchedManifest: "b", wait: { ...WAIT, readyzUrl: "https://x/`id`" },
        })).toThrow(/readyz URL/);
        expect(() => applyStaticTokensScript({ paths: n, originalManifest: "a", originalSha256: sha256Hex("b"), patchedManifest: "b", wait: WAIT }))
            .toThrow(/not the sha256 of originalManifest/);
    });

    test("remoteShellCommand goes through sudo -n for a non-root user, and keeps stdin for the script", () => {
        expect(remoteShellCommand("echo hi\n", { sudo: true })).toMatch(/^sudo -n sh -c "\$\(printf '%s' '[A-Za-z0-9+/=]+' \| base64 -d\)"$/);
        const r = spawnSync("sh", ["-c", remoteShellCommand("read line; echo \"got $line\"\n", { sudo: false })], { input: "it's \"quoted\"\n", encoding: "utf8" });
        expect(r.stdout).toBe("got it's \"quoted\"\n");
    });
});
