// Our own resource providers (Pulumi dynamic providers), standing in for @pulumi/tls, @pulumi/random and
// @pulumi/command, whose plugin binaries cannot be built here.
export { PrivateKey, PrivateKeyArgs } from "./privateKey";
export { EcdsaCurve, KeyAlgorithm } from "./keySpec";
export { ClientCertificate, ClientCertificateArgs } from "./clientCertificate";
export { KubeadmToken, KubeadmTokenArgs } from "./kubeadmToken";
export { parseKubeadmToken } from "./kubeadmTokenFormat";
export { RemoteCommand, RemoteCommandArgs, RemoteCommandConnectionArgs, RemoteCommandLogging } from "./remoteCommand";
export { parseSshPublicKey, sshFingerprint } from "./sshHostKey";
