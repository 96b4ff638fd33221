// The settings every node command shares (components/nodeCommand.ts): pinned host key, secret key and stdin,
// bounded runs, no previous output in the environment, and secret output kept out of logs and plain state.
import * as pulumi from "@pulumi/pulumi";
import { nodeCommandSettings } from "../../components/nodeCommand";

const node = { name: "cp1", ssh: { host: "10.0.0.1", port: 2222, user: "ops", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake" } };

async function plain<T>(value: pulumi.Input<T> | undefined): Promise<{ value: T | undefined; secret: boolean }> {
    const output = pulumi.output(value as pulumi.Input<T>);
    const secret = await pulumi.isSecret(output);
    const v = await new Promise<T>(resolve => output.apply(x => { resolve(x as T); return x; }));
    return { value: v, secret };
}

describe("nodeCommandSettings", () => {
    test.each([
        ["public", "stdoutAndStderr", ["stdin"]],
        ["secret", "none", ["stdout", "stderr", "stdin"]],
    ] as const)("output %s: logging %s, secret outputs %j", async (output, logging, secretOutputs) => {
        const { args, options } = nodeCommandSettings({
            node, sshPrivateKey: "KEY", create: "true", stdin: "data", output, timeoutSeconds: 90,
        });
        expect(args.logging).toBe(logging);
        expect(options.additionalSecretOutputs).toEqual(secretOutputs);
        expect(options.customTimeouts).toEqual({ create: "90s", update: "90s", delete: "90s" });
        expect(options.deleteBeforeReplace).toBe(true);
        expect(args.addPreviousOutputInEnv).toBe(false);
        const connection = args.connection as unknown as Record<string, pulumi.Input<unknown>>;
        expect({ host: connection.host, port: connection.port, user: connection.user, hostKey: connection.hostKey })
            .toEqual({ host: "10.0.0.1", port: 2222, user: "ops", hostKey: node.ssh.hostKey });
        expect(await plain(connection.privateKey)).toEqual({ value: "KEY", secret: true });
        expect(await plain(args.stdin)).toEqual({ value: "data", secret: true });
        expect(args.triggers).toBeUndefined();
    });

    test("no stdin stays no stdin; triggers pass through", () => {
        const { args } = nodeCommandSettings({ node, sshPrivateKey: "KEY", create: "true", triggers: ["a"], output: "public", timeoutSeconds: 1 });
        expect(args.stdin).toBeUndefined();
        expect(args.triggers).toEqual(["a"]);
    });
});
