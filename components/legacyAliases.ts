// Upgrading a stack written by kube-baseline before @pulumi/command: its node commands were the program's own
// dynamic resources ("pulumi-nodejs:dynamic/kube-baseline:RemoteCommand"). Each remote.Command names that type
// as an alias under the same name and parent, so the engine moves the old state onto the new resource (the
// command provider takes it over and runs `update` where something differs) instead of deleting the old one,
// which would run its `delete` (restore the apiserver manifest, the kernel settings, kube-proxy's config) in
// the middle of the upgrade. The old keys, certificates and tokens have nothing to undo: they are simply
// replaced (README "Upgrading from the dynamic providers").
import * as pulumi from "@pulumi/pulumi";

export const legacyCommandAlias: pulumi.Alias = { type: "pulumi-nodejs:dynamic/kube-baseline:RemoteCommand" };
