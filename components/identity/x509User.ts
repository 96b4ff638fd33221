// X509User: a user authenticated by a client certificate the program issues itself: a private key (algorithm and
// size from config), a CSR with CN=<user> and one O=<group> per group, signed by the cluster CA with client-auth
// usage and the configured validity. Outputs the kubeconfig (secret) and the certificate's expiry.

import * as pulumi from "@pulumi/pulumi";
import { ClientCertificate, PrivateKey } from "../../providers";
import { CertificateUserConfig } from "../../lib/config/identity";
import { renderKubeconfig } from "../../lib/identity/kubeconfig";
import { IdentityCluster } from "./target";

export interface X509UserArgs {
    user: CertificateUserConfig;
    cluster: IdentityCluster;
    /** The cluster CA's private key (secret). */
    caKeyPem: pulumi.Input<string>;
}

export class X509User extends pulumi.ComponentResource {
    /** Secret. */
    readonly kubeconfig: pulumi.Output<string>;
    readonly certificatePem: pulumi.Output<string>;
    /** ISO 8601. */
    readonly notAfter: pulumi.Output<string>;

    constructor(name: string, args: X509UserArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:identity:X509User", name, {}, opts);
        const { user, cluster } = args;
        if (user.authentication !== "x509") throw new Error(`X509User ${user.name}: authentication is ${user.authentication}, not x509`);

        const key = new PrivateKey(`${name}-key`, {
            algorithm: user.key.algorithm,
            ...(user.key.rsaBits !== undefined ? { rsaBits: user.key.rsaBits } : {}),
            ...(user.key.ecdsaCurve !== undefined ? { ecdsaCurve: user.key.ecdsaCurve } : {}),
        }, { parent: this });
        const certificate = new ClientCertificate(`${name}-cert`, {
            privateKeyPem: key.privateKeyPem,
            commonName: user.name,
            organizations: user.groups,
            caCertPem: cluster.caCertificatePem,
            caKeyPem: pulumi.secret(args.caKeyPem),
            validityHours: user.validityHours,
        }, { parent: this });

        this.certificatePem = certificate.certPem;
        this.notAfter = certificate.notAfter;
        this.kubeconfig = pulumi.secret(pulumi.all([certificate.certPem, key.privateKeyPem]).apply(([cert, privateKey]) =>
            renderKubeconfig({
                clusterName: cluster.name,
                server: cluster.apiServerUrl,
                caCertificatePem: cluster.caCertificatePem,
                userName: user.name,
                credentials: { clientCertificatePem: cert, clientKeyPem: privateKey },
            })));
        // The kubeconfig is not recorded here: the stack outputs hold it once, and every extra copy in the state is
        // written again at each step of an update.
        this.registerOutputs({ certificatePem: this.certificatePem, notAfter: this.notAfter });
    }
}
