// The environment the project's scripts give pulumi (toolchain/pulumi-env.sh), for tests that run pulumi
// themselves: the toolchain PATH, no update checks, no plugin downloads. Each test adds its own backend.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** The repository: the nearest directory up from this file with toolchain/env.sh (this file also runs compiled,
 *  from bin/bench/test/e2e/support, for `npm run bench`). */
export const repoRoot = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "toolchain/env.sh"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`no toolchain/env.sh in any directory above ${start}`);
    }
}

let cachedPath: string | undefined;

/** PATH with the Go-built toolchain (pulumi, language host, plugins, kubectl, ...) in front. */
export function toolchainPath(): string {
    if (cachedPath === undefined) {
        const printed = execFileSync("bash", [path.join(repoRoot, "toolchain/env.sh")], { encoding: "utf8" });
        const match = /^export PATH="(.*):\$PATH"$/m.exec(printed);
        if (!match) throw new Error(`toolchain/env.sh printed no PATH export: ${printed}`);
        cachedPath = `${match[1]}:${process.env.PATH ?? ""}`;
    }
    return cachedPath;
}

/** Environment for a pulumi process using a throw-away file:// backend and passphrase. */
export function pulumiEnv(backendDir: string, passphrase: string): Record<string, string> {
    return {
        PATH: toolchainPath(),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        PULUMI_BACKEND_URL: `file://${backendDir}?metadata=skip`, // as toolchain/pulumi-env.sh sets it
        PULUMI_CONFIG_PASSPHRASE: passphrase,
        PULUMI_HOME: path.join(backendDir, ".pulumi-home"),
    };
}
