// Kubeconfig rendering: one cluster, one user, one context, made current. Pure; the caller marks the result
// secret (it embeds a private key or a bearer token).

import { stringify } from "yaml";

export type KubeconfigCredentials =
    | { clientCertificatePem: string; clientKeyPem: string }
    | { token: string };

export interface KubeconfigInput {
    clusterName: string;
    server: string;
    caCertificatePem: string;
    userName: string;
    credentials: KubeconfigCredentials;
    /** Default namespace of the context, when the user mostly works in one. */
    namespace?: string;
}

/** The context name kubectl users expect: user@cluster (as kubeadm names admin@kubernetes). */
export function contextName(userName: string, clusterName: string): string {
    return `${userName}@${clusterName}`;
}

export function renderKubeconfig(input: KubeconfigInput): string {
    if (!/^https:\/\//.test(input.server)) throw new Error(`kubeconfig server must be an https URL, got ${JSON.stringify(input.server)}`);
    if (!input.caCertificatePem.includes("-----BEGIN CERTIFICATE-----")) throw new Error("kubeconfig CA must be a PEM certificate");
    const context = contextName(input.userName, input.clusterName);
    const user: Record<string, string> = "token" in input.credentials
        ? { token: input.credentials.token }
        : {
            "client-certificate-data": base64(input.credentials.clientCertificatePem),
            "client-key-data": base64(input.credentials.clientKeyPem),
        };
    const doc = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: input.clusterName, cluster: { server: input.server, "certificate-authority-data": base64(input.caCertificatePem) } }],
        users: [{ name: input.userName, user }],
        contexts: [{
            name: context,
            context: { cluster: input.clusterName, user: input.userName, ...(input.namespace ? { namespace: input.namespace } : {}) },
        }],
        "current-context": context,
        preferences: {},
    };
    return stringify(doc, { lineWidth: 0 });
}

function base64(text: string): string {
    return Buffer.from(text, "utf8").toString("base64");
}
