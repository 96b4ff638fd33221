// The credentials a stack's program runs with: from the sandbox's files (mode 0600) or from secret stack config;
// secret from the moment they are read, never plaintext in the state.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { CredentialSource } from "../lib/config/cluster";

const config = new pulumi.Config("kube-baseline");

/** The kubeconfig of the program's Kubernetes provider. */
export function readAdminKubeconfig(source: CredentialSource): pulumi.Output<string> {
    return source.kind === "files" ? pulumi.secret(fs.readFileSync(source.adminKubeconfigPath, "utf8")) : config.requireSecret("adminKubeconfig");
}

/** The private key of every node's ssh.user. */
export function readSshPrivateKey(source: CredentialSource): pulumi.Output<string> {
    return source.kind === "files" ? pulumi.secret(fs.readFileSync(source.sshPrivateKeyPath, "utf8")) : config.requireSecret("sshPrivateKey");
}
