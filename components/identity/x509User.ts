// X509User: a user authenticated by a client certificate the program issues itself: a @pulumi/tls private key
// (algorithm and size from config), a CSR with CN=<user> and one O=<group> per group (built here: tls's
// CertRequest carries a single O), signed by the cluster CA with tls.LocallySignedCert for client auth.
// The certificate renews itself: once fewer than renewBeforeHours of its validity are left, the next
// `pulumi up` replaces it (LocallySignedCert's earlyRenewalHours). Outputs the kubeconfig (secret) and the expiry.

import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { CertificateUserConfig } from "../../lib/config/identity";
import { buildCsrPem } from "../../lib/identity/certificateRequest";
import { renderKubeconfig } from "../../lib/identity/kubeconfig";
import { CLIENT_CERTIFICATE_USES, tlsPrivateKeyArgs } from "../../lib/identity/userKey";
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

        const key = new tls.PrivateKey(`${name}-key`, tlsPrivateKeyArgs(user.key), { parent: this });
        // The CSR is public (and deterministic: the same bytes at every run, see certificateRequest.ts).
        const csr = pulumi.unsecret(key.privateKeyPem.apply(pem => buildCsrPem(pem, { commonName: user.name, organizations: user.groups })));
        const certificate = new tls.LocallySignedCert(`${name}-cert`, {
            certRequestPem: csr,
            caCertPem: cluster.caCertificatePem,
            caPrivateKeyPem: pulumi.secret(args.caKeyPem),
            validityPeriodHours: user.validityHours,
            earlyRenewalHours: user.renewBeforeHours,
            allowedUses: CLIENT_CERTIFICATE_USES,
        }, { parent: this });

        this.certificatePem = certificate.certPem;
        this.notAfter = certificate.validityEndTime.apply(end => new Date(end).toISOString());
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
