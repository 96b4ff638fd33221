// Content hashes used as pod-template annotations: a changed config gives a changed pod template,
// which is what makes a DaemonSet roll its pods.

import { createHash } from "crypto";

export function sha256Hex(text: string): string {
    return createHash("sha256").update(text, "utf8").digest("hex");
}
