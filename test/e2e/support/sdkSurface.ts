// What an npm Pulumi SDK says about a resource, read from its generated TypeScript declarations and JavaScript:
// the type token, the argument properties (and which are required), the output properties, and the outputs it
// marks secret. The plugin-schema test compares this with what the plugin built here reports (GetSchema).
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { repoRoot } from "./toolchainEnv";

export interface SdkResource {
    token: string;
    inputs: Record<string, { required: boolean }>;
    outputs: string[];
    secretOutputs: string[];
}

/** The SDK package's directory and the plugin version its resources ask the engine for. */
export function sdkPackage(npmName: string): { dir: string; pluginName: string; pluginVersion: string } {
    const dir = path.dirname(require.resolve(`${npmName}/package.json`, { paths: [repoRoot] }));
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    // Generated SDKs ask for the version in package.json's "pulumi" section, else the package's own version without
    // a leading "v" (@pulumiverse/time's is "v0.1.1"; its utilities.getVersion strips it).
    return { dir, pluginName: pkg.pulumi?.name ?? pkg.name, pluginVersion: pkg.pulumi?.version ?? String(pkg.version).replace(/^v/, "") };
}

/** The resource class `className` defined in `<sdk>/<file>.d.ts` / `.js` (e.g. "remote/command", "Command"). */
export function sdkResource(npmName: string, file: string, className: string): SdkResource {
    const { dir } = sdkPackage(npmName);
    const declarations = parse(path.join(dir, `${file}.d.ts`));
    const javascript = fs.readFileSync(path.join(dir, `${file}.js`), "utf8");

    const cls = findDeclaration(declarations, className, ts.isClassDeclaration);
    const outputs = cls.members
        .filter(ts.isPropertyDeclaration)
        .filter(m => !m.modifiers?.some(x => x.kind === ts.SyntaxKind.StaticKeyword))
        .map(m => m.name.getText(declarations))
        .filter(n => !["urn", "id"].includes(n));
    const tokenMatch = new RegExp(`${className}\\.__pulumiType = '([^']+)'`).exec(javascript);
    if (!tokenMatch) throw new Error(`${npmName}/${file}.js declares no __pulumiType for ${className}`);
    const secretMatch = /additionalSecretOutputs: \[([^\]]*)\]/.exec(javascript);
    const secretOutputs = secretMatch ? [...secretMatch[1].matchAll(/"([^"]+)"/g)].map(m => m[1]) : [];
    return { token: tokenMatch[1], inputs: interfaceMembers(declarations, `${className}Args`), outputs: outputs.sort(), secretOutputs: secretOutputs.sort() };
}

/** The members of an input type declared anywhere in the SDK's types/input.d.ts (any namespace): `<Name>Args` in
 *  natively generated SDKs (command's ConnectionArgs), `<Name>` in bridged ones (tls's SelfSignedCertSubject). */
export function sdkInputType(npmName: string, typeName: string): Record<string, { required: boolean }> {
    const { dir } = sdkPackage(npmName);
    const source = parse(path.join(dir, "types/input.d.ts"));
    try {
        return interfaceMembers(source, `${typeName}Args`);
    } catch {
        return interfaceMembers(source, typeName);
    }
}

function parse(file: string): ts.SourceFile {
    return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
}

function interfaceMembers(source: ts.SourceFile, name: string): Record<string, { required: boolean }> {
    const decl = findDeclaration(source, name, ts.isInterfaceDeclaration);
    return Object.fromEntries(decl.members.filter(ts.isPropertySignature)
        .map(m => [m.name.getText(source), { required: m.questionToken === undefined }]));
}

function findDeclaration<T extends ts.Node & { name?: ts.Node }>(source: ts.SourceFile, name: string, is: (n: ts.Node) => n is T): T {
    let found: T | undefined;
    const visit = (node: ts.Node) => {
        if (found) return;
        if (is(node) && node.name?.getText(source) === name) { found = node; return; }
        ts.forEachChild(node, visit);
    };
    visit(source);
    if (!found) throw new Error(`${source.fileName} declares no ${name}`);
    return found;
}
