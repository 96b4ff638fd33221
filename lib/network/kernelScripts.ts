// Shell scripts (POSIX sh) that put the kernel settings on a node over SSH and take them off again.
// The apply script is convergent and safe to re-run: it records each sysctl's value the first time it
// manages it, restores values it no longer manages, writes the persistence files atomically, loads
// modules that are not built in, applies the sysctls, and prints the effective values as one JSON line.
// It fails (non-zero) when anything read back differs from what was asked. The restore script needs
// nothing but what the apply script left on the node, because Pulumi runs the delete command it stored.

import { KernelSettings, MODULES_LOAD_FILE, renderModulesLoadFile, renderSysctlFile, SYSCTL_FILE } from "./kernelSettings";
import { assertToken, MODULE_NAME, parseScriptResultLine, shellQuote, SYSCTL_KEY, SYSCTL_VALUE } from "../nodeShell";

export const KERNEL_STATE_DIR = "/var/lib/kube-baseline/node-kernel";

export interface NodeScriptOptions {
    /** Node name, used in every message so a failure names the node. */
    node: string;
    /** Prefix for every path the script touches; "" on a real node, a scratch directory in tests. */
    root?: string;
}

const EOF_MARK = "KUBE_BASELINE_EOF";

function prelude(options: NodeScriptOptions): string {
    return [
        `NODE=${shellQuote(options.node)}`,
        `ROOT=${shellQuote(options.root ?? "")}`,
        `STATE="$ROOT${KERNEL_STATE_DIR}"`,
        `MODULES_FILE="$ROOT${MODULES_LOAD_FILE}"`,
        `SYSCTL_FILE="$ROOT${SYSCTL_FILE}"`,
        `fail() { printf 'node %s: %s\\n' "$NODE" "$*" >&2; exit 1; }`,
        `warn() { printf 'node %s: warning: %s\\n' "$NODE" "$*" >&2; }`,
        `proc_path() { printf '%s/proc/sys/%s' "$ROOT" "$(printf '%s' "$1" | tr . /)"; }`,
        // /proc/sys prints multi-value settings with tabs; compare them as single-spaced words.
        `read_value() { tr '\\t' ' ' < "$(proc_path "$1")" | tr -s ' ' | sed 's/^ //; s/ $//'; }`,
        `json_escape() { printf '%s' "$1" | sed 's/\\\\/\\\\\\\\/g; s/"/\\\\"/g'; }`,
    ].join("\n");
}

function heredoc(target: string, content: string): string {
    if (content.split("\n").includes(EOF_MARK)) throw new Error("file content contains the here-document marker");
    return `write_file "${target}" <<'${EOF_MARK}'\n${content}${content.endsWith("\n") ? "" : "\n"}${EOF_MARK}`;
}

/** The apply script (create and update of the node's kernel settings). */
export function renderKernelApplyScript(options: NodeScriptOptions, settings: KernelSettings): string {
    const modules = settings.modules.map(m => assertToken("kernel module", m, MODULE_NAME));
    const keys = Object.keys(settings.sysctls).map(k => assertToken("sysctl key", k, SYSCTL_KEY));
    const wantCases = keys
        .map(k => `    ${k}) printf '%s' ${shellQuote(assertToken(`value of ${k}`, settings.sysctls[k], SYSCTL_VALUE))} ;;`)
        .join("\n");
    return `set -eu
${prelude(options)}
MODULES=${shellQuote(modules.join(" "))}
SYSCTLS=${shellQuote(keys.join(" "))}
want_value() {
  case "$1" in
${wantCases}
  esac
}
# A module counts as present when loaded or built into the kernel. A built-in module without parameters
# has no /sys/module entry and a kernel may ship no modules.builtin list: then what the module provides
# (its /proc interface or filesystem) is the evidence.
module_interface() {
  case "$1" in
    br_netfilter) [ -d "$ROOT/proc/sys/net/bridge" ] ;;
    nf_conntrack|nf_conntrack_ipv4) [ -e "$ROOT/proc/sys/net/netfilter/nf_conntrack_max" ] ;;
    ip_vs) [ -e "$ROOT/proc/net/ip_vs" ] ;;
    overlay) grep -qw overlay "$ROOT/proc/filesystems" 2>/dev/null ;;
    *) return 1 ;;
  esac
}
module_state() {
  if [ -d "$ROOT/sys/module/$1" ]; then
    if [ -e "$ROOT/sys/module/$1/initstate" ]; then echo loaded; else echo builtin; fi
  elif grep -q "/$1\\.ko\\$" "$ROOT/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null; then
    echo builtin
  elif module_interface "$1"; then
    echo builtin
  else
    echo absent
  fi
}
write_file() {
  mkdir -p "$(dirname "$1")"
  tmp="$1.tmp.$$"
  cat > "$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$1"
}
if [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
  fail "kernel settings need root: connect as root or allow sudo without a password"
fi
umask 022

# 1. Modules first: some sysctls (net.bridge.*) exist only once their module is loaded.
for m in $MODULES; do
  if [ "$(module_state "$m")" = absent ]; then
    modprobe "$m" >/dev/null 2>&1 || fail "kernel module $m is neither built in nor loadable (modprobe $m failed)"
    [ "$(module_state "$m")" != absent ] || fail "kernel module $m is still absent after modprobe"
  fi
done

# 2. Give back the values of sysctls this configuration no longer manages.
mkdir -p "$STATE/before"
chmod 0700 "$STATE"
for f in "$STATE"/before/*; do
  [ -f "$f" ] || continue
  key=\${f##*/}
  case " $SYSCTLS " in *" $key "*) continue ;; esac
  p=$(proc_path "$key")
  if [ -e "$p" ]; then
    cat "$f" 2>/dev/null > "$p" || warn "could not restore $key"
  fi
  rm -f "$f"
done

# 3. Record the value found before, once per sysctl, so destroy can put it back.
for key in $SYSCTLS; do
  [ -f "$STATE/before/$key" ] && continue
  [ -e "$(proc_path "$key")" ] || fail "sysctl $key does not exist here (module missing, or not available in this network namespace)"
  read_value "$key" > "$STATE/before/$key.tmp"
  mv -f "$STATE/before/$key.tmp" "$STATE/before/$key"
done

# 4. Persist, atomically (write a temporary file, then rename over the target).
${heredoc("$MODULES_FILE", renderModulesLoadFile(settings))}
${heredoc("$SYSCTL_FILE", renderSysctlFile(settings))}

# 5. Apply now.
for key in $SYSCTLS; do
  want=$(want_value "$key")
  printf '%s\\n' "$want" 2>/dev/null > "$(proc_path "$key")" || fail "cannot set $key = $want"
done

# 6. Read back, report as JSON, and fail on any difference.
mismatch=""
out="{\\"node\\":\\"$(json_escape "$NODE")\\",\\"modules\\":{"
sep=""
for m in $MODULES; do
  state=$(module_state "$m")
  out="$out$sep\\"$m\\":\\"$state\\""
  sep=","
  [ "$state" != absent ] || mismatch="$mismatch; module $m is absent"
done
out="$out},\\"sysctls\\":{"
sep=""
for key in $SYSCTLS; do
  got=$(read_value "$key" 2>/dev/null || true)
  want=$(want_value "$key")
  out="$out$sep\\"$key\\":\\"$(json_escape "$got")\\""
  sep=","
  [ "$got" = "$want" ] || mismatch="$mismatch; $key is '$got', expected '$want'"
done
out="$out}}"
printf '%s\\n' "$out"
[ -z "$mismatch" ] || fail "effective kernel settings differ from the requested ones$mismatch"
`;
}

/** The restore script (delete): removes our files and puts back every value recorded before. */
export function renderKernelRestoreScript(options: NodeScriptOptions): string {
    return `set -u
${prelude(options)}
if [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
  fail "kernel settings need root: connect as root or allow sudo without a password"
fi
rm -f "$MODULES_FILE" "$SYSCTL_FILE"
status=0
out="{\\"node\\":\\"$(json_escape "$NODE")\\",\\"restored\\":{"
sep=""
for f in "$STATE"/before/*; do
  [ -f "$f" ] || continue
  key=\${f##*/}
  p=$(proc_path "$key")
  # A sysctl that no longer exists (its module was unloaded) has nothing left to restore.
  [ -e "$p" ] || continue
  if cat "$f" 2>/dev/null > "$p"; then
    out="$out$sep\\"$key\\":\\"$(json_escape "$(cat "$f")")\\""
    sep=","
  else
    warn "could not restore $key to $(cat "$f")"
    status=1
  fi
done
printf '%s}}\\n' "$out"
if [ "$status" -eq 0 ]; then rm -rf "$STATE"; else fail "some values could not be restored; the record is kept in $STATE"; fi
`;
}

export type ModuleState = "loaded" | "builtin" | "absent";

export interface KernelReadback {
    node: string;
    modules: Record<string, ModuleState>;
    sysctls: Record<string, string>;
}

/** Parses the JSON line the apply script prints; errors name the node. */
export function parseKernelReadback(stdout: string, node: string): KernelReadback {
    const { line, value: parsed } = parseScriptResultLine(stdout, node, "kernel settings script", "read-back");
    const r = parsed as Partial<KernelReadback>;
    const isStringMap = (v: unknown) => v !== null && typeof v === "object" && Object.values(v as object).every(x => typeof x === "string");
    if (typeof r.node !== "string" || !isStringMap(r.modules) || !isStringMap(r.sysctls)) {
        throw new Error(`node ${node}: kernel settings read-back has an unexpected shape: ${line}`);
    }
    if (r.node !== node) throw new Error(`node ${node}: read-back came from node ${r.node}`);
    return { node: r.node, modules: r.modules as Record<string, ModuleState>, sysctls: r.sysctls as Record<string, string> };
}
