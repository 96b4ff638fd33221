// KubeadmToken: a random token of kubeadm's bootstrap-token shape, generated once.
import * as pulumi from "@pulumi/pulumi";
import { generateKubeadmToken } from "./kubeadmTokenFormat";
import { deepEqual, withoutUndefined } from "./values";
import { hostedProvider } from "./hosted";

export interface KubeadmTokenArgs {
  /** Arbitrary values; any change generates a new token (rotation). */
  keepers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface KubeadmTokenState {
  keepers?: Record<string, string>;
  /** Secret. */
  token: string;
  tokenId: string;
}

export const kubeadmTokenProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: KubeadmTokenState, news: { keepers?: Record<string, string> }) {
    const same = deepEqual(olds.keepers ?? {}, news.keepers ?? {});
    return { changes: !same, replaces: same ? [] : ["keepers"] };
  },

  async create(inputs: { keepers?: Record<string, string> }) {
    const { token, tokenId } = generateKubeadmToken();
    const outs: KubeadmTokenState = { keepers: inputs.keepers, token, tokenId };
    // The id is the public part only: ids are never secret in the state.
    return { id: tokenId, outs: withoutUndefined(outs) };
  },

  async read(id: string, props: KubeadmTokenState) {
    return { id, props };
  },
};

/** A random "[a-z0-9]{6}.[a-z0-9]{16}" token; `token` is secret, `tokenId` is not. */
export class KubeadmToken extends pulumi.dynamic.Resource {
  /** Secret. */
  declare public readonly token: pulumi.Output<string>;
  declare public readonly tokenId: pulumi.Output<string>;

  constructor(name: string, args: KubeadmTokenArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      hostedProvider("KubeadmToken", kubeadmTokenProvider),
      name,
      { keepers: args.keepers, token: undefined, tokenId: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["token"] }),
      "kube-baseline",
      "KubeadmToken",
    );
  }
}
