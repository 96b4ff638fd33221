#!/usr/bin/env bash
# `bash scripts/stack-salt.sh [--create] [--project-dir <dir>] <stack>...`: gives each stack's Pulumi.<stack>.yaml the
# encryption salt of this machine's passphrase as one appended line, so that pulumi never rewrites the file.
#
# Why: pulumi saves a stack file whose salt is missing (at stack creation, and at any command that loads its secrets),
# re-encoding the whole file: blank lines go, and the salt of one machine's passphrase lands in a file that git
# tracks, where no other machine's passphrase can open it. The stack's state records the salt too, so the appended line
# is only this machine's copy: git does not see it (.gitattributes, the pulumi-stack-salt filter that scripts/setup.sh
# configures), and toolchain/pulumi-env.sh makes pulumi fall back to the state's salt when the line is missing.
#
# --create: a stack the backend does not have is created first, in a scratch copy of the project's Pulumi.yaml, so
# that pulumi writes its own stack file there. Without it, an absent stack is left alone. A file that already has a
# salt, or names another secrets provider, is left as it is. Needs the project's pulumi environment
# (toolchain/pulumi-env.sh). Exits non-zero, naming the stack, when it cannot get the salt.
set -euo pipefail

create=false
project_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stacks=()
while [ $# -gt 0 ]; do
    case "$1" in
        --create) create=true ;;
        --project-dir) project_dir=$(cd "$2" && pwd); shift ;;
        -*) echo "stack-salt: unknown option $1" >&2; exit 2 ;;
        *) stacks+=("$1") ;;
    esac
    shift
done

fail() { echo "stack-salt: $*" >&2; exit 1; }

# Runs the JavaScript in $1 on the JSON read from stdin, as `json`.
on_json() {
    node -e 'let text = ""; process.stdin.on("data", d => { text += d; }).on("end", () => { const json = JSON.parse(text); '"$1"' });'
}

# The passphrase salt a stack's exported state records (empty when the state names another secrets provider).
salt_of_state() {
    on_json 'const p = (json.deployment || {}).secrets_providers || {};
        if (p.type === "passphrase" && p.state && p.state.salt) process.stdout.write(p.state.salt);'
}

# The names of the project's stacks in the backend, one a line (listed once, when a file needs its salt).
existing_stacks=""
listed=false
list_stacks() {
    $listed && return 0
    existing_stacks=$(pulumi stack ls --json --cwd "$project_dir" | on_json 'for (const s of json) console.log(s.name.split("/").pop());')
    listed=true
}

# Creates the stack in the backend from a scratch copy of Pulumi.yaml; prints the salt pulumi wrote there.
create_stack() {
    local stack=$1 scratch salt output
    scratch=$(mktemp -d)
    cp "$project_dir/Pulumi.yaml" "$scratch/"
    if ! output=$(pulumi stack init "$stack" --no-select --non-interactive --cwd "$scratch" 2>&1); then
        rm -rf "$scratch"
        fail "could not create stack $stack: $output"
    fi
    salt=$(sed -n 's/^encryptionsalt: *//p' "$scratch/Pulumi.$stack.yaml" 2>/dev/null || true)
    rm -rf "$scratch"
    printf '%s' "$salt"
}

# Git compares a file's size before its content, so a tracked stack file that gained the salt line would be listed as
# modified though the filter leaves its content as committed. When that content equals the index's, re-adding it
# only refreshes the index's record of the file: nothing new is staged.
refresh_git_index() {
    local file=$1 dir
    dir=$(dirname "$file")
    git -C "$dir" ls-files --error-unmatch -- "$file" >/dev/null 2>&1 || return 0
    # Best effort: a busy index (another git command) only leaves the file listed as modified.
    if git -C "$dir" diff --quiet -- "$file"; then git -C "$dir" add -- "$file" || true; fi
}

for stack in "${stacks[@]}"; do
    file="$project_dir/Pulumi.$stack.yaml"
    [ -f "$file" ] || fail "no Pulumi.$stack.yaml in $project_dir (stack $stack has no config)"
    grep -q '^encryptionsalt:' "$file" && continue
    if grep -q '^secretsprovider:' "$file" && ! grep -Eq '^secretsprovider: *(passphrase|default) *$' "$file"; then
        continue
    fi
    list_stacks
    if grep -qxF -- "$stack" <<< "$existing_stacks"; then
        salt=$(pulumi stack export --stack "$stack" --cwd "$project_dir" | salt_of_state)
    elif [ "$create" = true ]; then
        salt=$(create_stack "$stack")
    else
        continue
    fi
    [ -n "$salt" ] || fail "stack $stack: its state records no passphrase salt"
    # One line at the end; the file's own bytes stay as they are.
    [ -z "$(tail -c 1 "$file")" ] || echo >> "$file"
    printf 'encryptionsalt: %s\n' "$salt" >> "$file"
    refresh_git_index "$file"
done
