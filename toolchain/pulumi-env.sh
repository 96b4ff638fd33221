# Sourced by scripts that run pulumi: exports the toolchain PATH and the local backend settings.
# shellcheck shell=bash
kb_toolchain=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
eval "$(bash "$kb_toolchain/env.sh")"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
# A stack file without its encryption salt (git never shows it: scripts/stack-salt.sh) uses the salt the stack's state
# records, instead of a new one that could not open the stack's secrets.
export PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true
kb_state=${KUBE_BASELINE_STATE_DIR:-$HOME/.local/state/kube-baseline}
mkdir -p "$kb_state/backend"
chmod 700 "$kb_state"
# metadata=skip: the file backend writes no .attrs file (content type and MD5) beside each state it writes. Pulumi
# never reads them; an up rewrites the whole state after every step, and the MD5 and the extra file each time cost
# the engine about 6% of its CPU at tenant sizes (split:50/20@2) and a fifth in a single stack of 50 namespaces.
export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$kb_state/backend?metadata=skip}
# The passphrase that encrypts this machine's stack secrets: generated once, kept outside the repo, mode 0600.
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    if [ ! -s "$kb_state/passphrase" ]; then
        (umask 077 && head -c 32 /dev/urandom | base64 > "$kb_state/passphrase")
    fi
    export PULUMI_CONFIG_PASSPHRASE_FILE="$kb_state/passphrase"
fi
