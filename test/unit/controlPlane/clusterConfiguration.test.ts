// The patch written into kubeadm-config's ClusterConfiguration in both shapes kubeadm v1.35 reads: the flags and
// volumes land where `kubeadm upgrade` reads them, nothing else changes, and the revert restores what was there.

import { parse } from "yaml";
import {
    applyClusterConfigurationPatch, clusterConfigurationChange, clusterConfigurationExtraArgs, clusterConfigurationExtraVolumes,
    clusterConfigurationVersion, ClusterConfigurationPatch, revertClusterConfigurationPatch,
} from "../../../lib/controlPlane/clusterConfiguration";
import { resolveManifestFlags } from "../../../lib/controlPlane/manifestPatch";
import { componentPatch, ControlPlanePatch } from "../../../lib/controlPlane/patchModel";
import { APISERVER, CLUSTER_CONFIGURATION_V1BETA3, CLUSTER_CONFIGURATION_V1BETA4 } from "./fixtures";

const LOG = { name: "kb-audit-log", hostPath: "/var/log/kubernetes/audit", mountPath: "/var/log/kubernetes/audit", readOnly: false, type: "DirectoryOrCreate" as const };
const CONFIG = { name: "kb-hardening", hostPath: "/etc/kubernetes/hardening", mountPath: "/etc/kubernetes/hardening", readOnly: true, type: "DirectoryOrCreate" as const };

const CHANGE: ClusterConfigurationPatch = {
    "kube-apiserver": { set: { "audit-log-maxage": "30", "audit-log-path": "/var/log/kubernetes/audit/audit.log", "profiling": "false" }, remove: ["anonymous-auth"], mounts: [CONFIG, LOG] },
    "kube-controller-manager": { set: { profiling: "false" }, remove: [], mounts: [] },
    "kube-scheduler": { set: { profiling: "false" }, remove: [], mounts: [] },
};

function lines(text: string): string[] {
    return text.split("\n");
}

describe("clusterConfigurationVersion", () => {
    test.each([
        [CLUSTER_CONFIGURATION_V1BETA4, "v1beta4"],
        [CLUSTER_CONFIGURATION_V1BETA3, "v1beta3"],
    ])("detects the shape the ConfigMap holds", (text, version) => {
        expect(clusterConfigurationVersion(text)).toBe(version);
    });
    test.each([
        ["apiVersion: kubeadm.k8s.io/v1beta2\nkind: ClusterConfiguration\n", /v1beta2.*not one kubeadm v1.35 reads/],
        ["apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n", /kind "InitConfiguration", not ClusterConfiguration/],
        ["a: [\n", /not valid YAML/],
    ])("refuses what kubeadm would not read", (text, error) => {
        expect(() => clusterConfigurationVersion(text)).toThrow(error);
    });
});

describe("v1beta4 (extraArgs as a list of name/value)", () => {
    const patched = applyClusterConfigurationPatch(CLUSTER_CONFIGURATION_V1BETA4, CHANGE);
    const cfg = parse(patched);

    test("writes the flags and volumes into each component's section", () => {
        expect(cfg.apiServer.extraArgs).toEqual([
            { name: "audit-log-maxage", value: "30" },
            { name: "audit-log-path", value: "/var/log/kubernetes/audit/audit.log" },
            { name: "profiling", value: "false" },
        ]);
        expect(cfg.apiServer.extraVolumes).toEqual([
            { hostPath: "/etc/kubernetes/hardening", mountPath: "/etc/kubernetes/hardening", name: "kb-hardening", pathType: "DirectoryOrCreate", readOnly: true },
            { hostPath: "/var/log/kubernetes/audit", mountPath: "/var/log/kubernetes/audit", name: "kb-audit-log", pathType: "DirectoryOrCreate", readOnly: false },
        ]);
        expect(cfg.controllerManager.extraArgs).toEqual([
            { name: "flex-volume-plugin-dir", value: "/etc/kubernetes/volume-plugins" }, { name: "profiling", value: "false" },
        ]);
        expect(cfg.scheduler.extraArgs).toEqual([{ name: "profiling", value: "false" }]);
    });

    test("leaves every other line as it was", () => {
        const before = lines(CLUSTER_CONFIGURATION_V1BETA4).filter(l => !["apiServer: {}", "scheduler: {}"].includes(l));
        const after = lines(patched);
        let i = 0;
        for (const line of after) if (i < before.length && line === before[i]) i++;
        expect(before.slice(i)).toEqual([]);
        expect(clusterConfigurationExtraArgs(patched, "kube-apiserver").get("profiling")).toBe("false");
    });

    test("is idempotent and returns the very text when nothing changes", () => {
        expect(applyClusterConfigurationPatch(patched, CHANGE)).toBe(patched);
        expect(applyClusterConfigurationPatch(CLUSTER_CONFIGURATION_V1BETA4, {})).toBe(CLUSTER_CONFIGURATION_V1BETA4);
    });

    test("revert gives the original back byte for byte", () => {
        expect(revertClusterConfigurationPatch(patched, CLUSTER_CONFIGURATION_V1BETA4, CHANGE)).toBe(CLUSTER_CONFIGURATION_V1BETA4);
    });

    test("revert after an upgrade keeps the upgrade's kubernetesVersion and the user's own args", () => {
        const upgraded = patched.replace("kubernetesVersion: v1.35.4", "kubernetesVersion: v1.36.0");
        const reverted = parse(revertClusterConfigurationPatch(upgraded, CLUSTER_CONFIGURATION_V1BETA4, CHANGE));
        expect(reverted.kubernetesVersion).toBe("v1.36.0");
        expect(reverted.apiServer).toEqual({});
        expect(reverted.scheduler).toEqual({});
        expect(reverted.controllerManager).toEqual(parse(CLUSTER_CONFIGURATION_V1BETA4).controllerManager);
    });
});

describe("v1beta3 (extraArgs as a map)", () => {
    const patched = applyClusterConfigurationPatch(CLUSTER_CONFIGURATION_V1BETA3, CHANGE);
    const cfg = parse(patched);

    test("changes the user's value in place and adds the others, as strings", () => {
        expect(cfg.apiServer.extraArgs).toEqual({
            "authorization-mode": "Node,RBAC", "audit-log-maxage": "30", "audit-log-path": "/var/log/kubernetes/audit/audit.log", "profiling": "false",
        });
        expect(patched).toContain('audit-log-maxage: "30"');
        expect(cfg.apiServer.timeoutForControlPlane).toBe("4m0s");
        expect(cfg.controllerManager.extraArgs).toEqual({ profiling: "false" });
        expect(clusterConfigurationExtraVolumes(patched, "kube-apiserver").map(v => v.name)).toEqual(["kb-hardening", "kb-audit-log"]);
    });

    test("revert restores the user's value and drops what was added", () => {
        expect(revertClusterConfigurationPatch(patched, CLUSTER_CONFIGURATION_V1BETA3, CHANGE)).toBe(CLUSTER_CONFIGURATION_V1BETA3);
        const edited = patched.replace("clusterName: kubernetes", "clusterName: prod");
        const reverted = parse(revertClusterConfigurationPatch(edited, CLUSTER_CONFIGURATION_V1BETA3, CHANGE));
        expect(reverted.apiServer.extraArgs).toEqual({ "authorization-mode": "Node,RBAC", "audit-log-maxage": "7" });
        expect(reverted.clusterName).toBe("prod");
    });
});

describe("refusals and values", () => {
    test.each([
        ["removing a flag kubeadm writes every time", { "kube-apiserver": { set: {}, remove: ["enable-bootstrap-token-auth"], mounts: [] } },
            CLUSTER_CONFIGURATION_V1BETA4, /kubeadm writes --enable-bootstrap-token-auth into every kube-apiserver manifest/],
        ["a v1beta4 arg given twice", { "kube-apiserver": { set: { "v": "2" }, remove: [], mounts: [] } },
            CLUSTER_CONFIGURATION_V1BETA4.replace("apiServer: {}", "apiServer:\n  extraArgs:\n  - name: v\n    value: \"1\"\n  - name: v\n    value: \"3\""),
            /extraArgs has v more than once/],
        ["a volume name already used for another path", { "kube-apiserver": { set: {}, remove: [], mounts: [{ ...LOG, hostPath: "/var/log/other" }] } },
            applyClusterConfigurationPatch(CLUSTER_CONFIGURATION_V1BETA4, { "kube-apiserver": { set: {}, remove: [], mounts: [LOG] } }),
            /already has kb-audit-log, not as a writable mount of \/var\/log\/other/],
        ["a path already mounted by the user", { "kube-apiserver": { set: {}, remove: [], mounts: [{ ...LOG, name: "kb-other" }] } },
            applyClusterConfigurationPatch(CLUSTER_CONFIGURATION_V1BETA4, { "kube-apiserver": { set: {}, remove: [], mounts: [LOG] } }),
            /already mounts \/var\/log\/kubernetes\/audit \(kb-audit-log\)/],
    ] as Array<[string, ClusterConfigurationPatch, string, RegExp]>)("refuses %s", (_what, change, text, error) => {
        expect(() => applyClusterConfigurationPatch(text, change)).toThrow(error);
    });

    test.each(["$(touch /tmp/kb)", "`id`", `it's "q"`, "a: b", "-x", "true", "007"])("the value %s is stored as that exact string", value => {
        for (const text of [CLUSTER_CONFIGURATION_V1BETA4, CLUSTER_CONFIGURATION_V1BETA3]) {
            const patched = applyClusterConfigurationPatch(text, { "kube-apiserver": { set: { "service-node-port-range": value }, remove: [], mounts: [] } });
            expect(clusterConfigurationExtraArgs(patched, "kube-apiserver").get("service-node-port-range")).toBe(value);
            const parsed = parse(patched).apiServer.extraArgs;
            expect(Array.isArray(parsed) ? parsed.find((a: { name: string }) => a.name === "service-node-port-range").value : parsed["service-node-port-range"]).toBe(value);
        }
    });
});

describe("clusterConfigurationChange", () => {
    test("uses each manifest's resolved values, so list flags come out whole", () => {
        const patch: ControlPlanePatch = {
            "kube-apiserver": componentPatch({ listFlags: { "enable-admission-plugins": { add: ["AlwaysPullImages"], remove: [] } }, mounts: [CONFIG] }),
        };
        const change = clusterConfigurationChange(patch, { "kube-apiserver": resolveManifestFlags(APISERVER, "kube-apiserver", patch["kube-apiserver"]!) });
        expect(change["kube-apiserver"]).toEqual({ set: { "enable-admission-plugins": "NodeRestriction,AlwaysPullImages" }, remove: [], mounts: [CONFIG] });
        expect(() => clusterConfigurationChange(patch, {})).toThrow(/resolved against its manifest first/);
        // With the original manifest, flags it already has as the patch wants them are left to kubeadm.
        const same = { "kube-apiserver": componentPatch({ listFlags: { "enable-admission-plugins": { add: ["NodeRestriction"], remove: [] } }, removeFlags: ["anonymous-auth"], flags: { profiling: "false" } }) };
        const resolved = { "kube-apiserver": resolveManifestFlags(APISERVER, "kube-apiserver", same["kube-apiserver"]) };
        expect(clusterConfigurationChange(same, resolved, { "kube-apiserver": APISERVER })["kube-apiserver"]).toEqual({ set: { profiling: "false" }, remove: [], mounts: [] });
        expect(clusterConfigurationChange(same, resolved)["kube-apiserver"]!.set).toEqual({ "enable-admission-plugins": "NodeRestriction", profiling: "false" });
    });
});
