// kube-baseline: one program, two kinds of stack (README "Tenant stacks"). A tenant stack (kube-baseline:tenant set)
// owns one tenant's namespaces and their access and reads the cluster from its baseline stack: programs/tenant.ts.
// Every other stack manages the cluster as a whole, with or without tenant stacks beside it: programs/baseline.ts.
// Each is loaded only for its own kind of stack (a module's top level registers resources).
import * as pulumi from "@pulumi/pulumi";
import { readStackConfigValues } from "./lib/config/configValues";
import { isTenantStack } from "./lib/config/tenant";

type Outputs = Record<string, unknown>;
const values = readStackConfigValues(pulumi.runtime.allConfig());

/** The baseline program's exports, without the ones it leaves undefined (a stack without tenants has no tenancy). */
function definedExports(exports: Outputs): Outputs {
    return Object.fromEntries(Object.entries(exports).filter(([, value]) => value !== undefined));
}

export = isTenantStack(values)
    ? (require("./programs/tenant") as typeof import("./programs/tenant")).tenantProgram(values)
    : definedExports(require("./programs/baseline") as Outputs);
