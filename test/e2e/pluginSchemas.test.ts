// The provider plugins built here (toolchain/plugins) against the npm SDKs the program pins: each plugin reports
// the version its SDK asks for, and for every resource the program uses, the plugin's GetSchema has exactly the
// SDK's argument and output properties (required-ness and secret outputs included, and the object types they
// take). A plugin that drifted from its SDK would accept or return what the program does not expect.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { sdkInputType, sdkPackage, sdkResource } from "./support/sdkSurface";
import { toolchainPath } from "./support/toolchainEnv";

jest.setTimeout(5 * 60_000);

interface PropertySpec { secret?: boolean; $ref?: string; items?: PropertySpec }
interface ResourceSpec { inputProperties?: Record<string, PropertySpec>; requiredInputs?: string[]; properties?: Record<string, PropertySpec> }
interface PackageSchema { name: string; version: string; resources: Record<string, ResourceSpec>; types: Record<string, { properties?: Record<string, PropertySpec>; required?: string[] }> }

/** The resources the program (and its smoke test) creates, by SDK: [file, class]. */
const USED: Array<{ npm: string; plugin: string; resources: Array<[string, string]> }> = [
    { npm: "@pulumi/tls", plugin: "pulumi-resource-tls", resources: [["privateKey", "PrivateKey"], ["locallySignedCert", "LocallySignedCert"], ["selfSignedCert", "SelfSignedCert"]] },
    { npm: "@pulumi/random", plugin: "pulumi-resource-random", resources: [["randomPassword", "RandomPassword"], ["randomBytes", "RandomBytes"]] },
    { npm: "@pulumi/command", plugin: "pulumi-resource-command", resources: [["remote/command", "Command"]] },
];

let home: string;
beforeAll(() => { home = fs.mkdtempSync(path.join(os.tmpdir(), "kb-schemas-")); });
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function pluginSchema(plugin: string): PackageSchema {
    const env = { ...process.env, PATH: toolchainPath(), PULUMI_HOME: home, PULUMI_SKIP_UPDATE_CHECK: "true" };
    const binary = execFileSync("bash", ["-c", `command -v ${plugin}`], { env, encoding: "utf8" }).trim();
    return JSON.parse(execFileSync("pulumi", ["package", "get-schema", binary], { env, encoding: "utf8", maxBuffer: 64 << 20 }));
}

describe.each(USED)("$plugin against $npm", ({ npm, plugin, resources }) => {
    let schema: PackageSchema;
    beforeAll(() => { schema = pluginSchema(plugin); });

    test("reports the package name and version the SDK asks the engine for", () => {
        const sdk = sdkPackage(npm);
        expect({ name: schema.name, version: schema.version }).toEqual({ name: sdk.pluginName, version: sdk.pluginVersion });
    });

    test.each(resources)("%s: the same token, arguments, outputs and secret outputs as the SDK", (file, className) => {
        const sdk = sdkResource(npm, file, className);
        const spec = schema.resources[sdk.token];
        expect(spec).toBeDefined();
        const schemaInputs = Object.fromEntries(Object.keys(spec.inputProperties ?? {})
            .map(name => [name, { required: (spec.requiredInputs ?? []).includes(name) }]));
        expect(schemaInputs).toEqual(sdk.inputs);
        expect(Object.keys(spec.properties ?? {}).sort()).toEqual(sdk.outputs);
        expect(Object.entries(spec.properties ?? {}).filter(([, p]) => p.secret).map(([n]) => n).sort()).toEqual(sdk.secretOutputs);

        // The object types its arguments take, e.g. command's Connection and, inside it, ProxyConnection.
        const seen = new Set<string>();
        const refs = (props: Record<string, PropertySpec>) => Object.values(props).map(p => p.$ref ?? p.items?.$ref)
            .filter((r): r is string => r !== undefined && r.startsWith("#/types/"));
        const queue = refs(spec.inputProperties ?? {});
        while (queue.length > 0) {
            const token = queue.shift()!.slice("#/types/".length);
            if (seen.has(token)) continue;
            seen.add(token);
            const type = schema.types[token];
            if (type.properties === undefined) continue; // an enum
            const typeName = token.split(":").pop()!;
            const fields = Object.fromEntries(Object.keys(type.properties).map(n => [n, { required: (type.required ?? []).includes(n) }]));
            expect({ [token]: fields }).toEqual({ [token]: sdkInputType(npm, typeName) });
            queue.push(...refs(type.properties));
        }
    });
});
