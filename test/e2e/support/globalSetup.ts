// Before the end-to-end tests: remember whether a sandbox was already running, so the teardown stops only
// a sandbox the tests started themselves.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { sandboxRunning } from "./sandbox";

export const markerFile = path.join(os.tmpdir(), `kube-baseline-e2e-${process.pid}.sandbox-was-running`);

export default async function globalSetup(): Promise<void> {
    process.env.KUBE_BASELINE_E2E_MARKER = markerFile;
    // A sandbox left behind by a killed run is not "running": the tests replace it, and take theirs down after.
    if (sandboxRunning()) fs.writeFileSync(markerFile, "yes");
}
