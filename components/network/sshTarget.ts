// Per-node resource names for the network components.
import { SshNode } from "../nodeCommand";

/** Pulumi resource names carry the node name, so any provider error (e.g. unreachable host) names it. */
export function nodeResourceName(prefix: string, node: SshNode): string {
    return `${prefix}-${node.name}`;
}
