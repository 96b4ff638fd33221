// Smoke program: one resource from each provider plugin the real program uses (kubernetes, tls, random, command),
// with effects a test checks from outside (kubectl for the Namespace, ssh for the file the command
// writes on a node).
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";

interface SmokeNode { host: string; port: number; user: string; hostKey: string }

const config = new pulumi.Config("smoke");
const provider = new k8s.Provider("sandbox", { kubeconfig: config.requireSecret("kubeconfig") });
const namespace = new k8s.core.v1.Namespace("smoke", { metadata: { name: config.require("namespace") } }, { provider });

const key = new tls.PrivateKey("smoke-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
// RandomPassword, not RandomString: a RandomString's ID is its value, in plaintext in the state.
const token = new random.RandomPassword("smoke-token", { length: 22, upper: false, special: false });

const node = config.requireObject<SmokeNode>("node");
const markerPath = config.require("markerPath");
// The public key goes to the node through stdin; the file disappears on destroy.
const marker = new command.remote.Command("smoke-marker", {
    connection: { ...node, privateKey: config.requireSecret("sshPrivateKey") },
    create: `umask 077 && cat > ${markerPath}.tmp && mv ${markerPath}.tmp ${markerPath} && echo written`,
    delete: `rm -f ${markerPath}`,
    stdin: key.publicKeyPem,
    addPreviousOutputInEnv: false,
});

export const namespaceName = namespace.metadata.name;
export const publicKeyPem = key.publicKeyPem;
export const tokenValue = token.result;
export const markerStdout = marker.stdout;
