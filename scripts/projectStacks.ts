// The project's stacks as its files describe them (Pulumi.yaml's name, every Pulumi.<stack>.yaml), for the
// multi-stack command and the access summary.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { describeStackFile, StackFile, stackNameOfFile, StackSet, stackSetOf } from "../lib/stacks/stackFiles";

/** The checkout: the nearest directory above `from` with the project's Pulumi.yaml and toolchain. */
export function findRepoRoot(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml")) && fs.existsSync(path.join(dir, "toolchain/pulumi.sh"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`no kube-baseline checkout above ${from}`);
    }
}

export function projectName(repo: string): string {
    return String((YAML.parse(fs.readFileSync(path.join(repo, "Pulumi.yaml"), "utf8")) as { name: unknown }).name);
}

export function readStackFiles(repo: string): StackFile[] {
    return fs.readdirSync(repo).sort().flatMap(file => {
        const stack = stackNameOfFile(file);
        return stack === undefined ? [] : [describeStackFile(stack, fs.readFileSync(path.join(repo, file), "utf8"))];
    });
}

/** The baseline with tenant stacks (the one named, or the only one) and its tenant stacks. */
export function projectStackSet(repo: string, choose: { baseline?: string; tenants?: string[] } = {}): StackSet {
    return stackSetOf(readStackFiles(repo), projectName(repo), choose);
}
