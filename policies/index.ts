// Entry point the Pulumi CLI runs for `pulumi preview --policy-pack policies`: it serves the pack to
// the engine (the PolicyPack constructor starts the analyzer), so nothing here may print to stdout.

import { PolicyPack } from "@pulumi/policy";
import { PACK_DESCRIPTION, PACK_NAME, packPolicies } from "./pack";

new PolicyPack(PACK_NAME, {
    description: PACK_DESCRIPTION,
    policies: packPolicies(),
});
