// The providers the provider host loads by name (see hosted.ts). A name, once in a state, stays here.
import type * as pulumi from "@pulumi/pulumi";
import { clientCertificateProvider } from "./clientCertificate";
import type { HostedProviderName } from "./hosted";
import { kubeadmTokenProvider } from "./kubeadmToken";
import { privateKeyProvider } from "./privateKey";
import { remoteCommandProvider } from "./remoteCommand";

export const hostedProviders: Record<HostedProviderName, pulumi.dynamic.ResourceProvider> = {
    PrivateKey: privateKeyProvider,
    ClientCertificate: clientCertificateProvider,
    KubeadmToken: kubeadmTokenProvider,
    RemoteCommand: remoteCommandProvider,
};
