// Shell scripts (pure string builders) that StaticTokens runs on each control-plane node over SSH.
//
// The split: the Pulumi program reads the manifest (readManifestScript), computes the patched text in TypeScript
// (apiserverManifest.ts), and the node only swaps whole files:
//  - apply: writes token.csv (dir 0700, file 0600) through a temp file + mv; backs the manifest up byte for byte;
//    replaces the manifest only if its sha256 is still the one the program read (compare-and-swap); waits, bounded,
//    until the apiserver answers /readyz with one of the new tokens (proving it restarted with the token file);
//    rolls the manifest back if it never does.
//  - remove: puts the backup back (only over the exact text kube-baseline wrote), waits until the apiserver
//    answers and rejects the token again, then deletes the token file and the backup.
// Tokens only ever travel on stdin; the scripts never print them. Scripts are POSIX sh with coreutils + curl.
// The token and backup directories are kube-baseline's own (ownedDirectoryShell): a directory that exists and was
// not created by kube-baseline is never chmod-ed or removed; the script fails, naming the node and the path.

import { createHash } from "crypto";

export interface StaticTokenPaths {
    /** Absolute path of token.csv (its directory is mounted into the apiserver). */
    tokenFile: string;
    manifestPath: string;
    /** Node-local directory for the manifest backup (outside the static pod manifest directory). */
    backupDirectory: string;
}

export interface ApiserverWait {
    /** URL of this node's apiserver /readyz. */
    readyzUrl: string;
    timeoutSeconds: number;
    /** Seconds between probes. */
    intervalSeconds?: number;
}

export interface ApplyStaticTokensInput {
    paths: StaticTokenPaths;
    /** The node's name, in every failure message (default: the node's hostname). */
    node?: string;
    /** The manifest exactly as the program read it, and its sha256 (hex). */
    originalManifest: string;
    originalSha256: string;
    /** The full patched manifest text. */
    patchedManifest: string;
    wait: ApiserverWait;
}

export interface RemoveStaticTokensInput {
    paths: StaticTokenPaths;
    /** The node's name, in every failure message (default: the node's hostname). */
    node?: string;
    originalSha256: string;
    patchedSha256: string;
    wait: ApiserverWait;
}

export function sha256Hex(data: string | Buffer): string {
    return createHash("sha256").update(data).digest("hex");
}

/** The backup file name inside the backup directory. */
export function backupPath(paths: StaticTokenPaths): string {
    return `${paths.backupDirectory}/${baseName(paths.manifestPath)}.orig`;
}

/**
 * Prints the original manifest base64-encoded on one line (no byte, final newline included, is lost on the way):
 * the backup when an earlier run left one (the manifest is then patched already), else the manifest itself.
 */
export function readManifestScript(paths: StaticTokenPaths): string {
    checkPaths(paths);
    return [
        "set -eu",
        `manifest=${q(paths.manifestPath)}`,
        `backup=${q(backupPath(paths))}`,
        "if [ -f \"$backup\" ]; then source=$backup; else source=$manifest; fi",
        "[ -f \"$source\" ] || { echo \"kube-baseline: $manifest not found on this node\" >&2; exit 1; }",
        "base64 < \"$source\" | tr -d '\\n'",
    ].join("\n") + "\n";
}

/** Decodes readManifestScript's output. Throws unless the manifest is UTF-8 text (it is YAML). */
export function decodeManifest(stdoutBase64: string): { text: string; sha256: string } {
    const raw = Buffer.from(stdoutBase64.trim(), "base64");
    const text = raw.toString("utf8");
    if (!Buffer.from(text, "utf8").equals(raw)) throw new Error("the kube-apiserver manifest is not UTF-8 text");
    if (text.trim() === "") throw new Error("the kube-apiserver manifest read from the node is empty");
    return { text, sha256: sha256Hex(raw) };
}

/** Expects token.csv on stdin. */
export function applyStaticTokensScript(input: ApplyStaticTokensInput): string {
    const { paths, wait } = input;
    checkPaths(paths);
    checkSha(input.originalSha256);
    if (sha256Hex(Buffer.from(input.originalManifest, "utf8")) !== input.originalSha256) {
        throw new Error("originalSha256 is not the sha256 of originalManifest");
    }
    const patchedSha = sha256Hex(Buffer.from(input.patchedManifest, "utf8"));
    const manifestDir = dirName(paths.manifestPath);
    return [
        ...preamble(paths, wait, input.node),
        `original_sha=${q(input.originalSha256)}`,
        `patched_sha=${q(patchedSha)}`,
        `tmp_manifest=${q(`${manifestDir}/.${baseName(paths.manifestPath)}.kube-baseline.tmp`)}`,
        `parked=${q(`${paths.backupDirectory}/${baseName(paths.manifestPath)}.parked`)}`,
        "tmp_tokens=''",
        "cleanup() {",
        "  rm -f \"$hdr\" \"$tmp_manifest\"",
        "  [ -z \"$tmp_tokens\" ] || rm -f \"$tmp_tokens\"",
        // Never leave the control plane without its manifest, whatever interrupted us.
        "  if [ -f \"$parked\" ] && [ ! -e \"$manifest\" ]; then mv -f \"$parked\" \"$manifest\"; fi",
        "}",
        "trap cleanup EXIT",
        "",
        "# 1. Decide before touching anything: the manifest must be the one the program read, or already patched.",
        "[ -f \"$manifest\" ] || fail \"$manifest not found\"",
        "current=$(sha \"$manifest\")",
        "if [ \"$current\" != \"$original_sha\" ] && [ \"$current\" != \"$patched_sha\" ]; then",
        "  fail \"$manifest changed since it was read (sha256 $current, expected $original_sha); nothing was written. Run pulumi refresh, then pulumi up again.\"",
        "fi",
        "",
        "# 2. token.csv: directory 0700 (kube-baseline's own), file 0600, replaced atomically (temp file + mv).",
        // What an earlier kube-baseline (before the marker) left in each directory: these and nothing else.
        `claim_dir "$token_dir" ${q(baseName(paths.tokenFile))}`,
        `claim_dir "$backup_dir" ${q(`${baseName(paths.manifestPath)}.orig`)} ${q(`${baseName(paths.manifestPath)}.parked`)} '.probe-header'`,
        "tmp_tokens=$(mktemp \"$token_dir/.tokens.XXXXXX\")",
        "cat > \"$tmp_tokens\"",
        "[ -s \"$tmp_tokens\" ] || fail \"no token data on stdin\"",
        "chmod 0600 \"$tmp_tokens\"",
        "tokens_changed=1",
        "if [ -f \"$token_file\" ] && [ \"$(sha \"$token_file\")\" = \"$(sha \"$tmp_tokens\")\" ]; then",
        "  tokens_changed=0",
        "  rm -f \"$tmp_tokens\"",
        "else",
        "  mv -f \"$tmp_tokens\" \"$token_file\"",
        "fi",
        "tmp_tokens=''",
        "probe_header_from \"$token_file\"",
        "",
        "# 3. The manifest: back up the original byte for byte, then compare-and-swap the patched text in.",
        "manifest_changed=0",
        "if [ \"$current\" = \"$original_sha\" ] && [ \"$original_sha\" != \"$patched_sha\" ]; then",
        "  cp -p \"$manifest\" \"$backup.tmp\"",
        "  [ \"$(sha \"$backup.tmp\")\" = \"$original_sha\" ] || fail \"backup of $manifest does not match what was read\"",
        "  mv -f \"$backup.tmp\" \"$backup\"",
        "  printf '%s' " + q(Buffer.from(input.patchedManifest, "utf8").toString("base64")) + " | base64 -d > \"$tmp_manifest\"",
        "  [ \"$(sha \"$tmp_manifest\")\" = \"$patched_sha\" ] || fail \"patched manifest damaged on the way\"",
        "  chmod \"$(stat -c %a \"$manifest\")\" \"$tmp_manifest\"",
        "  chown \"$(stat -c %u:%g \"$manifest\")\" \"$tmp_manifest\"",
        "  [ \"$(sha \"$manifest\")\" = \"$original_sha\" ] || fail \"$manifest changed while patching; not overwritten\"",
        "  mv -f \"$tmp_manifest\" \"$manifest\"",
        "  manifest_changed=1",
        "elif [ \"$current\" = \"$patched_sha\" ] && [ \"$original_sha\" != \"$patched_sha\" ] && [ ! -f \"$backup\" ]; then",
        "  # Patched by an earlier run whose backup is gone: rebuild it from the text the program read.",
        "  printf '%s' " + q(Buffer.from(input.originalManifest, "utf8").toString("base64")) + " | base64 -d > \"$backup.tmp\"",
        "  [ \"$(sha \"$backup.tmp\")\" = \"$original_sha\" ] || fail \"original manifest damaged on the way\"",
        "  chmod \"$(stat -c %a \"$manifest\")\" \"$backup.tmp\"",
        "  chown \"$(stat -c %u:%g \"$manifest\")\" \"$backup.tmp\"",
        "  mv -f \"$backup.tmp\" \"$backup\"",
        "fi",
        "if [ \"$manifest_changed\" = 0 ] && [ \"$tokens_changed\" = 1 ]; then",
        "  # The apiserver reads the token file only when it starts: take the static pod away and bring it back.",
        "  mv -f \"$manifest\" \"$parked\"",
        "  wait_for \"the kube-apiserver to stop\" apiserver_down || { mv -f \"$parked\" \"$manifest\"; fail \"$waited\"; }",
        "  mv -f \"$parked\" \"$manifest\"",
        "fi",
        "",
        "# 4. Wait until the apiserver is back and authenticates with the token file.",
        "if ! wait_for \"the kube-apiserver at $readyz_url to accept the static tokens\" token_accepted; then",
        "  if [ \"$manifest_changed\" = 1 ] && [ \"$(sha \"$manifest\")\" = \"$patched_sha\" ]; then",
        "    cp -p \"$backup\" \"$tmp_manifest\" && mv -f \"$tmp_manifest\" \"$manifest\"",
        "    fail \"$waited; the original manifest was put back\"",
        "  fi",
        "  fail \"$waited\"",
        "fi",
        "echo \"kube-baseline: static tokens active on $(uname -n)\"",
    ].join("\n") + "\n";
}

/** Needs no stdin: everything it restores is on the node. */
export function removeStaticTokensScript(input: RemoveStaticTokensInput): string {
    const { paths, wait } = input;
    checkPaths(paths);
    checkSha(input.originalSha256);
    checkSha(input.patchedSha256);
    const manifestDir = dirName(paths.manifestPath);
    return [
        ...preamble(paths, wait, input.node),
        `original_sha=${q(input.originalSha256)}`,
        `patched_sha=${q(input.patchedSha256)}`,
        `tmp_manifest=${q(`${manifestDir}/.${baseName(paths.manifestPath)}.kube-baseline.tmp`)}`,
        "trap 'rm -f \"$hdr\" \"$tmp_manifest\"' EXIT",
        "",
        "restored=0",
        "if [ -f \"$manifest\" ] && [ \"$(sha \"$manifest\")\" = \"$patched_sha\" ] && [ \"$original_sha\" != \"$patched_sha\" ]; then",
        "  [ -f \"$backup\" ] || fail \"$manifest is patched but the backup $backup is missing; restore it by hand\"",
        "  [ \"$(sha \"$backup\")\" = \"$original_sha\" ] || fail \"backup $backup is not the original manifest; restore it by hand\"",
        "  cp -p \"$backup\" \"$tmp_manifest\"",
        "  [ \"$(sha \"$manifest\")\" = \"$patched_sha\" ] || fail \"$manifest changed while restoring; not overwritten\"",
        "  mv -f \"$tmp_manifest\" \"$manifest\"",
        "  restored=1",
        "elif [ -f \"$manifest\" ] && [ \"$(sha \"$manifest\")\" != \"$original_sha\" ] && grep -qF -- \"$flag\" \"$manifest\"; then",
        "  fail \"$manifest still uses $flag but is not the text kube-baseline wrote (edited since); the original is at $backup\"",
        "fi",
        "",
        "if [ \"$restored\" = 1 ] && [ -f \"$token_file\" ]; then",
        "  probe_header_from \"$token_file\"",
        "  wait_for \"the kube-apiserver at $readyz_url to run without the token file\" token_rejected || fail \"$waited\"",
        "fi",
        "# Only in kube-baseline's own directories: a token file elsewhere is not ours to delete.",
        "if owned_dir \"$token_dir\"; then rm -f \"$token_file\"; release_dir \"$token_dir\"; fi",
        "if [ \"$restored\" = 1 ] || { [ -f \"$manifest\" ] && [ \"$(sha \"$manifest\")\" = \"$original_sha\" ]; }; then",
        "  if owned_dir \"$backup_dir\"; then rm -f \"$backup\" \"$hdr\"; release_dir \"$backup_dir\"; fi",
        "else",
        "  [ ! -f \"$backup\" ] || echo \"kube-baseline: $manifest was changed by someone else since; kept the old original at $backup\" >&2",
        "fi",
        "echo \"kube-baseline: static tokens removed from $(uname -n)\"",
    ].join("\n") + "\n";
}

/**
 * Wraps a script into one command line for SSH: the script travels base64-encoded (no quoting surprises) and
 * runs under sh, through `sudo -n` when the SSH user is not root. stdin passes through to the script.
 */
export function remoteShellCommand(script: string, options: { sudo: boolean }): string {
    const encoded = Buffer.from(script, "utf8").toString("base64");
    const runner = options.sudo ? "sudo -n sh -c" : "sh -c";
    return `${runner} "$(printf '%s' '${encoded}' | base64 -d)"`;
}

// ---------------------------------------------------------------------------------------------------------

function preamble(paths: StaticTokenPaths, wait: ApiserverWait, node?: string): string[] {
    checkWait(wait);
    const tokenDir = dirName(paths.tokenFile);
    return [
        "set -eu",
        "umask 077",
        node === undefined ? "node=$(uname -n)" : `node=${q(node)}`,
        `manifest=${q(paths.manifestPath)}`,
        `token_file=${q(paths.tokenFile)}`,
        `token_dir=${q(tokenDir)}`,
        `backup_dir=${q(paths.backupDirectory)}`,
        `backup=${q(backupPath(paths))}`,
        `flag=${q(`--token-auth-file=${paths.tokenFile}`)}`,
        `readyz_url=${q(wait.readyzUrl)}`,
        `timeout=${wait.timeoutSeconds}`,
        `interval=${wait.intervalSeconds ?? 2}`,
        // The probe's Authorization header lives in a 0600 file, never on a command line.
        `hdr=${q(`${paths.backupDirectory}/.probe-header`)}`,
        "waited=''",
        "fail() { printf 'kube-baseline: node %s: %s\\n' \"$node\" \"$*\" >&2; exit 1; }",
        ...ownedDirectoryShell(),
        "sha() { sha256sum < \"$1\" | cut -d' ' -f1; }",
        "probe_header_from() { printf 'Authorization: Bearer %s\\n' \"$(head -n1 \"$1\" | cut -d, -f1)\" > \"$hdr\"; }",
        "http_code() { curl -sk -o /dev/null -w '%{http_code}' --max-time 5 \"$@\" \"$readyz_url\" 2>/dev/null || true; }",
        "apiserver_down() { [ \"$(http_code)\" = 000 ]; }",
        // 200 with a token means: up, ready, and this token file loaded (an unknown token gets 401).
        "token_accepted() { [ \"$(http_code -H \"@$hdr\")\" = 200 ]; }",
        // 401 for the token and an answer without it means: up again, without the token file.
        "token_rejected() { [ \"$(http_code -H \"@$hdr\")\" = 401 ] && case \"$(http_code)\" in 200|401) true;; *) false;; esac; }",
        "wait_for() {",
        "  what=$1; shift",
        "  deadline=$(( $(date +%s) + timeout ))",
        "  until \"$@\"; do",
        "    if [ \"$(date +%s)\" -ge \"$deadline\" ]; then waited=\"timed out after ${timeout}s waiting for $what\"; return 1; fi",
        "    sleep \"$interval\"",
        "  done",
        "}",
    ];
}

/** The file kube-baseline leaves in every directory it creates on a node: its proof of ownership. */
export const OWNED_DIRECTORY_MARKER = ".kube-baseline-owned";

/**
 * Shell functions (they need `fail`) that keep kube-baseline's hands off directories it did not create:
 *  - claim_dir DIR [NAME...]: creates DIR (mode 0700) with the ownership marker, or accepts DIR when it carries the
 *    marker. A DIR without the marker that an earlier kube-baseline left (a root-owned 0700 directory holding
 *    nothing but some of the NAMEs it writes there, before the marker existed) gets the marker. Any other existing
 *    DIR, or a symlink, is left as it is and the script fails naming the node and the path.
 *  - owned_dir DIR: true when DIR is a real directory with the marker.
 *  - release_dir DIR: removes the marker, then DIR if it is empty (the caller checked owned_dir).
 */
export function ownedDirectoryShell(): string[] {
    const marker = q(OWNED_DIRECTORY_MARKER);
    return [
        `owned_dir() { [ -d "$1" ] && [ ! -L "$1" ] && [ -f "$1/"${marker} ]; }`,
        "left_by_kube_baseline() {",
        "  dir=$1; shift",
        "  [ -d \"$dir\" ] && [ ! -L \"$dir\" ] && [ \"$(stat -c %a:%u \"$dir\")\" = 700:0 ] || return 1",
        "  found=0",
        "  for entry in \"$dir\"/* \"$dir\"/.[!.]*; do",
        "    [ -e \"$entry\" ] || [ -L \"$entry\" ] || continue",
        "    [ -f \"$entry\" ] && [ ! -L \"$entry\" ] || return 1",
        "    known=0",
        "    for name in \"$@\"; do [ \"${entry##*/}\" = \"$name\" ] && known=1; done",
        "    [ \"$known\" = 1 ] || return 1",
        "    found=1",
        "  done",
        "  [ \"$found\" = 1 ]",
        "}",
        "claim_dir() {",
        "  dir=$1; shift",
        "  if [ -L \"$dir\" ]; then",
        "    fail \"$dir is a symbolic link; refusing to change its mode or owner (kube-baseline only manages directories it creates)\"",
        "  elif [ -e \"$dir\" ] && ! owned_dir \"$dir\"; then",
        "    if left_by_kube_baseline \"$dir\" \"$@\"; then",
        `      : > "$dir/"${marker}`,
        "    else",
        "      fail \"$dir exists and was not created by kube-baseline; refusing to change its mode or owner (configure a directory of its own)\"",
        "    fi",
        "  elif [ ! -e \"$dir\" ]; then",
        "    mkdir -p \"$dir\"",
        `    : > "$dir/"${marker}`,
        "  fi",
        "  chmod 0700 \"$dir\"",
        "}",
        `release_dir() { rm -f "$1/"${marker}; rmdir "$1" 2>/dev/null || true; }`,
    ];
}

/** Single-quotes a value for sh. */
function q(value: string): string {
    return `'${value.replace(/'/g, "'\\''")}'`;
}

function baseName(path: string): string {
    return path.slice(path.lastIndexOf("/") + 1);
}

function dirName(path: string): string {
    const dir = path.slice(0, path.lastIndexOf("/"));
    return dir === "" ? "/" : dir;
}

function checkPath(path: string): void {
    if (!/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(path) || path.split("/").includes("..")) {
        throw new Error(`not a plain absolute path: ${JSON.stringify(path)}`);
    }
}

function checkPaths(paths: StaticTokenPaths): void {
    checkPath(paths.tokenFile);
    checkPath(paths.manifestPath);
    checkPath(paths.backupDirectory);
}

function checkSha(sha: string): void {
    if (!/^[0-9a-f]{64}$/.test(sha)) throw new Error(`not a sha256 hex digest: ${JSON.stringify(sha)}`);
}

function checkWait(wait: ApiserverWait): void {
    if (!/^https?:\/\/[A-Za-z0-9.:\[\]-]+(\/[A-Za-z0-9._/-]*)?$/.test(wait.readyzUrl)) {
        throw new Error(`not a readyz URL: ${JSON.stringify(wait.readyzUrl)}`);
    }
    if (!Number.isInteger(wait.timeoutSeconds) || wait.timeoutSeconds <= 0) throw new Error("timeoutSeconds must be a positive integer");
    if (wait.intervalSeconds !== undefined && (!Number.isInteger(wait.intervalSeconds) || wait.intervalSeconds <= 0)) {
        throw new Error("intervalSeconds must be a positive integer");
    }
}
