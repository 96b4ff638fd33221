// Smoke program: one resource from each provider the real program uses, with effects a test checks from
// outside (kubectl for the Namespace, ssh for the file the RemoteCommand writes on a node).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubeadmToken, PrivateKey, RemoteCommand } from "../../../../providers";

interface SmokeNode { host: string; port: number; user: string; hostKey: string }

const config = new pulumi.Config("smoke");
const provider = new k8s.Provider("sandbox", { kubeconfig: config.requireSecret("kubeconfig") });
const namespace = new k8s.core.v1.Namespace("smoke", { metadata: { name: config.require("namespace") } }, { provider });

const key = new PrivateKey("smoke-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
const token = new KubeadmToken("smoke-token", {});

const node = config.requireObject<SmokeNode>("node");
const markerPath = config.require("markerPath");
// The public key goes to the node through stdin; the file disappears on destroy.
const marker = new RemoteCommand("smoke-marker", {
    connection: { ...node, privateKey: config.requireSecret("sshPrivateKey") },
    create: `umask 077 && cat > ${markerPath}.tmp && mv ${markerPath}.tmp ${markerPath}`,
    delete: `rm -f ${markerPath}`,
    stdin: key.publicKeyPem,
});

export const namespaceName = namespace.metadata.name;
export const publicKeyPem = key.publicKeyPem;
export const tokenId = token.tokenId;
export const tokenValue = token.token;
export const markerStdout = marker.stdout;
