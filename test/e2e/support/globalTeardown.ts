// After the end-to-end tests: stop the sandbox unless it was running before they started.
import * as fs from "fs";
import { sandboxDown } from "./sandbox";

export default async function globalTeardown(): Promise<void> {
    const marker = process.env.KUBE_BASELINE_E2E_MARKER;
    const wasRunning = marker !== undefined && fs.existsSync(marker);
    if (marker) fs.rmSync(marker, { force: true });
    if (!wasRunning) sandboxDown();
}
