// The rewrite of every Secret through the apiserver, so that each is stored again with the EncryptionConfiguration's
// first provider (encrypted after enabling or rotating, plaintext before the config is removed): an object read
// with another provider than the current writer is "stale" and a replace stores it anew. Run on a control-plane
// node with its admin kubeconfig. All Secrets in one `kubectl replace` first; when that fails (a Secret changed in
// between: a conflict), each one again on its own, read anew, a few times, and one deleted in between is fine.
// Secret data never touches the disk or the output: it goes from kubectl to kubectl through a pipe.

export interface SecretRewriteInput {
    /** The node's admin kubeconfig (kubeadm: /etc/kubernetes/admin.conf). */
    kubeconfig: string;
    /** Tries per Secret after the bulk replace failed. */
    retries?: number;
    /** Why, in the output (one line of plain words). */
    why: string;
}

/** Prints one JSON line: {"rewritten":<Secrets>,"milliseconds":<how long>,"why":...}. */
export function secretRewriteScript(input: SecretRewriteInput): string {
    if (!/^\/[A-Za-z0-9._/-]+$/.test(input.kubeconfig)) throw new Error(`not a plain absolute path: ${JSON.stringify(input.kubeconfig)}`);
    const why = input.why.replace(/[^A-Za-z0-9 ,.:()+-]/g, "");
    const retries = input.retries ?? 5;
    return [
        "set -eu",
        "umask 077",
        `kc() { kubectl --kubeconfig ${q(input.kubeconfig)} --request-timeout=60s "$@"; }`,
        "fail() { echo \"kube-baseline: node $(uname -n): rewriting Secrets: $*\" >&2; exit 1; }",
        "now_ms() { echo $(( $(date +%s%N) / 1000000 )); }",
        "started=$(now_ms)",
        "list=$(kc get secrets --all-namespaces -o jsonpath='{range .items[*]}{.metadata.namespace}{\" \"}{.metadata.name}{\"\\n\"}{end}') || fail 'cannot list the Secrets'",
        "count=$(printf '%s' \"$list\" | grep -c . || true)",
        "if ! kc get secrets --all-namespaces -o json | kc replace -f - > /dev/null 2>&1; then",
        "  while read -r ns name; do",
        "    [ -n \"$name\" ] || continue",
        "    tries=0",
        "    until err=$( { kc get secret -n \"$ns\" \"$name\" -o json | kc replace -f - > /dev/null; } 2>&1 ); do",
        "      case $err in *NotFound*|*\"not found\"*) break;; esac",
        "      tries=$((tries + 1))",
        `      [ "$tries" -lt ${retries} ] || fail "secret $ns/$name: $(printf '%s' "$err" | head -c 300)"`,
        "      sleep 1",
        "    done",
        "  done <<LIST",
        "$list",
        "LIST",
        "fi",
        `printf '{"rewritten":%s,"milliseconds":%s,"why":"%s"}\\n' "$count" "$(( $(now_ms) - started ))" ${q(why)}`,
    ].join("\n") + "\n";
}

function q(value: string): string {
    return `'${value.replace(/'/g, "'\\''")}'`;
}
