// Our providers as the state holds them: by name. pulumi.dynamic stores each resource's provider, serialized
// with every function it reaches, in both its inputs and its outputs. Ours would cost 17 KB (PrivateKey) to
// 60 KB (RemoteCommand) per resource, about half of a large stack's state, and the engine writes the whole
// state after every step. So the state gets a delegate that names its provider and where registry.ts is,
// relative to the project directory (where Pulumi runs both the program and the provider host); the
// provider host loads the provider from there. A relative path keeps the state valid when the checkout moves.
// The code that runs is then always this checkout's, also for a destroy of what an older checkout created:
// like any dynamic provider that evolves, each provider must read the state its earlier versions wrote.
import type * as pulumi from "@pulumi/pulumi";
import * as path from "path";

export type HostedProviderName = "PrivateKey" | "ClientCertificate" | "KubeadmToken" | "RemoteCommand";

const PROVIDER_METHODS = ["check", "diff", "create", "read", "update", "delete"] as const;

/** registry.ts (without extension) relative to the program's working directory, the project directory. */
const REGISTRY_FROM_PROJECT = path.relative(process.cwd(), path.join(__dirname, "registry"));

/**
 * Loads a provider from the registry. Runs in the provider host, where nothing of ours is loaded yet:
 * TypeScript is loaded the way Pulumi loads the program (its ts-node), without type checking (the program
 * run has checked the same files).
 */
function loadHostedProvider(name: string, registryFromProject: string): pulumi.dynamic.ResourceProvider {
    const nodePath = require("path") as typeof import("path");
    const registryPath = nodePath.resolve(registryFromProject);
    const repoRoot = nodePath.dirname(nodePath.dirname(registryPath));
    let registry: { hostedProviders?: Record<string, pulumi.dynamic.ResourceProvider> };
    try {
        if (!require.extensions[".ts"]) {
            const tsutils = require(require.resolve("@pulumi/pulumi/tsutils", { paths: [repoRoot] })) as {
                typeScriptRequireStrings(): { tsnodeRequire: string; typescriptRequire: string };
            };
            const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
            require(tsnodeRequire).register({ compiler: typescriptRequire, transpileOnly: true, project: nodePath.join(repoRoot, "tsconfig.json") });
        }
        registry = require(registryPath);
    } catch (error) {
        throw new Error(
            `kube-baseline: cannot load the resource providers from ${registryPath}.ts (${registryFromProject} from the ` +
            `project directory ${process.cwd()}; the state records where the kube-baseline checkout was, relative to the ` +
            `project): ${error instanceof Error ? error.message : String(error)}`,
        );
    }
    const provider = registry.hostedProviders?.[name];
    if (!provider) {
        throw new Error(`kube-baseline: ${registryPath}.ts has no provider "${name}" (it has: ${Object.keys(registry.hostedProviders ?? {}).join(", ")})`);
    }
    return provider;
}

// One delegate per name: pulumi.dynamic serializes a provider object once, however many resources use it.
const delegates = new Map<HostedProviderName, pulumi.dynamic.ResourceProvider>();

/**
 * A provider that delegates each method the implementation has to the provider registered under `name`.
 * Serialized, it is the few lines above plus the name.
 */
export function hostedProvider(name: HostedProviderName, implementation: pulumi.dynamic.ResourceProvider): pulumi.dynamic.ResourceProvider {
    const known = delegates.get(name);
    if (known) return known;
    const delegate: Record<string, (...args: unknown[]) => unknown> = {};
    const registryFromProject = REGISTRY_FROM_PROJECT;
    for (const method of PROVIDER_METHODS) {
        if (typeof implementation[method] !== "function") continue;
        delegate[method] = (...args: unknown[]) => {
            const provider = loadHostedProvider(name, registryFromProject) as unknown as Record<string, (...a: unknown[]) => unknown>;
            return provider[method](...args);
        };
    }
    const provider = delegate as unknown as pulumi.dynamic.ResourceProvider;
    delegates.set(name, provider);
    return provider;
}
