// The settings: defaults, validation (each bad value named with its key), the default audit policy's behaviour,
// the anonymous-access file, and the patch the settings make on kubeadm's manifests.

import { parse } from "yaml";
import { auditLevelFor, AuditRequest, checkAuditRules, DEFAULT_AUDIT_RULES, parseAuditPolicy, renderAuditPolicy } from "../../../lib/controlPlane/auditPolicy";
import { parseAnonymousAuthentication, renderAuthenticationConfiguration } from "../../../lib/controlPlane/anonymousAuth";
import { goDurationSeconds } from "../../../lib/controlPlane/goDuration";
import { controlPlanePatchFromSettings, hardeningFilePaths } from "../../../lib/controlPlane/hardeningPatch";
import { applyManifestPatch } from "../../../lib/controlPlane/manifestPatch";
import { ControlPlaneSettings, ControlPlaneSettingsInput, DEFAULT_CONTROL_PLANE_SETTINGS, withControlPlaneDefaults } from "../../../lib/controlPlane/settings";
import { readStaticPod } from "../../../lib/controlPlane/staticPodManifest";
import { validateControlPlaneSettings } from "../../../lib/controlPlane/validateSettings";
import { APISERVER, CONTROLLER_MANAGER, SCHEDULER } from "./fixtures";

const ON = withControlPlaneDefaults({ enabled: true });

describe("withControlPlaneDefaults", () => {
    test("off unless enabled; objects merge, lists replace", () => {
        expect(withControlPlaneDefaults(undefined)).toEqual(DEFAULT_CONTROL_PLANE_SETTINGS);
        const s = withControlPlaneDefaults({ enabled: true, audit: { maxAgeDays: 90 }, tls: { cipherSuites: ["TLS_AES_128_GCM_SHA256"] } });
        expect(s.audit).toEqual({ ...DEFAULT_CONTROL_PLANE_SETTINGS.audit, maxAgeDays: 90 });
        expect(s.tls.cipherSuites).toEqual(["TLS_AES_128_GCM_SHA256"]);
        expect(DEFAULT_CONTROL_PLANE_SETTINGS.audit.maxAgeDays).toBe(30);
    });
    test("the defaults are valid", () => {
        expect(validateControlPlaneSettings(ON)).toEqual([]);
    });
});

describe("validateControlPlaneSettings", () => {
    test.each([
        [{ audit: { maxAgeDays: 0 } }, "audit.maxAgeDays", 0, /whole number from 1 to 3650 \(CIS asks for at least 30\)/],
        [{ audit: { maxBackups: 2.5 } }, "audit.maxBackups", 2.5, /whole number/],
        [{ audit: { logPath: "-" } }, "audit.logPath", "-", /plain absolute file path/],
        [{ audit: { logPath: "/etc/kubernetes/hardening/audit.log" } }, "audit.logPath", "/etc/kubernetes/hardening/audit.log", /directory of its own/],
        [{ audit: { logPath: "/audit.log" } }, "audit.logPath", "/audit.log", /directory of its own/],
        [{ audit: { rules: [{ level: "Everything" as never }] } }, "audit.rules", [{ level: "Everything" }], /rules\[0\]\.level must be one of None, Metadata, Request, RequestResponse/],
        [{ encryption: { provider: "aesgcm" as never } }, "encryption.provider", "aesgcm", /must be one of secretbox, aescbc/],
        [{ admission: { enable: ["AlwaysAdmit"] } }, "admission.enable[0]", "AlwaysAdmit", /must not be enabled: it admits every request unchecked \(CIS 1.2.10\)/],
        [{ admission: { enable: ["EventRateLimit"] } }, "admission.enable[0]", "EventRateLimit", /needs an admission configuration file/],
        [{ admission: { enable: ["alwayspullimages"] } }, "admission.enable[0]", "alwayspullimages", /did you mean AlwaysPullImages\?/],
        [{ admission: { enable: ["NoSuchPlugin"] } }, "admission.enable[0]", "NoSuchPlugin", /not an admission plugin kube-apiserver v1.35 knows/],
        [{ admission: { disable: ["NodeRestriction"] } }, "admission.disable[0]", "NodeRestriction", /must stay enabled: it limits what each kubelet may change/],
        [{ admission: { disable: ["PodSecurity"] } }, "admission.disable[0]", "PodSecurity", /must stay enabled/],
        [{ admission: { enable: ["AlwaysPullImages"], disable: ["AlwaysPullImages"] } }, "admission.enable[0]", "AlwaysPullImages", /also in admission.disable/],
        [{ tls: { minVersion: "VersionTLS11" as never } }, "tls.minVersion", "VersionTLS11", /older than TLS 1.2/],
        [{ tls: { minVersion: "TLS1.3" as never } }, "tls.minVersion", "TLS1.3", /must be VersionTLS12 or VersionTLS13/],
        [{ tls: { cipherSuites: ["TLS_RSA_WITH_AES_128_CBC_SHA"] } }, "tls.cipherSuites[0]", "TLS_RSA_WITH_AES_128_CBC_SHA", /insecure cipher suites/],
        [{ tls: { cipherSuites: ["TLS_FAKE"] } }, "tls.cipherSuites[0]", "TLS_FAKE", /not a cipher suite kube-apiserver v1.35 accepts/],
        [{ requestTimeout: "60" }, "requestTimeout", "60", /Go duration/],
        [{ requestTimeout: "2h" }, "requestTimeout", "2h", /from 1s to 1h/],
        [{ anonymous: { paths: [] } }, "anonymous.paths", [], /at least one path: kubelet's probes/],
        [{ anonymous: { paths: ["/livez*"] } }, "anonymous.paths[0]", "/livez*", /exact path/],
        [{ bindAddress: "localhost" }, "bindAddress", "localhost", /must be an IP address/],
        [{ stateDirectory: "/etc/kubernetes/manifests/kb" }, "stateDirectory", "/etc/kubernetes/manifests/kb", /kubelet runs every file there/],
        [{ configDirectory: "/etc/kubernetes/kube-baseline" }, "configDirectory", "/etc/kubernetes/kube-baseline", /must not be the stateDirectory/],
        [{ configDirectory: "relative/dir" }, "configDirectory", "relative/dir", /plain absolute path/],
        [{ healthTimeoutSeconds: 5 }, "healthTimeoutSeconds", 5, /30 to 3600/],
    ] as Array<[ControlPlaneSettingsInput, string, unknown, RegExp]>)("%j: names kube-baseline:controlPlane.%s", (input, key, value, message) => {
        const issues = validateControlPlaneSettings(withControlPlaneDefaults({ enabled: true, ...input }));
        expect(issues).toContainEqual({ key: `kube-baseline:controlPlane.${key}`, value, message: expect.stringMatching(message) });
    });

    test("settings that are off are not checked", () => {
        expect(validateControlPlaneSettings(withControlPlaneDefaults({ enabled: false, audit: { maxAgeDays: -1 } }))).toEqual([]);
        expect(validateControlPlaneSettings(withControlPlaneDefaults({ enabled: true, audit: { enabled: false, logPath: "-" } }))).toEqual([]);
    });

    test.each([["300s", 300], ["1m30s", 90], ["1h", 3600], ["500ms", 0.5], ["1.5m", 90], ["5", undefined], ["", undefined], ["1d", undefined]])(
        "goDurationSeconds(%j) = %j", (text, seconds) => expect(goDurationSeconds(text)).toBe(seconds));
});

describe("the default audit policy", () => {
    const rules = parseAuditPolicy(renderAuditPolicy(DEFAULT_AUDIT_RULES)).rules;
    test.each([
        ["a health check", { verb: "get", path: "/readyz" }, "None"],
        ["a health check's sub-path", { verb: "get", path: "/livez/ping" }, "None"],
        ["metrics scraping", { verb: "get", path: "/metrics" }, "None"],
        ["kube-proxy watching services", { user: "system:kube-proxy", verb: "watch", resource: "services" }, "None"],
        ["a kubelet reading its node", { user: "system:node:w1", groups: ["system:nodes"], verb: "get", resource: "nodes", name: "w1" }, "None"],
        ["leader election", { user: "system:kube-scheduler", verb: "update", apiGroup: "coordination.k8s.io", resource: "leases", namespace: "kube-system" }, "None"],
        ["events", { user: "system:kube-controller-manager", verb: "create", resource: "events", namespace: "default" }, "None"],
        ["reading a Secret", { user: "alice", verb: "get", resource: "secrets", namespace: "dev" }, "Metadata"],
        ["creating a Secret (its body is the secret)", { user: "alice", verb: "create", resource: "secrets", namespace: "dev" }, "Metadata"],
        ["a ConfigMap", { user: "alice", verb: "update", resource: "configmaps", namespace: "dev" }, "Metadata"],
        ["a token request", { user: "alice", verb: "create", resource: "serviceaccounts", subresource: "token", namespace: "dev" }, "Metadata"],
        ["a TokenReview", { user: "alice", verb: "create", apiGroup: "authentication.k8s.io", resource: "tokenreviews" }, "Metadata"],
        ["an RBAC change", { user: "alice", verb: "create", apiGroup: "rbac.authorization.k8s.io", resource: "rolebindings", namespace: "dev" }, "Request"],
        ["reading RBAC", { user: "alice", verb: "list", apiGroup: "rbac.authorization.k8s.io", resource: "clusterroles" }, "Metadata"],
        ["exec into a pod", { user: "alice", verb: "create", resource: "pods", subresource: "exec", namespace: "dev" }, "Metadata"],
        ["listing pods", { user: "alice", verb: "list", resource: "pods", namespace: "dev" }, "Metadata"],
        ["a discovery request", { user: "alice", verb: "get", path: "/apis" }, "Metadata"],
    ] as Array<[string, AuditRequest, string]>)("%s is logged at the level the policy means", (_what, request, level) => {
        expect(auditLevelFor(rules, request)).toBe(level);
    });

    test("renders an audit.k8s.io/v1 Policy that skips the RequestReceived stage", () => {
        expect(parse(renderAuditPolicy(DEFAULT_AUDIT_RULES))).toMatchObject({ apiVersion: "audit.k8s.io/v1", kind: "Policy", omitStages: ["RequestReceived"] });
    });

    test("auditLevelFor follows the apiserver's matching: first rule wins, patterns, resource names", () => {
        const custom = [
            { level: "None" as const, resources: [{ group: "", resources: ["pods/*"] }] },
            { level: "Request" as const, resources: [{ group: "", resources: ["*/status"] }] },
            { level: "RequestResponse" as const, resources: [{ group: "", resources: ["configmaps"], resourceNames: ["special"] }] },
            { level: "Metadata" as const, namespaces: ["kube-system"] },
        ];
        expect(auditLevelFor(custom, { verb: "get", resource: "pods", subresource: "log" })).toBe("None");
        expect(auditLevelFor(custom, { verb: "update", resource: "nodes", subresource: "status" })).toBe("Request");
        expect(auditLevelFor(custom, { verb: "get", resource: "configmaps", name: "special" })).toBe("RequestResponse");
        expect(auditLevelFor(custom, { verb: "get", resource: "configmaps", name: "other", namespace: "kube-system" })).toBe("Metadata");
        expect(auditLevelFor(custom, { verb: "get", resource: "configmaps", name: "other", namespace: "dev" })).toBe("None");
        expect(auditLevelFor(custom, { verb: "get", path: "/version" })).toBe("None");
    });

    test("checkAuditRules names the bad rule", () => {
        expect(checkAuditRules([{ level: "Metadata", resources: [{ group: "" }], nonResourceURLs: ["/x"] }, { level: "None", nonResourceURLs: ["healthz"] }])).toEqual([
            "rules[0]: a rule cannot have both resources and nonResourceURLs",
            'rules[1].nonResourceURLs: "healthz" must be "*" or a path starting with "/" (a trailing "*" is a prefix)',
        ]);
        expect(checkAuditRules([])).toEqual(["an audit policy needs at least one rule"]);
    });
});

describe("anonymous access", () => {
    test("an apiserver.config.k8s.io/v1 AuthenticationConfiguration with the paths as conditions", () => {
        const text = renderAuthenticationConfiguration(["/livez", "/readyz", "/healthz"]);
        expect(parse(text)).toEqual({
            apiVersion: "apiserver.config.k8s.io/v1", kind: "AuthenticationConfiguration",
            anonymous: { enabled: true, conditions: [{ path: "/livez" }, { path: "/readyz" }, { path: "/healthz" }] },
        });
        expect(parseAnonymousAuthentication(text)).toEqual({ enabled: true, paths: ["/livez", "/readyz", "/healthz"] });
        expect(parseAnonymousAuthentication("apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt: []\n")).toBeUndefined();
        expect(() => renderAuthenticationConfiguration([])).toThrow(/kubelet's probes/);
    });
});

describe("controlPlanePatchFromSettings on kubeadm's manifests", () => {
    const s: ControlPlaneSettings = withControlPlaneDefaults({ enabled: true, admission: { enable: ["AlwaysPullImages"] } });
    const patch = controlPlanePatchFromSettings(s, { encryptionConfiguration: "kind: EncryptionConfiguration\n" });
    const apiserver = readStaticPod(applyManifestPatch(APISERVER, "kube-apiserver", patch["kube-apiserver"]!), "kube-apiserver");
    const files = hardeningFilePaths(s);

    test("kube-apiserver: audit, encryption, admission, profiling, TLS, request timeout, anonymous access", () => {
        expect(Object.fromEntries([...apiserver.flags].filter(([k]) => !readStaticPod(APISERVER, "kube-apiserver").flags.has(k) || k === "enable-admission-plugins"))).toEqual({
            "audit-policy-file": files.auditPolicy,
            "audit-log-path": "/var/log/kubernetes/audit/audit.log",
            "audit-log-maxage": "30", "audit-log-maxbackup": "10", "audit-log-maxsize": "100",
            "encryption-provider-config": files.encryption,
            "enable-admission-plugins": "NodeRestriction,AlwaysPullImages",
            "profiling": "false",
            "tls-min-version": "VersionTLS12",
            "tls-cipher-suites": s.tls.cipherSuites.join(","),
            "request-timeout": "60s",
            "authentication-config": files.authentication,
        });
        expect(apiserver.mounts).toContainEqual({ name: "kube-baseline-hardening", mountPath: "/etc/kubernetes/hardening", readOnly: true });
        expect(apiserver.mounts).toContainEqual({ name: "kube-baseline-audit-log", mountPath: "/var/log/kubernetes/audit", readOnly: false });
    });

    test("the files: mode 0600 in a 0700 directory; only the encryption config is secret", () => {
        const p = patch["kube-apiserver"]!;
        expect(p.files.map(f => [f.path, f.mode, !!f.secret])).toEqual([
            [files.auditPolicy, "0600", false], [files.encryption, "0600", true], [files.authentication, "0600", false],
        ]);
        expect(p.directories).toContainEqual({ path: "/etc/kubernetes/hardening", mode: "0700", owner: "root:root" });
        expect(p.removeFlags).toEqual(["anonymous-auth"]);
        expect(p.ownedFlags).toEqual(expect.arrayContaining(["encryption-provider-config", "authentication-config", "audit-policy-file"]));
    });

    test("controller-manager and scheduler: profiling off, TLS, bind address", () => {
        for (const [component, manifest] of [["kube-controller-manager", CONTROLLER_MANAGER], ["kube-scheduler", SCHEDULER]] as const) {
            const view = readStaticPod(applyManifestPatch(manifest, component, patch[component]!), component);
            expect(view.flags.get("profiling")).toBe("false");
            expect(view.flags.get("tls-min-version")).toBe("VersionTLS12");
            expect(view.flags.get("bind-address")).toBe("127.0.0.1");
        }
    });

    test("an apiserver with --anonymous-auth=false loses the flag; one with OIDC flags or its own encryption config is refused", () => {
        const withFlag = APISERVER.replace("    - --authorization-mode", "    - --anonymous-auth=false\n    - --authorization-mode");
        expect(readStaticPod(applyManifestPatch(withFlag, "kube-apiserver", patch["kube-apiserver"]!), "kube-apiserver").flags.has("anonymous-auth")).toBe(false);
        const oidc = APISERVER.replace("    - --secure-port", "    - --oidc-issuer-url=https://idp.example\n    - --secure-port");
        expect(() => applyManifestPatch(oidc, "kube-apiserver", patch["kube-apiserver"]!)).toThrow(/--oidc-issuer-url, which cannot be used together/);
        const theirs = APISERVER.replace("    - --etcd-cafile", "    - --encryption-provider-config=/etc/kubernetes/enc/config.yaml\n    - --etcd-cafile");
        expect(() => applyManifestPatch(theirs, "kube-apiserver", patch["kube-apiserver"]!)).toThrow(/already has --encryption-provider-config=\/etc\/kubernetes\/enc\/config.yaml; refusing to replace/);
    });

    test("without an encryption config there is no encryption flag; settings off make no patch", () => {
        expect(controlPlanePatchFromSettings(s)["kube-apiserver"]!.flags["encryption-provider-config"]).toBeUndefined();
        expect(controlPlanePatchFromSettings(withControlPlaneDefaults({}))).toEqual({});
    });

    test("disabled plugins are disabled and taken out of the enable list", () => {
        const p = controlPlanePatchFromSettings(withControlPlaneDefaults({ enabled: true, admission: { disable: ["DefaultStorageClass"] } }));
        const manifest = APISERVER.replace("--enable-admission-plugins=NodeRestriction", "--enable-admission-plugins=NodeRestriction,DefaultStorageClass");
        const view = readStaticPod(applyManifestPatch(manifest, "kube-apiserver", p["kube-apiserver"]!), "kube-apiserver");
        expect(view.flags.get("enable-admission-plugins")).toBe("NodeRestriction");
        expect(view.flags.get("disable-admission-plugins")).toBe("DefaultStorageClass");
    });
});
