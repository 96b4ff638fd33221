// What a run leaves in the machine's temporary directory: files written since a moment that hold a given secret
// text (a kubeconfig's client key), and the plugins' own temporary directories (toolchain/plugintmp).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const MAX_DEPTH = 3;
const MAX_FILE_BYTES = 1 << 20;

/** Files under os.tmpdir(), modified at or after `sinceMs`, whose content includes `text`. */
export function tempFilesHolding(text: string, sinceMs: number): string[] {
    const found: string[] = [];
    const walk = (dir: string, depth: number) => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch {
            return;
        }
        for (const entry of entries) {
            const p = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (depth < MAX_DEPTH) walk(p, depth + 1);
                continue;
            }
            if (!entry.isFile()) continue;
            try {
                const st = fs.statSync(p);
                if (st.mtimeMs < sinceMs || st.size > MAX_FILE_BYTES) continue;
                if (fs.readFileSync(p, "utf8").includes(text)) found.push(p);
            } catch {
                // gone or unreadable meanwhile
            }
        }
    };
    walk(os.tmpdir(), 1);
    return found;
}

/** The plugins' own temporary directories under os.tmpdir() made at or after `sinceMs`. */
export function pluginTempDirsSince(sinceMs: number): string[] {
    return fs.readdirSync(os.tmpdir()).filter(name => name.startsWith("kube-baseline-plugin-")).filter(name => {
        try {
            return fs.statSync(path.join(os.tmpdir(), name)).mtimeMs >= sinceMs;
        } catch {
            return false;
        }
    });
}
