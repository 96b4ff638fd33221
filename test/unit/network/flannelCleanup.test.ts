import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseFlannelCleanupResult, renderFlannelCleanupScript } from "../../../lib/network/flannelCleanup";

// Each test starts real shells; allow for a busy machine.
jest.setTimeout(30_000);

function fakeNode(withFlannel: boolean) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "kb-flannel-"));
    const bin = path.join(root, "fake-bin");
    fs.mkdirSync(bin);
    fs.mkdirSync(path.join(root, "links"));
    // `ip link show|delete NAME` against a directory of fake links
    fs.writeFileSync(path.join(bin, "ip"), `#!/bin/sh
[ "$1" = link ] || exit 2
case "$2" in
  show) [ -e "$FAKE_ROOT/links/$3" ] ;;
  delete) rm "$FAKE_ROOT/links/$3" ;;
  *) exit 2 ;;
esac
`, { mode: 0o755 });
    fs.mkdirSync(path.join(root, "etc/cni/net.d"), { recursive: true });
    fs.writeFileSync(path.join(root, "etc/cni/net.d/10-calico.conflist"), "{}");
    if (withFlannel) {
        fs.writeFileSync(path.join(root, "etc/cni/net.d/10-flannel.conflist"), "{}");
        fs.writeFileSync(path.join(root, "links/flannel.1"), "");
    }
    const run = () => spawnSync("/bin/sh", ["-s"], {
        input: renderFlannelCleanupScript({ node: "node1", root }), encoding: "utf8",
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_ROOT: root },
    });
    return { root, run };
}

test("removes Flannel's CNI config and flannel.1, nothing else", () => {
    const node = fakeNode(true);
    const result = node.run();
    expect(result.status).toBe(0);
    expect(parseFlannelCleanupResult(result.stdout, "node1")).toEqual({ node: "node1", removedConfig: true, removedLink: true });
    expect(fs.readdirSync(path.join(node.root, "etc/cni/net.d"))).toEqual(["10-calico.conflist"]);
    expect(fs.existsSync(path.join(node.root, "links/flannel.1"))).toBe(false);
    fs.rmSync(node.root, { recursive: true, force: true });
});

test("is a no-op on a node without Flannel", () => {
    const node = fakeNode(false);
    const result = node.run();
    expect(result.status).toBe(0);
    expect(parseFlannelCleanupResult(result.stdout, "node1")).toEqual({ node: "node1", removedConfig: false, removedLink: false });
    fs.rmSync(node.root, { recursive: true, force: true });
});

test("result parsing names the node", () => {
    expect(() => parseFlannelCleanupResult("", "node2")).toThrow(/^node node2:/);
    expect(() => parseFlannelCleanupResult(`{"node":"node1","removedConfig":true,"removedLink":false}`, "node2")).toThrow(/^node node2: unexpected/);
});
