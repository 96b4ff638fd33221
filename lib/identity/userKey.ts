// The @pulumi/tls PrivateKey arguments for a user's key spec (lib/config: algorithm RSA | ECDSA | ED25519).
import { KeySpec } from "../config/identity";

export interface TlsPrivateKeyArgs { algorithm: string; rsaBits?: number; ecdsaCurve?: string }

export function tlsPrivateKeyArgs(key: KeySpec): TlsPrivateKeyArgs {
    return {
        algorithm: key.algorithm,
        ...(key.algorithm === "RSA" && key.rsaBits !== undefined ? { rsaBits: key.rsaBits } : {}),
        ...(key.algorithm === "ECDSA" && key.ecdsaCurve !== undefined ? { ecdsaCurve: key.ecdsaCurve } : {}),
    };
}

/** What a client certificate for a Kubernetes user may be used for (kubeadm's own client certificates use these). */
export const CLIENT_CERTIFICATE_USES = ["digital_signature", "key_encipherment", "client_auth"];
