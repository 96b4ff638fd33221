// Facts of the pinned Kubernetes (toolchain/pins.sh: v1.35.4) the settings are validated against, each with
// where it comes from, so a version bump knows what to re-check.

export const PINNED_KUBERNETES_VERSION = "v1.35.4";

/** pkg/kubeapiserver/options/plugins.go AllOrderedPlugins (v1.35.4): every admission plugin the apiserver knows. */
export const ADMISSION_PLUGINS: readonly string[] = [
    "AlwaysAdmit", "NamespaceAutoProvision", "NamespaceLifecycle", "NamespaceExists", "LimitPodHardAntiAffinityTopology",
    "LimitRanger", "ServiceAccount", "NodeRestriction", "TaintNodesByCondition", "AlwaysPullImages", "ImagePolicyWebhook",
    "PodSecurity", "PodNodeSelector", "Priority", "DefaultTolerationSeconds", "PodTolerationRestriction", "EventRateLimit",
    "ExtendedResourceToleration", "DefaultStorageClass", "StorageObjectInUseProtection", "OwnerReferencesPermissionEnforcement",
    "PersistentVolumeClaimResize", "RuntimeClass", "CertificateApproval", "CertificateSigning", "ClusterTrustBundleAttest",
    "CertificateSubjectRestriction", "DefaultIngressClass", "DenyServiceExternalIPs", "PodTopologyLabels",
    "NodeDeclaredFeatureValidator", "MutatingAdmissionPolicy", "MutatingAdmissionWebhook", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionWebhook", "ResourceQuota", "AlwaysDeny",
];

/** Plugins that refuse to start without a file given through --admission-control-config-file. */
export const ADMISSION_PLUGINS_NEEDING_CONFIG: readonly string[] = ["EventRateLimit", "ImagePolicyWebhook"];

/** The TLS versions --tls-min-version accepts (k8s.io/component-base/cli/flag). */
export const TLS_VERSIONS: readonly string[] = ["VersionTLS10", "VersionTLS11", "VersionTLS12", "VersionTLS13"];

/**
 * --tls-cipher-suites names (k8s.io/component-base/cli/flag/ciphersuites_flag.go): Go's tls.CipherSuites() and
 * tls.InsecureCipherSuites() of the Go the binaries are built with (go1.26.8 here), plus two legacy names.
 */
export const SECURE_CIPHER_SUITES: readonly string[] = [
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    // legacy names of the last two
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
];
export const INSECURE_CIPHER_SUITES: readonly string[] = [
    "TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
];

/** What CIS check 1.2.29 accepts in --tls-cipher-suites (kube-bench cfg/cis-1.12/master.yaml). */
export const CIS_STRONG_CIPHER_SUITES: readonly string[] = [
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

/**
 * AuthenticationConfiguration: apiserver.config.k8s.io/v1 is served since v1.34 (StructuredAuthenticationConfiguration
 * GA). Its `anonymous` field (AnonymousAuthConfigurableEndpoints: alpha 1.31, beta 1.32, GA and locked on in 1.34)
 * matches condition paths exactly, and the apiserver refuses --anonymous-auth when the file sets `anonymous`.
 */
export const AUTHENTICATION_CONFIGURATION_API_VERSION = "apiserver.config.k8s.io/v1";
/** Flags the apiserver refuses beside --authentication-config (any --oidc-* flag). */
export const OIDC_FLAGS: readonly string[] = [
    "oidc-issuer-url", "oidc-client-id", "oidc-ca-file", "oidc-username-claim", "oidc-username-prefix", "oidc-groups-claim",
    "oidc-groups-prefix", "oidc-required-claim", "oidc-signing-algs",
];

export const ENCRYPTION_CONFIGURATION_API_VERSION = "apiserver.config.k8s.io/v1";
/** Key sizes the apiserver accepts (k8s.io/apiserver/pkg/apis/apiserver/validation/validation_encryption.go). */
export const ENCRYPTION_KEY_BYTES: Record<"secretbox" | "aescbc", readonly number[]> = { secretbox: [32], aescbc: [16, 24, 32] };

export const AUDIT_POLICY_API_VERSION = "audit.k8s.io/v1";
