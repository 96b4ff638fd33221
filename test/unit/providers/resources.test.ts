// The resource classes as the engine sees them (Pulumi mocks): type tokens, declared secret outputs and
// which inputs arrive marked secret (so that the engine keeps them encrypted in the state).
import * as pulumi from "@pulumi/pulumi";
import { ClientCertificate, KubeadmToken, PrivateKey, RemoteCommand } from "../../../providers";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const registered: Registered[] = [];

pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: {} };
    },
    call() {
      return {};
    },
  },
  "kube-baseline",
  "unit",
  false,
);

function find(name: string): Registered {
  const r = registered.find((x) => x.name === name);
  if (!r) throw new Error(`${name} was not registered`);
  return r;
}

function whenRegistered(resource: pulumi.CustomResource): Promise<unknown> {
  return new Promise((resolve) => resource.id.apply(resolve));
}

const isSecret = (v: unknown) => pulumi.runtime.isRpcSecret(v);

describe("provider resources", () => {
  test("PrivateKey registers as a kube-baseline dynamic resource with its serialized provider", async () => {
    const key = new PrivateKey("user-key", { algorithm: "ECDSA" });
    await whenRegistered(key);
    const r = find("user-key");
    expect(r.type).toBe("pulumi-nodejs:dynamic/kube-baseline:PrivateKey");
    expect(r.inputs.algorithm).toBe("ECDSA");
    expect(typeof r.inputs.__provider).toBe("string");
    expect(r.inputs.__provider).toContain("exports.handler");
  }, 60_000);

  test("ClientCertificate receives both private keys as secrets, the rest in clear", async () => {
    const cert = new ClientCertificate("user-cert", {
      privateKeyPem: "client key",
      commonName: "jane",
      organizations: ["dev"],
      caCertPem: "ca cert",
      caKeyPem: "ca key",
      validityHours: 24,
    });
    await whenRegistered(cert);
    const r = find("user-cert");
    expect(r.type).toBe("pulumi-nodejs:dynamic/kube-baseline:ClientCertificate");
    expect(isSecret(r.inputs.privateKeyPem)).toBe(true);
    expect(isSecret(r.inputs.caKeyPem)).toBe(true);
    expect(isSecret(r.inputs.caCertPem)).toBe(false);
    expect(r.inputs.commonName).toBe("jane");
  }, 60_000);

  test("RemoteCommand receives the SSH private key (inside connection) and stdin as secrets", async () => {
    const command = new RemoteCommand("write-file", {
      connection: { host: "10.0.0.5", port: 22, user: "root", privateKey: "ssh key", hostKey: "ssh-ed25519 AAAA" },
      create: "cat > /etc/x",
      stdin: "token",
      triggers: ["h1"],
      logging: "none",
    });
    await whenRegistered(command);
    const r = find("write-file");
    expect(r.type).toBe("pulumi-nodejs:dynamic/kube-baseline:RemoteCommand");
    // Mocks fold a nested secret into its parent object; the engine keeps it on the field itself.
    expect(isSecret(r.inputs.connection)).toBe(true);
    expect((r.inputs.connection as { value: Record<string, unknown> }).value).toEqual({
      host: "10.0.0.5",
      port: 22,
      user: "root",
      privateKey: "ssh key",
      hostKey: "ssh-ed25519 AAAA",
    });
    expect(isSecret(r.inputs.stdin)).toBe(true);
    expect(r.inputs.triggers).toEqual(["h1"]);
  }, 60_000);

  test("KubeadmToken takes no arguments", async () => {
    const token = new KubeadmToken("bootstrap");
    await whenRegistered(token);
    expect(find("bootstrap").type).toBe("pulumi-nodejs:dynamic/kube-baseline:KubeadmToken");
  }, 60_000);
});
