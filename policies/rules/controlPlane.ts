// The control plane's CIS checks (kube-bench numbering) must not get worse: a preview whose control-plane patch
// would turn a check that passes on the nodes now into one that fails is stopped, naming the check, the node and
// both reasons. The ControlPlane component's outputs carry both sides, computed by the program at preview from
// what it read on each node (cisChecksBefore) and from the manifests and files the patch makes (cisChecksPlanned).

import { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";
import { stringList } from "../lib/config";
import { stackPolicy } from "../lib/policy";
import { at, isUnknown, knownObject, knownString } from "../lib/values";

export const CONTROL_PLANE_COMPONENT_TYPE = "kube-baseline:controlPlane:ControlPlane";

export interface CisRegressionConfig {
    /** Check IDs (e.g. "1.2.2") that may turn failing, each a reviewed decision. */
    allowedRegressions: string[];
}

export interface CisRegression { node: string; id: string; title: string; before: string; after: string }

/** Checks that pass in `before` and fail (or are gone) in `planned`, per node. Unknown values are not judged. Pure. */
export function cisRegressions(before: unknown, planned: unknown, allowed: readonly string[]): CisRegression[] {
    const out: CisRegression[] = [];
    const beforeNodes = knownObject(at(before, "nodes"));
    const plannedNodes = knownObject(at(planned, "nodes"));
    if (!beforeNodes || !plannedNodes) return out;
    for (const [node, checks] of Object.entries(beforeNodes)) {
        const now = knownObject(checks);
        const later = plannedNodes[node];
        if (!now || isUnknown(later)) continue;
        for (const [id, check] of Object.entries(now)) {
            if (allowed.includes(id) || knownString(at(check, "status")) !== "pass") continue;
            const after = at(later, id);
            if (isUnknown(after) || isUnknown(at(after, "status"))) continue;
            if (knownString(at(after, "status")) === "pass") continue;
            out.push({
                node, id,
                title: knownString(at(check, "title")) ?? "",
                before: knownString(at(check, "reason")) ?? "",
                after: knownString(at(after, "reason")) ?? "no longer computed",
            });
        }
    }
    return out;
}

export function controlPlaneCisNoRegression(enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return stackPolicy<CisRegressionConfig>({
        name: "control-plane-cis-no-regression",
        description: "The control-plane patch does not turn a passing CIS Kubernetes Benchmark check (kube-bench numbering) into a failing one.",
        remediationSteps: "Change kube-baseline:controlPlane (or the settings that add to the patch, such as static tokens) so the check keeps passing, or list its ID in allowedRegressions for a reviewed exception.",
        severity: "high",
        defaults: { allowedRegressions: [] },
        schema: { allowedRegressions: stringList("CIS check IDs that may turn failing (a reviewed exception).") },
        check: (resources, config, report) => {
            for (const r of resources.filter(x => x.type === CONTROL_PLANE_COMPONENT_TYPE)) {
                for (const g of cisRegressions(at(r.props, "cisChecksBefore"), at(r.props, "cisChecksPlanned"), config.allowedRegressions)) {
                    report(`ControlPlane '${r.name}' would turn CIS ${g.id} (${g.title}) from pass to fail on ${g.node}: now ${g.before}; after the patch ${g.after}.`, r.urn);
                }
            }
        },
    }, enforcementLevel);
}
