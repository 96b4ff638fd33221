// StaticTokens: static bearer-token users (legacy; fails CIS 1.2.2, so off unless the environment opts in).
// One random kubeadm-shaped token per user and token.csv rendered from them; the file, its flag and its mount are
// one part of the control-plane patch (`patch`, lib/identity/apiserverManifest.ts staticTokenPatch), which the
// ControlPlane component applies on every control-plane node with the rest of the hardening.
//
// Tokens: one random.RandomPassword per user, in kubeadm's shape (not RandomString: its ID is its value, in
// plaintext in the state). Token users get kubeconfigs as secret outputs; no token is ever on a command line, in
// logs or in plain state (token.csv reaches the nodes on stdin).
//
// Before the ControlPlane component, this component ran the node commands itself (<name>-read-<node>,
// <name>-apply-<node>); `legacyApplyPrefix` names the latter, so ControlPlane takes them over with an update.

import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { StaticTokensConfig, TokenUserConfig } from "../../lib/config/identity";
import { ControlPlanePatch } from "../../lib/controlPlane/patchModel";
import { DEFAULT_VOLUME_NAME, staticTokenPatch } from "../../lib/identity/apiserverManifest";
import { renderKubeconfig } from "../../lib/identity/kubeconfig";
import { renderTokenCsv, TOKEN_RANDOM_CHARACTERS, tokenFromRandomCharacters } from "../../lib/identity/tokenCsv";
import { childName, IdentityCluster } from "./target";

export interface StaticTokensArgs {
    users: TokenUserConfig[];
    settings: StaticTokensConfig;
    cluster: IdentityCluster;
}

export class StaticTokens extends pulumi.ComponentResource {
    /** User name -> kubeconfig with that user's token. Secret. Usable once the control plane runs the patch. */
    readonly kubeconfigs: pulumi.Output<Record<string, string>>;
    /** Where token.csv lives on every control-plane node. */
    readonly tokenFile: string;
    /** token.csv's content. Secret. */
    readonly tokenCsv: pulumi.Output<string>;
    /** The kube-apiserver part of the control-plane patch; secret (token.csv is in it). */
    readonly patch: pulumi.Output<ControlPlanePatch>;
    /** The name prefix of the apply commands earlier versions ran under this component (one per node). */
    readonly legacyApplyPrefix: string;

    constructor(name: string, args: StaticTokensArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:identity:StaticTokens", name, {}, opts);
        const { users, settings, cluster } = args;
        if (!settings.allowed) throw new Error("static tokens are not allowed in this environment (kube-baseline:staticTokens.allowed)");
        if (users.length === 0) throw new Error("StaticTokens needs at least one token user");

        this.tokenFile = `${settings.directory}/${settings.fileName}`;
        this.legacyApplyPrefix = `${name}-apply`;
        const tokens = users.map(u => new random.RandomPassword(childName(`${name}-token`, u.name), TOKEN_RANDOM_CHARACTERS,
            { parent: this }).result.apply(tokenFromRandomCharacters));
        const tokenCsv = pulumi.all(tokens).apply(values =>
            renderTokenCsv(users.map((u, i) => ({ token: values[i], user: u.name, uid: u.uid, groups: u.groups }))));
        this.tokenCsv = pulumi.secret(tokenCsv);
        this.patch = pulumi.secret(tokenCsv.apply(csv => ({
            "kube-apiserver": staticTokenPatch({ tokenFile: this.tokenFile, volumeName: DEFAULT_VOLUME_NAME }, csv),
        })));

        const kubeconfigs = users.map((u, i) => tokens[i].apply(token => [u.name, renderKubeconfig({
            clusterName: cluster.name,
            server: cluster.apiServerUrl,
            caCertificatePem: cluster.caCertificatePem,
            userName: u.name,
            credentials: { token },
        })] as [string, string]));
        this.kubeconfigs = pulumi.secret(pulumi.all(kubeconfigs).apply(pairs => Object.fromEntries(pairs)));
        // Not the kubeconfigs: the stack outputs hold them once (see X509User).
        this.registerOutputs({ tokenFile: this.tokenFile });
    }
}
