// sha256 in hex: content hashes (pod-template annotations that roll a DaemonSet when its config changes) and the
// digests node scripts compare a file with (compare-and-swap of a manifest).

import { createHash } from "crypto";

export function sha256Hex(data: string | Buffer): string {
    return createHash("sha256").update(data).digest("hex");
}
