// Our providers as the state holds them: by name. pulumi.dynamic stores each resource's provider, serialized
// with every function it reaches, in both its inputs and its outputs. Ours would cost 17 KB (PrivateKey) to
// 60 KB (RemoteCommand) per resource, about half of a large stack's state, and the engine writes the whole
// state after every step. So the state gets a delegate that names its provider and where hostedLoader.js is,
// relative to the project directory (where Pulumi runs both the program and the provider host); the
// provider host loads the provider from registry.ts through it. A relative path keeps the state valid when
// the checkout moves.
// The code that runs is then always this checkout's, also for a destroy of what an older checkout created:
// like any dynamic provider that evolves, each provider must read the state its earlier versions wrote.
import type * as pulumi from "@pulumi/pulumi";
import * as path from "path";

export type HostedProviderName = "PrivateKey" | "ClientCertificate" | "KubeadmToken" | "RemoteCommand";

const PROVIDER_METHODS = ["check", "diff", "create", "read", "update", "delete"] as const;

/** hostedLoader.js relative to the program's working directory, the project directory. */
const LOADER_FROM_PROJECT = path.relative(process.cwd(), path.join(__dirname, "hostedLoader.js"));

// One delegate per name: pulumi.dynamic serializes a provider object once, however many resources use it.
const delegates = new Map<HostedProviderName, pulumi.dynamic.ResourceProvider>();

/**
 * A provider that delegates each method the implementation has to the provider registered under `name`.
 * Serialized, it is these few lines and the name (1.8 to 2.3 KB); the loading is in hostedLoader.js.
 */
export function hostedProvider(name: HostedProviderName, implementation: pulumi.dynamic.ResourceProvider): pulumi.dynamic.ResourceProvider {
    const known = delegates.get(name);
    if (known) return known;
    const loaderFromProject = LOADER_FROM_PROJECT;
    // Runs in the provider host, whose working directory is the project directory.
    const load = (): Record<string, (...args: unknown[]) => unknown> => {
        const loader = require("path").resolve(loaderFromProject);
        try {
            return require(loader)(name);
        } catch (error) {
            throw new Error(`kube-baseline: ${loader} (the state records the checkout relative to the project directory): ${(error as Error).message}`);
        }
    };
    const delegate: Record<string, (...args: unknown[]) => unknown> = {};
    for (const method of PROVIDER_METHODS) {
        if (typeof implementation[method] === "function") delegate[method] = (...args: unknown[]) => load()[method](...args);
    }
    const provider = delegate as unknown as pulumi.dynamic.ResourceProvider;
    delegates.set(name, provider);
    return provider;
}
