// A real Pulumi stack for end-to-end tests: the project's Go-built CLI driven through the Automation API,
// with a backend directory and passphrase of its own that `dispose()` removes.
import * as auto from "@pulumi/pulumi/automation";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pulumiEnv } from "./toolchainEnv";

export interface TestStack {
    stack: auto.Stack;
    backendDir: string;
    /** Every line pulumi printed, for assertions on what users would see. */
    log: string[];
    /** The state file content as stored on disk (for plaintext-secret checks). */
    readState(): string;
    dispose(): Promise<void>;
}

export async function createTestStack(
    projectDir: string,
    stackName: string,
    config: Record<string, auto.ConfigValue>,
): Promise<TestStack> {
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "kb-e2e-backend-"));
    const passphrase = randomBytes(24).toString("hex");
    const envVars = pulumiEnv(backendDir, passphrase);
    // The Automation API finds `pulumi` on this process's PATH: the project's toolchain first.
    process.env.PATH = envVars.PATH;
    const stack = await auto.LocalWorkspace.createOrSelectStack(
        { stackName, workDir: projectDir },
        { envVars, pulumiCommand: await auto.PulumiCommand.get({ skipVersionCheck: true }) },
    );
    await stack.setAllConfig(config);
    const log: string[] = [];
    return {
        stack,
        backendDir,
        log,
        readState: () => readStateFiles(backendDir),
        dispose: async () => {
            try {
                await stack.workspace.removeStack(stackName, { force: true });
            } catch {
                // the stack may not exist if creation failed half way; the backend dir goes anyway
            }
            // createOrSelectStack writes Pulumi.<stack>.yaml next to the program: remove it.
            fs.rmSync(path.join(projectDir, `Pulumi.${stackName}.yaml`), { force: true });
            fs.rmSync(backendDir, { recursive: true, force: true });
        },
    };
}

function readStateFiles(dir: string): string {
    const parts: string[] = [];
    const walk = (d: string) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, entry.name);
            if (entry.isDirectory()) walk(p);
            else if (entry.name.endsWith(".json") || entry.name.endsWith(".bak")) parts.push(fs.readFileSync(p, "utf8"));
        }
    };
    walk(path.join(dir, ".pulumi"));
    return parts.join("\n");
}

/**
 * PEM private key blocks with key material in a state file (the JSON escapes newlines as \n). The provider
 * code stored in state mentions the PEM headers as text, which is not a key.
 */
export function plaintextPrivateKeys(state: string): string[] {
    return state.match(/-----BEGIN [A-Z ]*PRIVATE KEY-----(\\n|\n)[A-Za-z0-9+/=]{32}/g) ?? [];
}

