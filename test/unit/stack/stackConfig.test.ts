// The stack configuration as a whole: the committed stack files validate, and a bad key anywhere stops the
// program before any resource exists, with every problem named at once.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigError } from "../../../lib/config/configError";
import { readStackConfigValues } from "../../../lib/config/configValues";
import { loadStackConfig } from "../../../lib/config/stackConfig";
import { fakePem } from "../fakeSecrets";

const repo = path.resolve(__dirname, "../../..");

const sandboxDescription = {
    apiServerEndpoint: "https://192.168.213.10:6443",
    kubeconfigPath: "/run/kube-baseline-sandbox/admin.kubeconfig",
    caCertPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    podSubnet: "10.244.0.0/16",
    serviceSubnet: "10.96.0.0/12",
    nodes: ["kb-cp1", "kb-w1", "kb-w2"].map((name, i) => ({
        name, ip: `192.168.213.${10 + i}`, roles: [i === 0 ? "control-plane" : "worker"], sshPort: 22, user: "root",
        privateKeyPath: "/run/kube-baseline-sandbox/ssh/id_ed25519", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA",
    })),
};

function stackFile(name: string): Record<string, unknown> {
    const doc = YAML.parse(fs.readFileSync(path.join(repo, name), "utf8")) as { config: Record<string, unknown> };
    return doc.config;
}

function load(config: Record<string, unknown>) {
    return loadStackConfig(readStackConfigValues(config), () => JSON.stringify(sandboxDescription));
}

test("Pulumi.dev.yaml validates against the sandbox", () => {
    const stack = load(stackFile("Pulumi.dev.yaml"));
    expect(stack.cluster.isSandbox).toBe(true);
    expect(stack.cluster.cluster.nodes.map(n => n.name)).toEqual(["kb-cp1", "kb-w1", "kb-w2"]);
    expect(stack.identity.users.map(u => u.name)).toEqual(["test", "alice", "wang"]);
    expect(stack.network.cni?.kind).toBe("flannel");
});

test("a config with several bad keys fails once, naming each key and value", () => {
    const config = stackFile("Pulumi.dev.yaml");
    const users = config["kube-baseline:users"] as Array<Record<string, unknown>>;
    config["kube-baseline:users"] = [...users, { name: "system:evil", authentication: "x509", groups: ["ops"] }];
    config["kube-baseline:kubeProxy"] = { mode: "ipvs", scheduler: "fastest" };
    let error: unknown;
    try {
        load(config);
    } catch (err) {
        error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toContainEqual(expect.objectContaining({ key: "kube-baseline:users[3].name", value: "system:evil" }));
    expect(issues).toContainEqual(expect.objectContaining({ key: "kube-baseline:kubeProxy.scheduler", value: "fastest" }));
    expect((error as Error).message).toMatch(/kube-baseline:kubeProxy\.scheduler = "fastest"/);
});

test("a missing sandbox is a clear error that says how to start it", () => {
    expect(() => loadStackConfig(
        readStackConfigValues(stackFile("Pulumi.dev.yaml")),
        dir => { throw new Error(`ENOENT: ${dir}/sandbox.json`); },
    )).toThrow(/kube-baseline:cluster\.source = "sandbox": cannot read the sandbox description .* npm run sandbox -- up/);
});

test("an explicit cluster with a bad node IP and no control plane is refused", () => {
    const config = {
        "kube-baseline:cluster": {
            name: "prod", apiServerUrl: "https://10.0.0.10:6443", caCertificate: "-----BEGIN CERTIFICATE-----\nx",
            podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12",
            nodes: [{ name: "w1", ip: "10.0.0.300", roles: ["worker"], ssh: { host: "10.0.0.21", user: "ops", hostKey: "ssh-ed25519 AAAA" } }],
        },
    };
    expect(() => load(config)).toThrow(/kube-baseline:cluster\.nodes\[0\]\.ip = "10\.0\.0\.300"/);
});

test("Pulumi.prod.yaml validates as an explicit cluster with the production choices", () => {
    const config = stackFile("Pulumi.prod.yaml");
    // The secrets are set with `pulumi config set --secret`; validation only learns that they are set.
    const secrets = { "kube-baseline:adminKubeconfig": "apiVersion: v1", "kube-baseline:sshPrivateKey": fakePem("OPENSSH PRIVATE KEY") };
    const stack = loadStackConfig(readStackConfigValues({ ...config, ...secrets }), () => {
        throw new Error("a production stack must not read the sandbox description");
    });

    // A real cluster: secrets come from secret config, every node has a pinned host key.
    expect(stack.cluster.isSandbox).toBe(false);
    expect(stack.cluster.credentials).toEqual({ kind: "config" });
    expect(stack.cluster.cluster.nodes.filter(n => n.roles.includes("control-plane")).length).toBeGreaterThanOrEqual(1);
    for (const node of stack.cluster.cluster.nodes) expect(node.ssh.hostKey).toMatch(/^ssh-ed25519 /);
    // Placeholders stay in the documentation range, so nothing real is addressed by the example.
    for (const node of stack.cluster.cluster.nodes) expect(node.ssh.host).toMatch(/^192\.0\.2\./);
    // The secret keys are only mentioned in comments, never given as plaintext values.
    expect(Object.keys(config)).not.toContain("kube-baseline:adminKubeconfig");
    expect(Object.keys(config)).not.toContain("kube-baseline:sshPrivateKey");

    // No static tokens; short-lived certificates; no break-glass grants.
    const { identity, network } = stack;
    expect(identity.staticTokens.allowed).toBe(false);
    expect(identity.users.filter(u => u.authentication === "token")).toEqual([]);
    expect(identity.certificates.maxValidityHours).toBeLessThanOrEqual(168);
    for (const user of identity.users) {
        if (user.authentication !== "token") expect(user.validityHours).toBeLessThanOrEqual(24);
    }
    expect(identity.breakGlass).toEqual({ systemMastersUsers: [], clusterAdminBindings: [] });

    // Calico with route reflectors and the mesh off; kube-proxy in ipvs mode.
    expect(network.cni?.kind).toBe("calico");
    expect(network.bgp?.nodeToNodeMesh).toBe(false);
    expect(network.bgp?.routeReflectors?.nodes.length).toBeGreaterThanOrEqual(2);
    expect(network.kubeProxy?.mode).toBe("ipvs");
    expect(identity.networkPolicy.calicoGlobalDefaultDeny.enabled).toBe(true);
});
