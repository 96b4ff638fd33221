// StaticTokens: static bearer-token users (legacy; fails CIS 1.2.2, so off unless the environment opts in).
// One random kubeadm-shaped token per user; token.csv rendered here and written over SSH to every control-plane
// node; the kube-apiserver static pod manifest patched there (flag, read-only hostPath volume and mount).
//
// Tokens: one random.RandomPassword per user, in kubeadm's shape (not RandomString: its ID is its value, in
// plaintext in the state). Per node, one after the other (the control plane
// never loses two apiservers at once):
//   <name>-read-<node>:  reads the original manifest once (create-only: later runs keep what it read);
//   <name>-apply-<node>: the patch is computed here in TypeScript from that text; the node swaps whole files
//                        (compare-and-swap on the sha256, backup kept) and waits for the apiserver. token.csv
//                        travels on stdin, so a token change re-runs it in place; destroy restores the backup
//                        byte for byte and removes the token file.
// Token users get kubeconfigs as secret outputs; no token is ever on a command line, in logs or in plain state.

import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { StaticTokensConfig, TokenUserConfig } from "../../lib/config/identity";
import { apiserverReadyzUrl, DEFAULT_VOLUME_NAME, patchApiserverManifest } from "../../lib/identity/apiserverManifest";
import { renderKubeconfig } from "../../lib/identity/kubeconfig";
import {
    applyStaticTokensScript, decodeManifest, readManifestScript, remoteShellCommand, removeStaticTokensScript, sha256Hex,
    StaticTokenPaths,
} from "../../lib/identity/staticTokenScripts";
import { renderTokenCsv, TOKEN_RANDOM_CHARACTERS, tokenFromRandomCharacters } from "../../lib/identity/tokenCsv";
import { legacyCommandAlias } from "../legacyAliases";
import { nodeCommand, SshNode } from "../nodeCommand";
import { childName, IdentityCluster } from "./target";

export interface StaticTokensArgs {
    users: TokenUserConfig[];
    settings: StaticTokensConfig;
    controlPlaneNodes: SshNode[];
    sshPrivateKey: pulumi.Input<string>;
    cluster: IdentityCluster;
}

export class StaticTokens extends pulumi.ComponentResource {
    /** User name -> kubeconfig with that user's token. Secret. */
    readonly kubeconfigs: pulumi.Output<Record<string, string>>;
    /** Where token.csv lives on every control-plane node. */
    readonly tokenFile: string;
    /** Node name -> the readyz URL the node's apiserver was checked on. */
    readonly readyzUrls: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: StaticTokensArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:identity:StaticTokens", name, {}, opts);
        const { users, settings, cluster } = args;
        if (!settings.allowed) throw new Error("static tokens are not allowed in this environment (kube-baseline:staticTokens.allowed)");
        if (users.length === 0) throw new Error("StaticTokens needs at least one token user");
        if (args.controlPlaneNodes.length === 0) throw new Error("StaticTokens needs at least one control-plane node");

        this.tokenFile = `${settings.directory}/${settings.fileName}`;
        const paths: StaticTokenPaths = { tokenFile: this.tokenFile, manifestPath: settings.manifestPath, backupDirectory: settings.backupDirectory };

        const tokens = users.map(u => new random.RandomPassword(childName(`${name}-token`, u.name), TOKEN_RANDOM_CHARACTERS,
            { parent: this }).result.apply(tokenFromRandomCharacters));
        const tokenCsv = pulumi.secret(pulumi.all(tokens).apply(values =>
            renderTokenCsv(users.map((u, i) => ({ token: values[i], user: u.name, uid: u.uid, groups: u.groups })))));

        let previous: command.remote.Command | undefined;
        const readyzUrls: Array<pulumi.Output<[string, string]>> = [];
        for (const node of args.controlPlaneNodes) {
            const sudo = node.ssh.user !== "root";
            const read = nodeCommand(childName(`${name}-read`, node.name), {
                node, sshPrivateKey: args.sshPrivateKey,
                create: remoteShellCommand(readManifestScript(paths), { sudo }),
                // A kubeadm apiserver manifest holds paths and flags, no secret; readable, it keeps the apply
                // command's diffs readable.
                output: "public",
                timeoutSeconds: 120,
            }, { parent: this, aliases: [legacyCommandAlias] });
            const original = read.stdout.apply(decodeManifest);
            const readyzUrl = original.apply(m => settings.readyzUrl ?? apiserverReadyzUrl(m.text));
            const wait = { timeoutSeconds: settings.readyTimeoutSeconds };
            const script = pulumi.all([original, readyzUrl]).apply(([m, url]) => {
                const patchedManifest = patchApiserverManifest(m.text, { tokenFile: this.tokenFile, volumeName: DEFAULT_VOLUME_NAME });
                return {
                    apply: remoteShellCommand(applyStaticTokensScript({
                        paths, node: node.name, originalManifest: m.text, originalSha256: m.sha256, patchedManifest, wait: { ...wait, readyzUrl: url },
                    }), { sudo }),
                    remove: remoteShellCommand(removeStaticTokensScript({
                        paths, node: node.name, originalSha256: m.sha256, patchedSha256: sha256Hex(Buffer.from(patchedManifest, "utf8")), wait: { ...wait, readyzUrl: url },
                    }), { sudo }),
                };
            });
            const apply: command.remote.Command = nodeCommand(childName(`${name}-apply`, node.name), {
                node, sshPrivateKey: args.sshPrivateKey,
                create: script.apply(s => s.apply),
                update: script.apply(s => s.apply),
                delete: script.apply(s => s.remove),
                stdin: tokenCsv,
                // The scripts print progress lines only; the tokens travel on stdin and are never printed.
                output: "public",
                // At most: wait for the old apiserver to stop, then for the new one to answer.
                timeoutSeconds: settings.readyTimeoutSeconds * 2 + 60,
            }, { parent: this, dependsOn: previous ? [previous] : [], aliases: [legacyCommandAlias] });
            previous = apply;
            readyzUrls.push(pulumi.all([node.name, readyzUrl]));
        }
        this.readyzUrls = pulumi.all(readyzUrls).apply(pairs => Object.fromEntries(pairs));

        const kubeconfigs = users.map((u, i) => tokens[i].apply(token => [u.name, renderKubeconfig({
            clusterName: cluster.name,
            server: cluster.apiServerUrl,
            caCertificatePem: cluster.caCertificatePem,
            userName: u.name,
            credentials: { token },
        })] as [string, string]));
        // The kubeconfigs are only worth handing out once every apiserver accepts the tokens.
        const applied = previous!;
        this.kubeconfigs = pulumi.secret(pulumi.all([pulumi.all(kubeconfigs), applied.id]).apply(([pairs]) => Object.fromEntries(pairs)));
        // Not the kubeconfigs: the stack outputs hold them once (see X509User).
        this.registerOutputs({ tokenFile: this.tokenFile, readyzUrls: this.readyzUrls });
    }
}
