import { cisRegressions, CONTROL_PLANE_COMPONENT_TYPE, controlPlaneCisNoRegression } from "../rules/controlPlane";
import { runStack, UNKNOWN, urnFor } from "./harness";

const policy = controlPlaneCisNoRegression();
const check = (status: string, reason: string, title = "a check") => ({ title, status, reason });
const report = (nodes: Record<string, unknown>) => ({ benchmark: "CIS Kubernetes Benchmark v1.12.0 (kube-bench cis-1.12)", nodes });
const controlPlane = (before: unknown, planned: unknown) => ({
    type: CONTROL_PLANE_COMPONENT_TYPE, name: "control-plane", props: { cisChecksBefore: before, cisChecksPlanned: planned },
});
const TOKEN_TITLE = "Ensure that the --token-auth-file parameter is not set";

describe("control-plane-cis-no-regression", () => {
    it("fails a patch that turns a passing check failing, naming the check, the node and both reasons", async () => {
        const before = report({ cp1: { "1.2.2": check("pass", "--token-auth-file is not set", TOKEN_TITLE), "1.2.15": check("fail", "--profiling is not set") } });
        const planned = report({ cp1: { "1.2.2": check("fail", "--token-auth-file=/etc/kubernetes/auth/token.csv is set", TOKEN_TITLE), "1.2.15": check("pass", "--profiling=false") } });
        const result = await runStack(policy, [controlPlane(before, planned)]);
        expect(result.violations).toEqual([{
            message: `ControlPlane 'control-plane' would turn CIS 1.2.2 (${TOKEN_TITLE}) from pass to fail on cp1: now --token-auth-file is not set; after the patch --token-auth-file=/etc/kubernetes/auth/token.csv is set.`,
            urn: urnFor(CONTROL_PLANE_COMPONENT_TYPE, "control-plane"),
        }]);
    });

    it("passes what only gets better or stays failing, and a check the config allows", async () => {
        const before = report({ cp1: { "1.2.2": check("pass", "x"), "1.2.15": check("fail", "y"), "1.2.16": check("fail", "z") } });
        const planned = report({ cp1: { "1.2.2": check("fail", "x2"), "1.2.15": check("pass", "y2"), "1.2.16": check("fail", "z2") } });
        expect((await runStack(policy, [controlPlane(before, planned)], { allowedRegressions: ["1.2.2"] })).violations).toEqual([]);
        expect((await runStack(policy, [controlPlane(planned, planned)])).violations).toEqual([]);
    });

    it("judges every node on its own, and a check the patch no longer computes as failing", () => {
        const before = report({ cp1: { "1.3.2": check("pass", "--profiling=false") }, cp2: { "1.3.2": check("pass", "--profiling=false") } });
        const planned = report({ cp1: { "1.3.2": check("pass", "--profiling=false") }, cp2: {} });
        expect(cisRegressions(before, planned, [])).toEqual([{ node: "cp2", id: "1.3.2", title: "a check", before: "--profiling=false", after: "no longer computed" }]);
    });

    it("does not judge what is not known yet, or other resources", async () => {
        const before = report({ cp1: { "1.2.2": check("pass", "x") } });
        expect((await runStack(policy, [controlPlane(before, UNKNOWN)])).violations).toEqual([]);
        expect((await runStack(policy, [controlPlane(before, report({ cp1: UNKNOWN }))])).violations).toEqual([]);
        expect((await runStack(policy, [controlPlane(before, report({ cp1: { "1.2.2": { title: "t", status: UNKNOWN, reason: "r" } } }))])).violations).toEqual([]);
        const other = { type: "kube-baseline:identity:Identity", name: "identity", props: { cisChecksBefore: before, cisChecksPlanned: report({ cp1: {} }) } };
        expect((await runStack(policy, [other])).violations).toEqual([]);
    });
});
