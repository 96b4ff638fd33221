#!/usr/bin/env bash
# Prints shell exports that put the project's toolchain on PATH:   eval "$(bash toolchain/env.sh)"
set -euo pipefail
# shellcheck source=toolchain/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
echo "export PATH=\"$(toolchain_path_dirs):\$PATH\""
