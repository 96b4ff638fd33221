// kube-baseline:controlPlane: the schema names every bad key and value, the meaning is checked per key, defaults come
// from the static-token settings (where earlier versions kept the apiserver's backup), and the token file must fit.
import { Issues } from "../../../lib/config/configError";
import { ControlPlaneSchema, resolveControlPlane } from "../../../lib/config/controlPlane";
import { checkShape } from "../../../lib/config/schema";
import { resolveStaticTokens } from "../../../lib/config/staticTokens";

function resolve(raw: unknown, tokens: Record<string, unknown> = {}, hasTokenUsers = false) {
    const issues = new Issues();
    const staticTokens = resolveStaticTokens({ allowed: true, ...tokens }, issues);
    if (!checkShape(ControlPlaneSchema, raw, ["controlPlane"], issues)) return { issues: issues.issues };
    const config = resolveControlPlane(raw as never, { staticTokens, hasTokenUsers }, issues);
    return { config, issues: issues.issues };
}

describe("kube-baseline:controlPlane", () => {
    test("off by default; on, every setting has a sensible default and the state directory is the static tokens' backup directory", () => {
        expect(resolve({}).config!.settings.enabled).toBe(false);
        const { config, issues } = resolve({ enabled: true }, { backupDirectory: "/etc/kubernetes/kb-state" });
        expect(issues).toEqual([]);
        expect(config!.settings).toMatchObject({
            stateDirectory: "/etc/kubernetes/kb-state", manifestDirectory: "/etc/kubernetes/manifests", healthTimeoutSeconds: 300,
            encryption: { enabled: true, provider: "secretbox", keyGeneration: 1 }, disableProfiling: true,
        });
    });

    test.each([
        [{ enabled: "yes" }, "kube-baseline:controlPlane.enabled", "yes", /must be true or false/],
        [{ enabld: true }, "kube-baseline:controlPlane.enabld", null, /is not a known setting; did you mean enabled\?/],
        [{ enabled: true, audit: { maxAgeDays: 7.5 } }, "kube-baseline:controlPlane.audit.maxAgeDays", 7.5, /whole number from 1 to 3650/],
        [{ enabled: true, audit: { logPath: "/var/log/audit.log" } }, "kube-baseline:controlPlane.audit.logPath", "/var/log/audit.log", /system directory/],
        [{ enabled: true, audit: { rules: [{ level: "Everything" }] } }, "kube-baseline:controlPlane.audit.rules", [{ level: "Everything" }], /rules\[0\]\.level must be one of/],
        [{ enabled: true, encryption: { provider: "aesgcm" } }, "kube-baseline:controlPlane.encryption.provider", "aesgcm", /must be one of secretbox, aescbc/],
        [{ enabled: true, encryption: { keyGeneration: 0 } }, "kube-baseline:controlPlane.encryption.keyGeneration", 0, /raise it by one to rotate/],
        [{ enabled: true, admission: { disable: ["NodeRestriction"] } }, "kube-baseline:controlPlane.admission.disable[0]", "NodeRestriction", /must stay enabled/],
        [{ enabled: true, tls: { minVersion: "VersionTLS10" } }, "kube-baseline:controlPlane.tls.minVersion", "VersionTLS10", /older than TLS 1.2/],
        [{ enabled: true, requestTimeout: "forever" }, "kube-baseline:controlPlane.requestTimeout", "forever", /Go duration/],
        [{ enabled: true, configDirectory: "/etc" }, "kube-baseline:controlPlane.configDirectory", "/etc", /system directory/],
        [{ enabled: true, configDirectory: "/etc/kubernetes/../x" }, "kube-baseline:controlPlane.configDirectory", "/etc/kubernetes/../x", /'\.\.'/],
        [{ enabled: true, healthTimeoutSeconds: 0 }, "kube-baseline:controlPlane.healthTimeoutSeconds", 0, /between 1 and 86400/],
    ])("%j: %s", (raw, key, value, message) => {
        expect(resolve(raw).issues).toContainEqual({ key, value, message: expect.stringMatching(message), ...(value === null ? { hideValue: true } : {}) });
    });

    test("with token users: the token file is part of the patch, so its paths must fit the control plane's", () => {
        expect(resolve({}, {}, true).issues).toEqual([]);
        expect(resolve({}, { manifestPath: "/etc/kubernetes/manifests/apiserver.yaml" }, true).issues).toContainEqual({
            key: "kube-baseline:staticTokens.manifestPath", value: "/etc/kubernetes/manifests/apiserver.yaml",
            message: expect.stringMatching(/must be the kube-apiserver manifest in controlPlane.manifestDirectory/),
        });
        expect(resolve({ stateDirectory: "/etc/kubernetes/elsewhere" }, {}, true).issues).toContainEqual({
            key: "kube-baseline:controlPlane.stateDirectory", value: "/etc/kubernetes/elsewhere",
            message: expect.stringMatching(/must be staticTokens.backupDirectory/),
        });
        expect(resolve({ enabled: true, configDirectory: "/etc/kubernetes/auth" }, {}, true).issues).toContainEqual({
            key: "kube-baseline:controlPlane.configDirectory", value: "/etc/kubernetes/auth",
            message: expect.stringMatching(/must not be staticTokens.directory/),
        });
        // Settings that are off are not judged, but where the token patch lives is.
        expect(resolve({ enabled: false, audit: { maxAgeDays: 0 } }, {}, true).issues).toEqual([]);
    });
});
