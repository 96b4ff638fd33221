// CsrApiUser: a user whose client certificate the cluster issues through the Kubernetes CSR API
// (certificates.k8s.io/v1, signer kubernetes.io/kube-apiserver-client), so the CA key never leaves the control plane.
//
// How the program approves the CSR: @pulumi/kubernetes can create a CertificateSigningRequest but cannot approve
// it or wait for status.certificate, and approved CSRs are garbage-collected after an hour. So the key (tls) and
// the CSR (built here, deterministic, one O per group) are made here, and one command on a control-plane node runs
// kubectl with the node's admin kubeconfig to create, approve, wait for and print the certificate (see
// lib/identity/csrApproval.ts). Only the certificate is kept.
//
// Renewal: the program holds no certificate the cluster signed, so it keeps a renewal clock instead: a tls
// SelfSignedCert on the user's key, valid for validityHours - renewBeforeHours and never used for anything else.
// tls renews a certificate at plan time once it has run out (earlyRenewalHours 0), so the clock is replaced by the
// first `pulumi up` after the certificate's renewal window opened; the clock's start is part of the approval script,
// which then runs again and the cluster issues a new certificate (same key, new serial and expiry).
// (time.Rotating, the obvious choice, turns over only on a refresh: its Read drops it from the state; a plain
// `pulumi up` never rotates it.) A new user name or group replaces the command (triggers): its delete cleans up the
// old CSR object.

import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { createHash } from "crypto";
import { CertificateUserConfig } from "../../lib/config/identity";
import { buildCsrPem, certificateNotAfter } from "../../lib/identity/certificateRequest";
import { csrApprovalScript, csrCleanupScript, csrObjectName } from "../../lib/identity/csrApproval";
import { renderKubeconfig } from "../../lib/identity/kubeconfig";
import { remoteShellCommand } from "../../lib/nodeShell";
import { tlsPrivateKeyArgs } from "../../lib/identity/userKey";
import { legacyCommandAlias } from "../legacyAliases";
import { nodeCommand, SshNode } from "../nodeCommand";
import { IdentityCluster } from "./target";

export interface CsrApiUserArgs {
    user: CertificateUserConfig;
    cluster: IdentityCluster;
    /** A control-plane node with kubectl and an admin kubeconfig. */
    controlPlaneNode: SshNode;
    sshPrivateKey: pulumi.Input<string>;
    /** Default /etc/kubernetes/admin.conf (kubeadm). */
    adminKubeconfigPath?: string;
    /** Default "kubectl". */
    kubectl?: string;
    /** Bound on waiting for the signature; default 120. */
    timeoutSeconds?: number;
}

export class CsrApiUser extends pulumi.ComponentResource {
    /** Secret. */
    readonly kubeconfig: pulumi.Output<string>;
    readonly certificatePem: pulumi.Output<string>;
    /** ISO 8601. */
    readonly notAfter: pulumi.Output<string>;

    constructor(name: string, args: CsrApiUserArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:identity:CsrApiUser", name, {}, opts);
        const { user, cluster } = args;
        if (user.authentication !== "csr") throw new Error(`CsrApiUser ${user.name}: authentication is ${user.authentication}, not csr`);
        const kubeconfigPath = args.adminKubeconfigPath ?? "/etc/kubernetes/admin.conf";
        const kubectl = args.kubectl ?? "kubectl";
        const timeoutSeconds = args.timeoutSeconds ?? 120;

        const key = new tls.PrivateKey(`${name}-key`, tlsPrivateKeyArgs(user.key), { parent: this });
        const renewalClock = new tls.SelfSignedCert(`${name}-renewal-clock`, {
            privateKeyPem: key.privateKeyPem,
            subject: { commonName: `${user.name} renewal clock` },
            validityPeriodHours: user.validityHours - user.renewBeforeHours,
            earlyRenewalHours: 0,
            allowedUses: [],
        }, { parent: this });

        const csrName = key.publicKeyPem.apply(pem => csrObjectName(user.name, createHash("sha256").update(pem).digest("hex")));
        const sudo = args.controlPlaneNode.ssh.user !== "root";
        const approval = nodeCommand(`${name}-csr`, {
            node: args.controlPlaneNode,
            sshPrivateKey: args.sshPrivateKey,
            create: pulumi.all([csrName, renewalClock.validityStartTime]).apply(([n, due]) => remoteShellCommand(csrApprovalScript({
                csrName: n, expirationSeconds: user.validityHours * 3600, kubeconfigPath, kubectl, timeoutSeconds, renewal: due,
            }), { sudo })),
            delete: csrName.apply(n => remoteShellCommand(csrCleanupScript({ csrName: n, kubeconfigPath, kubectl }), { sudo })),
            // The CSR holds nothing secret; it is the same at every run for the same key and subject.
            stdin: pulumi.unsecret(key.privateKeyPem.apply(pem => buildCsrPem(pem, { commonName: user.name, organizations: user.groups }))),
            triggers: [user.name, ...user.groups],
            // stdout is the issued certificate: public.
            output: "public",
            timeoutSeconds: timeoutSeconds + 60,
        }, { parent: this, aliases: [legacyCommandAlias] });

        this.certificatePem = approval.stdout.apply(out => {
            const pem = out.trim();
            if (!pem.startsWith("-----BEGIN CERTIFICATE-----")) throw new Error(`CSR for ${user.name}: the node returned no certificate`);
            return `${pem}\n`;
        });
        this.notAfter = this.certificatePem.apply(certificateNotAfter);
        this.kubeconfig = pulumi.secret(pulumi.all([this.certificatePem, key.privateKeyPem]).apply(([cert, privateKey]) =>
            renderKubeconfig({
                clusterName: cluster.name,
                server: cluster.apiServerUrl,
                caCertificatePem: cluster.caCertificatePem,
                userName: user.name,
                credentials: { clientCertificatePem: cert, clientKeyPem: privateKey },
            })));
        // Not the kubeconfig: the stack outputs hold it once (see X509User).
        this.registerOutputs({ certificatePem: this.certificatePem, notAfter: this.notAfter });
    }
}
