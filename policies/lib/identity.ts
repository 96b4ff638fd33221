// Recognising identity resources: kube-baseline's own dynamic resources and @pulumi/tls's.
//
// A Pulumi dynamic resource has the type `pulumi-nodejs:dynamic:Resource` unless its class names a module
// and type (then `pulumi-nodejs:dynamic/<module>:<Type>`, e.g. kube-baseline's
// `pulumi-nodejs:dynamic/kube-baseline:KubeadmToken`). A typed token names the kind; an untyped one is
// told apart by the shape of its props (and, for a token, by the resource name).

import { CSR_TYPE } from "./k8s";
import { at, knownString } from "./values";

/** Type patterns (trailing '*': prefix) of every dynamic resource, typed or not. */
export const DYNAMIC_TYPES = ["pulumi-nodejs:dynamic:*", "pulumi-nodejs:dynamic/*"];
export const TLS_PRIVATE_KEY_TYPE = "tls:index/privateKey:PrivateKey";
export const TLS_LOCALLY_SIGNED_CERT_TYPE = "tls:index/locallySignedCert:LocallySignedCert";
export const TLS_CERT_REQUEST_TYPE = "tls:index/certRequest:CertRequest";
export const STATIC_TOKENS_COMPONENT_TYPE = "kube-baseline:identity:StaticTokens";
export const COMMAND_TYPES = ["command:remote:Command", "command:local:Command"];

export type IdentityKind =
    | "PrivateKey" // a key pair: dynamic (algorithm, rsaBits, ecdsaCurve) or tls PrivateKey
    | "ClientCertificate" // a signed client certificate: dynamic (commonName, organizations, validityHours) or tls LocallySignedCert
    | "CertRequest" // tls CertRequest (subject.organization)
    | "CertificateSigningRequest" // the Kubernetes CSR API object
    | "KubeadmToken" // a static token (dynamic resource)
    | "StaticTokens"; // the component that installs the token file on the apiserver

export function isDynamicType(type: string): boolean {
    return type.startsWith("pulumi-nodejs:dynamic:") || type.startsWith("pulumi-nodejs:dynamic/");
}

function has(props: unknown, key: string): boolean {
    return props !== null && typeof props === "object" && key in (props as object);
}

export function identityKindOf(type: string, name: string, props: unknown): IdentityKind | undefined {
    const byType: Record<string, IdentityKind> = {
        [TLS_PRIVATE_KEY_TYPE]: "PrivateKey",
        [TLS_LOCALLY_SIGNED_CERT_TYPE]: "ClientCertificate",
        [TLS_CERT_REQUEST_TYPE]: "CertRequest",
        [CSR_TYPE]: "CertificateSigningRequest",
        [STATIC_TOKENS_COMPONENT_TYPE]: "StaticTokens",
    };
    if (byType[type]) return byType[type];
    if (!isDynamicType(type)) return undefined;
    const typeName = type.slice(type.lastIndexOf(":") + 1);
    if (typeName === "PrivateKey" || typeName === "ClientCertificate" || typeName === "KubeadmToken") return typeName;
    if (typeName !== "Resource") return undefined;
    if (has(props, "commonName") && (has(props, "organizations") || has(props, "validityHours"))) return "ClientCertificate";
    if (has(props, "algorithm")) return "PrivateKey";
    if (has(props, "tokenId") || /token/i.test(name)) return "KubeadmToken";
    return undefined;
}

/** The kube-apiserver client signer: the CSR API path for user certificates. */
export const CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client";

/** True when a Kubernetes CSR asks for a user (apiserver client) certificate. */
export function isClientCsr(props: unknown): boolean {
    return knownString(at(props, "spec", "signerName")) === CLIENT_SIGNER;
}
