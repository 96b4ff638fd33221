// The benchmark's waitnodes series: one command per node, made exactly as the program makes its node commands
// (components/nodeCommand.ts: SSH with the pinned host key, bounded, no ordering between nodes), whose remote work
// is `sleep`: the time it takes to run N of them measures how many run at once, not the CPU the sandbox's nodes
// share (the real kernel-settings series, nodes:N, measures that).
import * as pulumi from "@pulumi/pulumi";
import { nodeCommand, SshNode } from "../../../components/nodeCommand";

const config = new pulumi.Config("kube-baseline-bench");
const nodes = config.requireObject<SshNode[]>("nodes");
const seconds = config.requireNumber("waitSeconds");
const sshPrivateKey = config.requireSecret("sshPrivateKey");

const waited = nodes.map(node => nodeCommand(`wait-${node.name}`, {
    node, sshPrivateKey,
    create: `sleep ${seconds} && echo waited`,
    delete: "true",
    output: "public",
    timeoutSeconds: seconds + 120,
}, {}).stdout);

export const nodesWaited = pulumi.all(waited).apply(outs => outs.filter(o => o === "waited").length);
