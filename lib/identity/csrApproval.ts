// The Kubernetes CSR API path (certificates.k8s.io/v1) as one remote script, run on a control-plane node with
// its admin kubeconfig: create the CertificateSigningRequest (signer kubernetes.io/kube-apiserver-client,
// usages ["client auth"], expirationSeconds), approve it, wait (bounded) for status.certificate, print the
// certificate and delete the CSR object.
//
// Why a remote script: @pulumi/kubernetes can create a CSR but cannot approve it (approval is the /approval
// subresource) nor wait for the signed certificate, and kube-controller-manager deletes approved CSRs after an
// hour, so a CSR resource in state would vanish on refresh. Doing create+approve+read in one step that keeps
// only the certificate keeps the CA key and the admin credentials on the control plane, and a second
// `pulumi up` has nothing to redo. Pure string builders; the CSR itself arrives on stdin.

export const KUBE_APISERVER_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client";
/** The CSR API's lower bound for expirationSeconds. */
export const MIN_EXPIRATION_SECONDS = 600;

export interface CsrApprovalInput {
    csrName: string;
    expirationSeconds: number;
    /** Admin kubeconfig on the node (kubeadm: /etc/kubernetes/admin.conf). */
    kubeconfigPath: string;
    kubectl: string;
    timeoutSeconds: number;
    /** When the current certificate's renewal clock started (see CsrApiUser): part of the script, so that a new
     *  clock re-runs it and issues a new certificate. */
    renewal?: string;
}

/** A DNS-safe, stable CSR object name for a user and key: kube-baseline-<user>-<8 hex of the key digest>. */
export function csrObjectName(userName: string, publicKeyDigestHex: string): string {
    const slug = userName.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "user";
    if (!/^[0-9a-f]{8,}$/.test(publicKeyDigestHex)) throw new Error("publicKeyDigestHex must be hex");
    return `kube-baseline-${slug}-${publicKeyDigestHex.slice(0, 8)}`;
}

/** The CertificateSigningRequest object (request = base64 of the CSR PEM). */
export function certificateSigningRequestObject(name: string, requestBase64: string, expirationSeconds: number) {
    return {
        apiVersion: "certificates.k8s.io/v1",
        kind: "CertificateSigningRequest",
        metadata: { name, labels: { "app.kubernetes.io/managed-by": "kube-baseline" } },
        spec: {
            request: requestBase64,
            signerName: KUBE_APISERVER_CLIENT_SIGNER,
            expirationSeconds,
            usages: ["client auth"],
        },
    };
}

/** Expects the CSR PEM on stdin; prints the issued certificate PEM and nothing else on stdout. */
export function csrApprovalScript(input: CsrApprovalInput): string {
    check(input);
    const placeholder = "@@REQUEST@@";
    const json = JSON.stringify(certificateSigningRequestObject(input.csrName, placeholder, input.expirationSeconds));
    const [before, after] = json.split(placeholder);
    return [
        "set -eu",
        ...(input.renewal !== undefined ? [`# renewal: ${input.renewal.replace(/[^0-9A-Za-z:.+-]/g, "")}`] : []),
        "umask 077",
        `export KUBECONFIG=${q(input.kubeconfigPath)}`,
        `kubectl=${q(input.kubectl)}`,
        `name=${q(input.csrName)}`,
        `timeout=${input.timeoutSeconds}`,
        "fail() { echo \"kube-baseline: $*\" >&2; exit 1; }",
        "command -v \"$kubectl\" >/dev/null 2>&1 || fail \"kubectl not found on this control-plane node (it approves the CSR)\"",
        "[ -r \"$KUBECONFIG\" ] || fail \"admin kubeconfig $KUBECONFIG is not readable\"",
        "tmp=$(mktemp -d)",
        "trap 'rm -rf \"$tmp\"' EXIT",
        "cat > \"$tmp/request.pem\"",
        "grep -q 'BEGIN CERTIFICATE REQUEST' \"$tmp/request.pem\" || fail \"no certificate request on stdin\"",
        "request=$(base64 < \"$tmp/request.pem\" | tr -d '\\n')",
        "# A CSR left by an interrupted run would block the name.",
        "\"$kubectl\" delete csr \"$name\" --ignore-not-found >/dev/null",
        `printf '%s%s%s' ${q(before)} "$request" ${q(after)} > "$tmp/csr.json"`,
        "\"$kubectl\" create -f \"$tmp/csr.json\" >/dev/null",
        "\"$kubectl\" certificate approve \"$name\" >/dev/null",
        "deadline=$(( $(date +%s) + timeout ))",
        "while :; do",
        "  cert=$(\"$kubectl\" get csr \"$name\" -o 'jsonpath={.status.certificate}')",
        "  [ -z \"$cert\" ] || break",
        "  conditions=$(\"$kubectl\" get csr \"$name\" -o 'jsonpath={.status.conditions[*].type}')",
        "  case \" $conditions \" in *' Denied '*|*' Failed '*) fail \"CSR $name was not signed: $conditions\";; esac",
        "  if [ \"$(date +%s)\" -ge \"$deadline\" ]; then",
        "    fail \"timed out after ${timeout}s waiting for the cluster to sign CSR $name (does kube-controller-manager run the csrsigning controller with --cluster-signing-cert-file?)\"",
        "  fi",
        "  sleep 2",
        "done",
        "\"$kubectl\" delete csr \"$name\" --ignore-not-found >/dev/null || true",
        "printf '%s' \"$cert\" | base64 -d",
    ].join("\n") + "\n";
}

/** Delete side: the certificate cannot be revoked; just make sure no CSR object is left behind. */
export function csrCleanupScript(input: Pick<CsrApprovalInput, "csrName" | "kubeconfigPath" | "kubectl">): string {
    return [
        "set -eu",
        `export KUBECONFIG=${q(input.kubeconfigPath)}`,
        `if command -v ${q(input.kubectl)} >/dev/null 2>&1 && [ -r "$KUBECONFIG" ]; then`,
        `  ${q(input.kubectl)} delete csr ${q(input.csrName)} --ignore-not-found >/dev/null || true`,
        "fi",
    ].join("\n") + "\n";
}

function check(input: CsrApprovalInput): void {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(input.csrName) || input.csrName.length > 253) {
        throw new Error(`CSR name must be an RFC 1123 subdomain, got ${JSON.stringify(input.csrName)}`);
    }
    if (!Number.isInteger(input.expirationSeconds) || input.expirationSeconds < MIN_EXPIRATION_SECONDS) {
        throw new Error(`expirationSeconds must be a whole number >= ${MIN_EXPIRATION_SECONDS}`);
    }
    if (!/^\/[A-Za-z0-9._/-]+$/.test(input.kubeconfigPath)) throw new Error("kubeconfigPath must be a plain absolute path");
    if (!/^[A-Za-z0-9._/-]+$/.test(input.kubectl)) throw new Error("kubectl must be a plain command name or path");
    if (!Number.isInteger(input.timeoutSeconds) || input.timeoutSeconds <= 0) throw new Error("timeoutSeconds must be a positive integer");
}

function q(value: string): string {
    return `'${value.replace(/'/g, "'\\''")}'`;
}
