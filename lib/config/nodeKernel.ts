// kube-baseline:nodeKernel: kernel modules and sysctls on every node, on top of what the CNI and kube-proxy
// modes need. Module names and sysctl keys reach node commands, so they are plain tokens that never start with
// "-"; a sysctl value is one line (a multi-line value would be folded into one without a word).

import { MODULE_NAME, normalizeSysctlValue, SYSCTL_KEY, SYSCTL_VALUE } from "../nodeShell";
import { Issues } from "./configError";
import { Bool, Int, Line, List, Optional, Settings, Static, Type } from "./schema";

export const MAX_CONNTRACK = 2 ** 31 - 1;

export const NodeKernelSchema = Settings({
    tuning: Optional(Bool()),
    conntrackMax: Optional(Int(1, MAX_CONNTRACK, "a conntrack table size")),
    sysctls: Optional(Type.Record(Type.String(), Type.Unsafe<string | number | boolean>({ type: ["string", "number", "boolean"] }))),
    modules: Optional(List(Line())),
});

export interface NodeKernelConfig {
    /** Adds the performance tuning set from the manuals (buffers, backlogs, conntrack, BBR). */
    tuning: boolean;
    conntrackMax?: number;
    /** Extra sysctls; they win over the required and tuning values. */
    sysctls: Record<string, string>;
    /** Extra kernel modules to load and persist. */
    modules: string[];
}

export function resolveNodeKernel(raw: Static<typeof NodeKernelSchema>, issues: Issues): NodeKernelConfig {
    const kernel: NodeKernelConfig = { tuning: raw.tuning ?? false, sysctls: {}, modules: [] };
    if (raw.conntrackMax !== undefined) kernel.conntrackMax = raw.conntrackMax;
    for (const [key, value] of Object.entries(raw.sysctls ?? {})) {
        const at = `nodeKernel.sysctls.${key}`;
        if (!SYSCTL_KEY.test(key)) {
            issues.add(at, value, "the key is not a sysctl name such as net.core.somaxconn");
            continue;
        }
        if (typeof value === "string" && /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
            issues.add(at, value, "must be one line: a multi-line value would be folded into one");
            continue;
        }
        const normalized = normalizeSysctlValue(value);
        if (!SYSCTL_VALUE.test(normalized)) issues.add(at, value, "must be numbers or words separated by spaces");
        kernel.sysctls[key] = normalized;
    }
    (raw.modules ?? []).forEach((module, i) => {
        if (!MODULE_NAME.test(module)) {
            issues.add(`nodeKernel.modules[${i}]`, module, "is not a kernel module name (letters, digits, '_' and '-', starting with a letter or digit)");
        }
        if (!kernel.modules.includes(module)) kernel.modules.push(module);
    });
    return kernel;
}
