// Shell scripts (pure string builders, POSIX sh + coreutils + curl) that apply one component's patch on one
// control-plane node over SSH, and take it off again. The wiring runs them one node and one component at a time.
//
// The split (as for static tokens): the program reads the manifest (readManifestStateScript), computes the patched
// text in TypeScript (manifestPatch.ts), and the node only swaps whole files:
//  - apply: writes the files (directories and files with the stated mode and owner, each through a temp file in
//    its own directory + mv; secret content only from stdin); backs the original manifest up once, byte for byte;
//    replaces the manifest only if its sha256 is still the original's or the one kube-baseline last wrote
//    (compare-and-swap); restarts the component when only files changed (the manifest is parked and put back);
//    waits, bounded, until a *new* process runs the patched manifest's exact command line and the component's
//    health endpoint answers 200; on timeout puts the previous manifest and files back.
//  - restore: puts the backup back (only over the text kube-baseline wrote), waits until the original command runs
//    and is healthy, then removes the files and the directories kube-baseline created.
// Directories follow the static-token scripts' rule (issue 13): kube-baseline marks the ones it creates with
// OWNED_DIRECTORY_MARKER and only ever changes the mode or owner of, or removes, those. A directory an earlier
// kube-baseline left before the marker existed (the mode and owner asked for, holding nothing but files of the
// names kube-baseline writes there) is adopted: it gets the marker. Any other existing directory, or a symbolic
// link, is refused, naming the node and the path, before anything is written. Everything a node script needs on
// delete is on the node (Pulumi runs the delete command it stored): state lives in the state directory.

import { sha256Hex } from "../hash";
import { ControlPlaneComponent } from "./components";
import { isPlainAbsolutePath, ManagedDirectory, ManagedFile, OWNER, FILE_MODE, parentDirectory } from "./patchModel";
import { readStaticPod } from "./staticPodManifest";

export interface NodePatchPaths {
    /** The component's static pod manifest. */
    manifestPath: string;
    /** Node-local directory (0700) for the backup and the record of what kube-baseline wrote; outside the manifest directory. */
    stateDirectory: string;
    /** Where running processes are listed; "/proc" on a node (tests point it at a fake). */
    procRoot?: string;
}

export interface HealthWait {
    /** The component's health URL on this node (componentHealthUrl). */
    url: string;
    timeoutSeconds: number;
    /** Seconds between probes. */
    intervalSeconds?: number;
}

export interface ApplyPatchScriptInput {
    /** Node name, in every message. */
    node: string;
    component: ControlPlaneComponent;
    paths: NodePatchPaths;
    /** The manifest exactly as the program read it (the original, from the backup once there is one). */
    originalManifest: string;
    /** The full patched manifest text. */
    patchedManifest: string;
    /**
     * The node as the program read it (readManifestStateScript): the live manifest may be replaced when it still has
     * this sha256, and a backup with backupSha256 may be replaced by originalManifest (after `kubeadm upgrade`
     * changed the original; see planManifestUpdate). Without them only the original or kube-baseline's own text
     * is replaced.
     */
    expected?: { liveSha256?: string; backupSha256?: string };
    directories: ManagedDirectory[];
    /** Secret files' content is ignored here: it comes on stdin (renderApplyStdin), in this order. */
    files: ManagedFile[];
    health: HealthWait;
    /**
     * Files only (destroy's first encryption step): the manifest must be exactly the patched text and is not
     * changed; when it does not mention `unlessManifestLacks` at all there is nothing to do (the patch is gone
     * already); anything else fails before a file is written.
     */
    filesOnly?: { unlessManifestLacks: string };
}

export interface RestorePatchScriptInput {
    node: string;
    component: ControlPlaneComponent;
    paths: NodePatchPaths;
    originalManifest: string;
    /** The patched text this restore undoes (a fallback for the record of what kube-baseline wrote). */
    patchedManifest?: string;
    /** Paths of the files the patch writes (a fallback for the record on the node). */
    files: string[];
    /** The patch's directories: removed when kube-baseline created them and they are empty. */
    directories: string[];
    health: HealthWait;
}

export interface ManifestState {
    /** The original: the backup when kube-baseline made one, else the live manifest. */
    original: { text: string; sha256: string };
    /** The manifest now, or undefined when there is none. */
    live?: { text: string; sha256: string };
    /** The text kube-baseline last wrote into the manifest, when it wrote one. */
    written?: { text: string; sha256: string };
    /**
     * What the last apply was told to expect (ApplyPatchScriptInput.expected), as it recorded on the node: the next
     * run asks for the same while nothing changed, so its script is the same too.
     */
    recordedExpected?: { liveSha256?: string; backupSha256?: string };
}

/** The file kube-baseline leaves in every directory it creates on a node (the static-token scripts' marker). */
export const OWNED_DIRECTORY_MARKER = ".kube-baseline-owned";

/** sha256 of a command line's arguments after argv[0], each NUL-terminated: what /proc/<pid>/cmdline holds. */
export function commandArgsSha256(manifest: string, component: ControlPlaneComponent): string {
    const command = readStaticPod(manifest, component).command;
    return sha256Hex(Buffer.from(command.slice(1).map(a => `${a}\0`).join(""), "utf8"));
}

/** stdin for the apply script: one line per secret file, its content base64-encoded. Secret: keep it secret. */
export function renderApplyStdin(files: ManagedFile[]): string {
    return files.filter(f => f.secret).map(f => `${Buffer.from(f.content, "utf8").toString("base64")}\n`).join("");
}

/**
 * The names kube-baseline writes into its state directory (for every component, and for kubeadm-config), and the
 * static-token scripts' before them: what an adopted state directory may hold.
 */
export function stateFileNames(): string[] {
    const names = [".probe-header", "kubeadm-config.orig", "kubeadm-config.written", "kubeadm-config.accepted"];
    for (const base of ["kube-apiserver.yaml", "kube-controller-manager.yaml", "kube-scheduler.yaml"]) {
        names.push(`${base}.orig`, `${base}.written`, `${base}.files`, `${base}.parked`, `${base}.before`, `${base}.written.before`, `${base}.expected`);
    }
    return names;
}

export function backupPath(paths: NodePatchPaths): string {
    return `${paths.stateDirectory}/${baseName(paths.manifestPath)}.orig`;
}

/**
 * Prints one JSON line: the original manifest (the backup when there is one), the live one, and the sha256 of what
 * kube-baseline last wrote, base64 so no byte is lost. Read-only.
 */
export function readManifestStateScript(paths: NodePatchPaths): string {
    checkPaths(paths);
    const base = baseName(paths.manifestPath);
    return [
        "set -eu",
        `manifest=${q(paths.manifestPath)}`,
        `backup=${q(backupPath(paths))}`,
        `written_file=${q(`${paths.stateDirectory}/${base}.written`)}`,
        "b64() { base64 < \"$1\" | tr -d '\\n'; }",
        "if [ -f \"$backup\" ]; then source=$backup; else source=$manifest; fi",
        "[ -f \"$source\" ] || { echo \"kube-baseline: $manifest not found on $(uname -n)\" >&2; exit 1; }",
        "live=''; [ ! -f \"$manifest\" ] || live=$(b64 \"$manifest\")",
        "written=''; [ ! -s \"$written_file\" ] || written=$(b64 \"$written_file\")",
        "printf '{\"original\":\"%s\",\"live\":\"%s\",\"written\":\"%s\"}\\n' \"$(b64 \"$source\")\" \"$live\" \"$written\"",
    ].join("\n") + "\n";
}

/** Parses readManifestStateScript's output. Throws unless the manifests are UTF-8 text. */
export function parseManifestState(stdout: string): ManifestState {
    const line = stdout.split("\n").map(l => l.trim()).filter(l => l.startsWith("{")).pop();
    if (!line) throw new Error(`reading the manifest printed nothing usable (${JSON.stringify(stdout.slice(0, 120))})`);
    const raw = JSON.parse(line) as { original: string; live: string; written: string };
    const decode = (b64: string, what: string) => {
        const bytes = Buffer.from(b64, "base64");
        const text = bytes.toString("utf8");
        if (!Buffer.from(text, "utf8").equals(bytes)) throw new Error(`the ${what} manifest is not UTF-8 text`);
        return { text, sha256: sha256Hex(bytes) };
    };
    const original = decode(raw.original, "original");
    if (original.text.trim() === "") throw new Error("the manifest read from the node is empty");
    return {
        original,
        live: raw.live === "" ? undefined : decode(raw.live, "live"),
        written: raw.written === "" ? undefined : decode(raw.written, "written"),
    };
}

/** Expects renderApplyStdin(files) on stdin. Prints a result line: {"manifestChanged":..,"filesChanged":[..],"restarted":..}. */
export function applyPatchScript(input: ApplyPatchScriptInput): string {
    const { paths, health } = input;
    checkCommon(input.node, paths, health);
    checkEntries(input.directories, input.files);
    const originalSha = sha256Hex(Buffer.from(input.originalManifest, "utf8"));
    const patchedSha = sha256Hex(Buffer.from(input.patchedManifest, "utf8"));
    const patchedArgs = commandArgsSha256(input.patchedManifest, input.component);
    const base = baseName(paths.manifestPath);
    const secretCount = input.files.filter(f => f.secret).length;

    const lines: string[] = [
        ...preamble(input.node, input.component, paths, health, readStaticPod(input.patchedManifest, input.component).command[0]),
        `original_sha=${q(originalSha)}`,
        `patched_sha=${q(patchedSha)}`,
        `patched_args=${q(patchedArgs)}`,
        `expected_live=${q(checkedSha(input.expected?.liveSha256))}`,
        `expected_backup=${q(checkedSha(input.expected?.backupSha256))}`,
        `written_before=${q(`${paths.stateDirectory}/${base}.written.before`)}`,
        `before_copy=${q(`${paths.stateDirectory}/${base}.before`)}`,
        `prev=${q(`${paths.stateDirectory}/.prev-${base}`)}`,
        `staging=${q(`${paths.stateDirectory}/.staging-${base}`)}`,
        "tmp_file=''",
        "cleanup() {",
        "  rm -f \"$tmp_manifest\"",
        "  [ -z \"$tmp_file\" ] || rm -f \"$tmp_file\"",
        "  rm -rf \"$staging\"",
        // Never leave the control plane without its manifest, whatever interrupted us.
        "  if [ -f \"$parked\" ] && [ ! -e \"$manifest\" ]; then mv -f \"$parked\" \"$manifest\"; fi",
        "}",
        "trap cleanup EXIT",
        "",
        "# 1. Decide before touching anything.",
        "unpark_leftover",
        "[ -f \"$manifest\" ] || fail \"$manifest not found\"",
        "current=$(sha \"$manifest\")",
        "written=$(read_written)",
        ...(input.filesOnly ? [
            `guard_text=${q(input.filesOnly.unlessManifestLacks)}`,
            "if [ \"$current\" = \"$patched_sha\" ]; then manifest_action=keep",
            "elif ! grep -qF -- \"$guard_text\" \"$manifest\"; then",
            "  printf '{\"node\":\"%s\",\"component\":\"%s\",\"skipped\":true}\\n' \"$node_name\" \"$component\"",
            "  exit 0",
            "else",
            "  fail \"$manifest is not the text kube-baseline wrote (edited by hand or regenerated by kubeadm upgrade since) but still uses $guard_text; nothing was changed. Run pulumi up (it re-applies onto the manifest as it is now), then destroy again.\"",
            "fi",
        ] : [
            "if [ \"$current\" = \"$patched_sha\" ]; then manifest_action=keep",
            "elif [ \"$current\" = \"$original_sha\" ] || { [ -n \"$written\" ] && [ \"$current\" = \"$written\" ]; } || { [ -n \"$expected_live\" ] && [ \"$current\" = \"$expected_live\" ]; }; then manifest_action=swap",
            "else",
            "  fail \"$manifest changed since it was read (sha256 $current; expected ${expected_live:-the original $original_sha}${written:+ or kube-baseline's own $written}); nothing was written. Run pulumi up again (it reads the node anew).\"",
            "fi",
        ]),
        // The backup is the original; it is replaced only when the program says the original changed (rebase).
        "rebase=0",
        "if [ -f \"$backup\" ] && [ \"$(sha \"$backup\")\" != \"$original_sha\" ]; then",
        "  if [ -n \"$expected_backup\" ] && [ \"$(sha \"$backup\")\" = \"$expected_backup\" ]; then rebase=1",
        "  else fail \"the backup $backup is not the original manifest kube-baseline read; nothing was written. Compare it with $manifest and restore by hand.\"",
        "  fi",
        "fi",
        // Every directory: refuse before writing anything if one kube-baseline did not make has another mode/owner.
        ...directoryPlan(paths.stateDirectory, input.directories)
            .map(d => d.ancestor ? "" : `check_dir ${dirArgs(d, paths.stateDirectory, input.files)}`).filter(l => l !== ""),
        "",
        "# 2. Secret content from stdin, checked before anything is written.",
        `expected_secrets=${secretCount}`,
        ...directoryPlan(paths.stateDirectory, [])
            .map(d => d.ancestor ? `ensure_ancestor ${q(d.path)}` : `ensure_dir ${dirArgs(d, paths.stateDirectory, input.files)}`),
        "rm -rf \"$staging\"; mkdir -m 0700 \"$staging\"",
        "i=0",
        "while [ \"$i\" -lt \"$expected_secrets\" ]; do",
        "  line=''",
        "  IFS= read -r line || [ -n \"$line\" ] || fail \"expected $expected_secrets secret file(s) on stdin, got $i\"",
        "  [ -n \"$line\" ] || fail \"secret file $((i + 1)) of $expected_secrets is empty on stdin\"",
        "  printf '%s' \"$line\" | base64 -d > \"$staging/$i\" || fail \"secret file $((i + 1)) on stdin is not base64\"",
        "  i=$((i + 1))",
        "done",
        "",
        "# 3. Directories, then files (each replaced atomically; the old content kept until the component is healthy).",
        ...directoryPlan(paths.stateDirectory, input.directories)
            .map(d => d.ancestor ? `ensure_ancestor ${q(d.path)}` : `ensure_dir ${dirArgs(d, paths.stateDirectory, input.files)}`),
        // Listed before they are written, so a restore after an interruption still removes them.
        `new_files=${q(input.files.map(f => f.path).join(" "))}`,
        "record_files \"$(cat \"$files_list\" 2>/dev/null || true) $new_files\"",
        "rm -rf \"$prev\"; mkdir -m 0700 \"$prev\"",
        "files_changed=''",
        ...fileSteps(input.files),
        "",
        "# 4. The manifest: back up the original once, then compare-and-swap the patched text in.",
        "cp -p \"$manifest\" \"$before_copy\"",
        "rm -f \"$written_before\"; [ ! -f \"$written_file\" ] || cp -p \"$written_file\" \"$written_before\"",
        "if [ ! -f \"$backup\" ] || [ \"$rebase\" = 1 ]; then",
        "  if [ \"$current\" = \"$original_sha\" ]; then cp -p \"$manifest\" \"$backup.tmp\"",
        // Patched by an earlier run whose backup is gone: rebuild it from the text the program read.
        "  else printf '%s' " + q(b64(input.originalManifest)) + " | base64 -d > \"$backup.tmp\"; chmod \"$(stat -c %a \"$manifest\")\" \"$backup.tmp\"; chown \"$(stat -c %u:%g \"$manifest\")\" \"$backup.tmp\"",
        "  fi",
        "  [ \"$(sha \"$backup.tmp\")\" = \"$original_sha\" ] || fail \"backup of $manifest does not match what was read\"",
        "  mv -f \"$backup.tmp\" \"$backup\"",
        "fi",
        "before_pids=''",
        "restarted=0",
        "if [ \"$manifest_action\" = swap ]; then",
        "  printf '%s' " + q(b64(input.patchedManifest)) + " | base64 -d > \"$tmp_manifest\"",
        "  [ \"$(sha \"$tmp_manifest\")\" = \"$patched_sha\" ] || fail \"patched manifest damaged on the way\"",
        "  chmod \"$(stat -c %a \"$manifest\")\" \"$tmp_manifest\"",
        "  chown \"$(stat -c %u:%g \"$manifest\")\" \"$tmp_manifest\"",
        "  before_pids=$(component_pids '' | tr '\\n' ' ')",
        "  [ \"$(sha \"$manifest\")\" = \"$current\" ] || fail \"$manifest changed while patching; not overwritten\"",
        "  mv -f \"$tmp_manifest\" \"$manifest\"",
        "  restarted=1",
        "elif [ -n \"$files_changed\" ]; then",
        // The component reads these files only when it starts: take the static pod away and bring it back.
        "  before_pids=$(component_pids '' | tr '\\n' ' ')",
        "  restart_component \"$patched_args\"",
        "  restarted=1",
        "fi",
        "write_written",
        "",
        "# 5. Wait until a new process runs the patched command line and the component is healthy.",
        `if ! wait_for "${input.component} to run the patched manifest and answer $health_url" ready "$patched_args"; then`,
        "  reason=$waited",
        "  for f in $files_changed; do",
        "    if [ -f \"$prev$f\" ]; then mv -f \"$prev$f\" \"$f\"; else rm -f \"$f\"; fi",
        "  done",
        "  if [ \"$manifest_action\" = swap ] && [ \"$(sha \"$manifest\")\" = \"$patched_sha\" ]; then",
        "    cp -p \"$before_copy\" \"$tmp_manifest\" && mv -f \"$tmp_manifest\" \"$manifest\"",
        "  elif [ -n \"$files_changed\" ]; then",
        "    before_pids=$(component_pids '' | tr '\\n' ' ')",
        "    restart_component \"$patched_args\" || true",
        "  fi",
        "  if [ -f \"$written_before\" ]; then mv -f \"$written_before\" \"$written_file\"; else rm -f \"$written_file\"; fi",
        "  if wait_for \"$component to be healthy again\" healthy; then back='it is healthy again'; else back=\"it is not healthy yet ($waited)\"; fi",
        "  fail \"$reason; the previous manifest and files were put back, $back\"",
        "fi",
        "",
        "# 6. Done: drop the old copies and any file an earlier patch wrote that this one no longer does.",
        "for f in $(cat \"$files_list\" 2>/dev/null || true); do",
        "  case \" $new_files \" in *\" $f \"*) ;; *) rm -f \"$f\";; esac",
        "done",
        "record_files \"$new_files\"",
        "printf '%s %s\\n' \"${expected_live:--}\" \"${expected_backup:--}\" > \"$expected_file.tmp\" && mv -f \"$expected_file.tmp\" \"$expected_file\"",
        "rm -rf \"$prev\" \"$before_copy\" \"$written_before\"",
        "changed_json=$(for f in $files_changed; do printf ',\"%s\"' \"$f\"; done)",
        "printf '{\"node\":\"%s\",\"component\":\"%s\",\"manifestChanged\":%s,\"filesChanged\":[%s],\"restarted\":%s}\\n' \\",
        "  \"$node_name\" \"$component\" \"$( [ \"$manifest_action\" = swap ] && echo true || echo false)\" \"${changed_json#,}\" \"$( [ \"$restarted\" = 1 ] && echo true || echo false)\"",
    ];
    return lines.join("\n") + "\n";
}

/** Needs no stdin: everything it restores is on the node. */
export function restorePatchScript(input: RestorePatchScriptInput): string {
    const { paths, health } = input;
    checkCommon(input.node, paths, health);
    for (const f of [...input.files, ...input.directories]) if (!isPlainAbsolutePath(f)) throw new Error(`not a plain absolute path: ${JSON.stringify(f)}`);
    const originalSha = sha256Hex(Buffer.from(input.originalManifest, "utf8"));
    const originalArgs = commandArgsSha256(input.originalManifest, input.component);
    return [
        ...preamble(input.node, input.component, paths, health, readStaticPod(input.originalManifest, input.component).command[0]),
        `original_sha=${q(originalSha)}`,
        `original_args=${q(originalArgs)}`,
        `patched_sha=${q(input.patchedManifest === undefined ? "" : sha256Hex(Buffer.from(input.patchedManifest, "utf8")))}`,
        "trap 'rm -f \"$tmp_manifest\"' EXIT",
        "",
        "unpark_leftover",
        "current=''; [ ! -f \"$manifest\" ] || current=$(sha \"$manifest\")",
        "written=$(read_written)",
        "[ -n \"$written\" ] || written=$patched_sha",
        `managed=$(printf '%s\\n' $(cat "$files_list" 2>/dev/null || true) ${input.files.map(q).join(" ")} | sort -u)`,
        "restored=0",
        "before_pids=''",
        "if [ -n \"$current\" ] && [ -n \"$written\" ] && [ \"$current\" = \"$written\" ] && [ \"$written\" != \"$original_sha\" ]; then",
        "  [ -f \"$backup\" ] || fail \"$manifest is patched but the backup $backup is missing; restore it by hand\"",
        "  [ \"$(sha \"$backup\")\" = \"$original_sha\" ] || fail \"backup $backup is not the original manifest; restore it by hand\"",
        "  cp -p \"$backup\" \"$tmp_manifest\"",
        "  before_pids=$(component_pids '' | tr '\\n' ' ')",
        "  [ \"$(sha \"$manifest\")\" = \"$current\" ] || fail \"$manifest changed while restoring; not overwritten\"",
        "  mv -f \"$tmp_manifest\" \"$manifest\"",
        "  restored=1",
        "elif [ -n \"$current\" ] && [ \"$current\" != \"$original_sha\" ] && [ -n \"$written\" ]; then",
        // Not the text kube-baseline wrote (edited by hand, or regenerated by kubeadm upgrade): it may still carry
        // kube-baseline's flags and use its files, and only the program can take them out of it.
        "  fail \"$manifest is not the text kube-baseline wrote (edited by hand or regenerated by kubeadm upgrade since); nothing was restored or removed. Run pulumi up (it re-applies onto the manifest as it is now), then destroy again. The original is at $backup\"",
        "elif [ -n \"$current\" ] && [ \"$current\" != \"$original_sha\" ]; then",
        // kube-baseline never wrote this manifest: keep the files it still uses.
        "  for f in $managed; do",
        "    if grep -qF -- \"$f\" \"$manifest\"; then",
        "      fail \"$manifest still uses $f but is not the text kube-baseline wrote; nothing was removed. The original is at $backup\"",
        "    fi",
        "  done",
        "fi",
        "",
        "if [ \"$restored\" = 1 ]; then",
        `  wait_for "${input.component} to run the original manifest and answer $health_url" ready "$original_args" || fail "$waited; the original manifest is back, the files were kept"`,
        "fi",
        "for f in $managed; do rm -f \"$f\"; done",
        "rm -f \"$files_list\"",
        "if [ \"$restored\" = 1 ] || [ \"$current\" = \"$original_sha\" ] || [ -z \"$current\" ]; then",
        "  rm -f \"$backup\" \"$written_file\" \"$expected_file\"",
        "else",
        "  [ ! -f \"$backup\" ] || echo \"kube-baseline: node $node_name: $manifest was changed by someone else since; kept the old original at $backup\" >&2",
        "  rm -f \"$written_file\" \"$expected_file\"",
        "fi",
        ...directoryPlan(paths.stateDirectory, input.directories.map(path => ({ path, mode: "0700", owner: "root:root" })))
            .map(d => d.path).reverse().map(d => `release_dir ${q(d)}`),
        "printf '{\"node\":\"%s\",\"component\":\"%s\",\"restored\":%s}\\n' \"$node_name\" \"$component\" \"$( [ \"$restored\" = 1 ] && echo true || echo false)\"",
    ].join("\n") + "\n";
}


// ---------------------------------------------------------------------------------------------------------

function preamble(node: string, component: ControlPlaneComponent, paths: NodePatchPaths, health: HealthWait, executable: string): string[] {
    const base = baseName(paths.manifestPath);
    const exe = baseName(executable);
    return [
        "set -eu",
        "umask 077",
        `node_name=${q(node)}`,
        `component=${q(component)}`,
        `exe=${q(exe)}`,
        // /proc/<pid>/comm holds at most 15 characters of the executable's name.
        `comm_name=${q(exe.slice(0, 15))}`,
        `manifest=${q(paths.manifestPath)}`,
        `state=${q(paths.stateDirectory)}`,
        `backup=${q(backupPath(paths))}`,
        `written_file=${q(`${paths.stateDirectory}/${base}.written`)}`,
        `files_list=${q(`${paths.stateDirectory}/${base}.files`)}`,
        `expected_file=${q(`${paths.stateDirectory}/${base}.expected`)}`,
        `parked=${q(`${paths.stateDirectory}/${base}.parked`)}`,
        // Dot files in the manifest directory are ignored by kubelet.
        `tmp_manifest=${q(`${parentDirectory(paths.manifestPath)}/.${base}.kube-baseline.tmp`)}`,
        `proc=${q(paths.procRoot ?? "/proc")}`,
        `health_url=${q(health.url)}`,
        `timeout=${health.timeoutSeconds}`,
        `interval=${health.intervalSeconds ?? 2}`,
        "waited=''",
        "fail() { echo \"kube-baseline: node $node_name: $component: $*\" >&2; exit 1; }",
        "sha() { sha256sum < \"$1\" | cut -d' ' -f1; }",
        // A copy of the text kube-baseline last wrote into the manifest (for drift reports and compare-and-swap).
        "read_written() { [ ! -s \"$written_file\" ] || sha \"$written_file\"; }",
        "write_written() { cp -p \"$manifest\" \"$written_file.tmp\" && mv -f \"$written_file.tmp\" \"$written_file\"; }",
        "record_files() { printf '%s\\n' $1 | sort -u | grep . > \"$files_list.tmp\" || true; mv -f \"$files_list.tmp\" \"$files_list\"; }",
        "unpark_leftover() { if [ ! -e \"$manifest\" ] && [ -f \"$parked\" ]; then mv -f \"$parked\" \"$manifest\"; fi; }",
        // The component's processes on this node, optionally only those whose arguments hash to $1.
        "component_pids() {",
        "  for d in \"$proc\"/[0-9]*; do",
        "    [ -r \"$d/comm\" ] || continue",
        "    c=''; { read -r c < \"$d/comm\"; } 2>/dev/null || continue",
        "    [ \"$c\" = \"$comm_name\" ] || continue",
        "    a0=$(head -z -n1 \"$d/cmdline\" 2>/dev/null | tr -d '\\000')",
        "    [ \"${a0##*/}\" = \"$exe\" ] || continue",
        "    if [ -n \"$1\" ]; then",
        "      [ \"$(tail -z -n +2 \"$d/cmdline\" 2>/dev/null | sha256sum | cut -d' ' -f1)\" = \"$1\" ] || continue",
        "    fi",
        "    echo \"${d##*/}\"",
        "  done",
        "}",
        "http_code() { curl -sk -o /dev/null -w '%{http_code}' --max-time 5 \"$health_url\" 2>/dev/null || true; }",
        "healthy() { [ \"$(http_code)\" = 200 ]; }",
        // A process with exactly these arguments that was not running before the change, and a healthy component.
        "ready() {",
        "  for p in $(component_pids \"$1\"); do",
        "    case \" $before_pids \" in *\" $p \"*) ;; *) healthy && return 0 || return 1;; esac",
        "  done",
        "  return 1",
        "}",
        "gone() { [ -z \"$(component_pids \"$1\")\" ]; }",
        "wait_for() {",
        "  what=$1; shift",
        "  deadline=$(( $(date +%s) + timeout ))",
        "  until \"$@\"; do",
        "    if [ \"$(date +%s)\" -ge \"$deadline\" ]; then waited=\"timed out after ${timeout}s waiting for $what\"; return 1; fi",
        "    sleep \"$interval\"",
        "  done",
        "}",
        // Take the static pod away until its process is gone, then bring it back.
        "restart_component() {",
        "  mv -f \"$manifest\" \"$parked\"",
        "  wait_for \"$component to stop\" gone \"$1\" || { mv -f \"$parked\" \"$manifest\"; fail \"$waited\"; }",
        "  mv -f \"$parked\" \"$manifest\"",
        "}",
        // Directories: kube-baseline marks the ones it creates (OWNED_DIRECTORY_MARKER, as the static-token scripts
        // do) and only ever changes the mode or owner of, or removes, those.
        `owned_dir() { [ -d "$1" ] && [ ! -L "$1" ] && [ -f "$1/"${q(OWNED_DIRECTORY_MARKER)} ]; }`,
        "norm_mode() { m=$1; while [ ${#m} -lt 4 ]; do m=0$m; done; echo \"$m\"; }",
        "owner_is() { [ \"$(stat -c %U:%G \"$1\")\" = \"$2\" ] || [ \"$(stat -c %u:%g \"$1\")\" = \"$2\" ]; }",
        // Left by an earlier kube-baseline before the marker (DIR MODE OWNER NAME...): mode and owner as asked, and
        // nothing in it but regular files with the names kube-baseline writes there.
        "left_by_kube_baseline() {",
        "  lb_dir=$1; lb_mode=$2; lb_owner=$3; shift 3",
        "  [ -d \"$lb_dir\" ] && [ ! -L \"$lb_dir\" ] || return 1",
        "  [ \"$(norm_mode \"$(stat -c %a \"$lb_dir\")\")\" = \"$lb_mode\" ] && owner_is \"$lb_dir\" \"$lb_owner\" || return 1",
        "  lb_found=0",
        "  for lb_entry in \"$lb_dir\"/* \"$lb_dir\"/.[!.]*; do",
        "    [ -e \"$lb_entry\" ] || [ -L \"$lb_entry\" ] || continue",
        "    [ -f \"$lb_entry\" ] && [ ! -L \"$lb_entry\" ] || return 1",
        "    lb_known=0",
        "    for lb_name in \"$@\"; do [ \"${lb_entry##*/}\" = \"$lb_name\" ] && lb_known=1; done",
        "    [ \"$lb_known\" = 1 ] || return 1",
        "    lb_found=1",
        "  done",
        "  [ \"$lb_found\" = 1 ]",
        "}",
        // May kube-baseline use this directory (DIR MODE OWNER NAME...)? Missing, its own, or left by it.
        "check_dir() {",
        "  if [ -L \"$1\" ]; then fail \"$1 is a symbolic link; refusing to use it (kube-baseline only manages directories it creates)\"; fi",
        "  if [ -e \"$1\" ] && [ ! -d \"$1\" ]; then fail \"$1 exists and is not a directory\"; fi",
        "  [ -d \"$1\" ] || return 0",
        "  owned_dir \"$1\" && return 0",
        "  left_by_kube_baseline \"$@\" && return 0",
        "  fail \"$1 exists and was not created by kube-baseline; refusing to change its mode or owner or to write into it (configure a directory of its own)\"",
        "}",
        `claim_new_dir() { mkdir -m "$2" "$1"; : > "$1/"${q(OWNED_DIRECTORY_MARKER)}; }`,
        "ensure_ancestor() { [ -d \"$1\" ] || claim_new_dir \"$1\" 0755; }",
        "ensure_dir() {",
        "  if [ ! -d \"$1\" ]; then claim_new_dir \"$1\" \"$2\"",
        `  elif ! owned_dir "$1"; then check_dir "$@"; : > "$1/"${q(OWNED_DIRECTORY_MARKER)}`,
        "  fi",
        "  chmod \"$2\" \"$1\"; chown \"$3\" \"$1\"",
        "}",
        // A directory kube-baseline made goes when nothing but its marker is left in it (deepest first).
        `release_dir() { if owned_dir "$1" && [ "$(ls -A "$1")" = ${q(OWNED_DIRECTORY_MARKER)} ]; then rm -f "$1/"${q(OWNED_DIRECTORY_MARKER)}; rmdir "$1"; fi; }`,
    ];
}

/** Directories to make, parents first: missing ancestors (0755, recorded) and the declared ones. */
function directoryPlan(stateDirectory: string, directories: ManagedDirectory[]): Array<ManagedDirectory & { ancestor: boolean }> {
    const declared = new Map(directories.map(d => [d.path, d]));
    declared.set(stateDirectory, { path: stateDirectory, mode: "0700", owner: "root:root" });
    const out: Array<ManagedDirectory & { ancestor: boolean }> = [];
    const seen = new Set<string>();
    for (const d of [...declared.values()].sort((a, b) => a.path.split("/").length - b.path.split("/").length)) {
        for (const p of stateDirectoryChain(d.path)) {
            if (seen.has(p)) continue;
            seen.add(p);
            const own = declared.get(p);
            out.push(own ? { ...own, ancestor: false } : { path: p, mode: "0755", owner: "root:root", ancestor: true });
        }
    }
    return out;
}

/** check_dir / ensure_dir arguments: path, mode, owner and the file names kube-baseline may have left there. */
function dirArgs(d: ManagedDirectory, stateDirectory: string, files: ManagedFile[]): string {
    const names = files.filter(f => parentDirectory(f.path) === d.path).map(f => baseName(f.path));
    if (d.path === stateDirectory) names.push(...stateFileNames());
    return [d.path, d.mode, d.owner, ...names].map(q).join(" ");
}

/** "/a/b/c" -> ["/a", "/a/b", "/a/b/c"]. */
function stateDirectoryChain(path: string): string[] {
    const parts = path.split("/").filter(p => p !== "");
    return parts.map((_, i) => `/${parts.slice(0, i + 1).join("/")}`);
}

function fileSteps(files: ManagedFile[]): string[] {
    let secretIndex = 0;
    const out: string[] = [];
    for (const f of files) {
        const source = f.secret
            ? `cat "$staging/${secretIndex++}" > "$tmp_file"`
            : `printf '%s' ${q(b64(f.content))} | base64 -d > "$tmp_file"`;
        out.push(
            `f=${q(f.path)}`,
            `tmp_file=$(mktemp ${q(`${parentDirectory(f.path)}/.kube-baseline.XXXXXX`)})`,
            source,
            `chmod ${q(f.mode)} "$tmp_file"; chown ${q(f.owner)} "$tmp_file"`,
            "if [ -f \"$f\" ] && [ \"$(sha \"$f\")\" = \"$(sha \"$tmp_file\")\" ]; then",
            `  rm -f "$tmp_file"; chmod ${q(f.mode)} "$f"; chown ${q(f.owner)} "$f"`,
            "else",
            "  if [ -f \"$f\" ]; then mkdir -p \"$prev$(dirname \"$f\")\"; cp -p \"$f\" \"$prev$f\"; fi",
            "  mv -f \"$tmp_file\" \"$f\"",
            "  files_changed=\"$files_changed $f\"",
            "fi",
            "tmp_file=''",
        );
    }
    return out;
}

/** Single-quotes a value for sh. */
function q(value: string): string {
    return `'${value.replace(/'/g, "'\\''")}'`;
}

function b64(text: string): string {
    return Buffer.from(text, "utf8").toString("base64");
}

function baseName(path: string): string {
    return path.slice(path.lastIndexOf("/") + 1);
}

function checkCommon(node: string, paths: NodePatchPaths, health: HealthWait): void {
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(node)) throw new Error(`not a node name: ${JSON.stringify(node)}`);
    checkPaths(paths);
    if (!/^https?:\/\/[A-Za-z0-9.:\[\]-]+(\/[A-Za-z0-9._/-]*)?$/.test(health.url)) throw new Error(`not a health URL: ${JSON.stringify(health.url)}`);
    if (!Number.isInteger(health.timeoutSeconds) || health.timeoutSeconds <= 0) throw new Error("timeoutSeconds must be a positive integer");
    if (health.intervalSeconds !== undefined && (!Number.isInteger(health.intervalSeconds) || health.intervalSeconds <= 0)) {
        throw new Error("intervalSeconds must be a positive integer");
    }
}

function checkPaths(paths: NodePatchPaths): void {
    for (const p of [paths.manifestPath, paths.stateDirectory, ...(paths.procRoot ? [paths.procRoot] : [])]) {
        if (!isPlainAbsolutePath(p)) throw new Error(`not a plain absolute path: ${JSON.stringify(p)}`);
    }
    if (parentDirectory(paths.manifestPath) === paths.stateDirectory) {
        throw new Error("the state directory must not be the manifest directory (kubelet would run the backup)");
    }
}

function checkedSha(sha: string | undefined): string {
    if (sha === undefined) return "";
    if (!/^[0-9a-f]{64}$/.test(sha)) throw new Error(`not a sha256 hex digest: ${JSON.stringify(sha)}`);
    return sha;
}

function checkEntries(directories: ManagedDirectory[], files: ManagedFile[]): void {
    for (const e of [...directories, ...files]) {
        if (!isPlainAbsolutePath(e.path)) throw new Error(`not a plain absolute path: ${JSON.stringify(e.path)}`);
        if (!FILE_MODE.test(e.mode)) throw new Error(`${e.path}: not a mode: ${JSON.stringify(e.mode)}`);
        if (!OWNER.test(e.owner)) throw new Error(`${e.path}: not an owner: ${JSON.stringify(e.owner)}`);
    }
    const dirs = new Set(directories.map(d => d.path));
    for (const f of files) {
        if (!dirs.has(parentDirectory(f.path))) throw new Error(`file ${f.path}: its directory must be listed`);
    }
}
