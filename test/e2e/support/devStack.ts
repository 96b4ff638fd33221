// The dev stack (the real program at the repo root with Pulumi.dev.yaml's config) on a throw-away backend,
// under a stack name of its own so the committed Pulumi.dev.yaml is never touched.
import * as auto from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { createTestStack, TestStack } from "./pulumiStack";
import { repoRoot } from "./toolchainEnv";

/** Pulumi.dev.yaml's config as Automation API values (objects as JSON, which config.getObject reads); an override
 *  of null leaves that key out. */
export function devStackConfig(overrides: Record<string, unknown> = {}): Record<string, auto.ConfigValue> {
    const doc = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    const merged = Object.entries({ ...doc.config, ...overrides }).filter(([, value]) => value !== null);
    return Object.fromEntries(merged.map(([key, value]) => [
        key, { value: typeof value === "string" ? value : JSON.stringify(value) },
    ]));
}

export async function createDevStack(name: string, overrides: Record<string, unknown> = {}): Promise<TestStack> {
    return createTestStack(repoRoot, name, devStackConfig(overrides));
}

/** Writes a kubeconfig to a 0600 file in a private temp dir; returns its path and a cleanup. */
export function kubeconfigFile(content: string): { path: string; remove(): void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kb-kubeconfig-"));
    const file = path.join(dir, "config");
    fs.writeFileSync(file, content, { mode: 0o600 });
    return { path: file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a stack operation and returns how long it took, in seconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
    const started = Date.now();
    const result = await work();
    return { result, seconds: (Date.now() - started) / 1000 };
}
