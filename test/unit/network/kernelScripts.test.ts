// The node scripts run for real here, under /bin/sh and bash, against a scratch directory standing in
// for /proc/sys, /sys/module and /etc (the scripts' `root` prefix), with fake modprobe/uname on PATH.

import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KernelSettings } from "../../../lib/network/kernelSettings";
import { parseKernelReadback, renderKernelApplyScript, renderKernelRestoreScript } from "../../../lib/network/kernelScripts";
import { asRoot } from "../../../lib/nodeShell";

// Each test starts real shells; allow for a busy machine.
jest.setTimeout(30_000);

const SHELLS = ["/bin/sh", "/bin/bash"].filter(s => fs.existsSync(s));

interface FakeNode {
    root: string;
    bin: string;
    proc(key: string): string;
    setProc(key: string, value: string): void;
}

function fakeNode(): FakeNode {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "kb-node-"));
    const bin = path.join(root, "fake-bin");
    fs.mkdirSync(bin);
    // modprobe "loads" a module unless it is listed in FAIL_MODULES; br_netfilter brings its sysctls.
    fs.writeFileSync(path.join(bin, "modprobe"), `#!/bin/sh
for f in $FAIL_MODULES; do [ "$f" = "$1" ] && exit 1; done
mkdir -p "$FAKE_ROOT/sys/module/$1" && echo live > "$FAKE_ROOT/sys/module/$1/initstate"
if [ "$1" = br_netfilter ]; then
  mkdir -p "$FAKE_ROOT/proc/sys/net/bridge"
  echo 1 > "$FAKE_ROOT/proc/sys/net/bridge/bridge-nf-call-iptables"
  echo 1 > "$FAKE_ROOT/proc/sys/net/bridge/bridge-nf-call-ip6tables"
fi
`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "uname"), "#!/bin/sh\necho 6.1.0-test\n", { mode: 0o755 });
    const procPath = (key: string) => path.join(root, "proc/sys", ...key.split("."));
    const node: FakeNode = {
        root, bin,
        proc: key => fs.readFileSync(procPath(key), "utf8"),
        setProc: (key, value) => {
            fs.mkdirSync(path.dirname(procPath(key)), { recursive: true });
            fs.writeFileSync(procPath(key), value);
        },
    };
    node.setProc("net.ipv4.ip_forward", "0\n");
    node.setProc("net.core.somaxconn", "4096\n");
    node.setProc("net.ipv4.tcp_rmem", "4096\t131072\t6291456\n");
    // overlay is built in (in /sys/module, no initstate); nf_conntrack only listed in modules.builtin.
    fs.mkdirSync(path.join(root, "sys/module/overlay"), { recursive: true });
    fs.mkdirSync(path.join(root, "lib/modules/6.1.0-test"), { recursive: true });
    fs.writeFileSync(path.join(root, "lib/modules/6.1.0-test/modules.builtin"), "kernel/net/netfilter/nf_conntrack.ko\n");
    return node;
}

function run(shell: string, node: FakeNode, script: string, env: Record<string, string> = {}) {
    return spawnSync(shell, ["-s"], {
        input: script, encoding: "utf8",
        env: { ...process.env, PATH: `${node.bin}:${process.env.PATH}`, FAKE_ROOT: node.root, ...env },
    });
}

const settings: KernelSettings = {
    modules: ["br_netfilter", "overlay", "nf_conntrack", "vxlan"],
    sysctls: {
        "net.ipv4.ip_forward": "1",
        "net.bridge.bridge-nf-call-iptables": "1",
        "net.core.somaxconn": "32768",
        "net.ipv4.tcp_rmem": "4096 1048576 16777216",
    },
};

describe.each(SHELLS)("node kernel scripts under %s", shell => {
    let node: FakeNode;
    beforeEach(() => { node = fakeNode(); });
    afterEach(() => fs.rmSync(node.root, { recursive: true, force: true }));

    const apply = (s: KernelSettings, env?: Record<string, string>) =>
        run(shell, node, renderKernelApplyScript({ node: "node1", root: node.root }, s), env);
    const restore = () => run(shell, node, renderKernelRestoreScript({ node: "node1", root: node.root }));

    test("apply loads what is missing, persists, applies and reports the effective values", () => {
        const result = apply(settings);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        expect(parseKernelReadback(result.stdout, "node1")).toEqual({
            node: "node1",
            modules: { br_netfilter: "loaded", overlay: "builtin", nf_conntrack: "builtin", vxlan: "loaded" },
            sysctls: {
                "net.ipv4.ip_forward": "1", "net.bridge.bridge-nf-call-iptables": "1",
                "net.core.somaxconn": "32768", "net.ipv4.tcp_rmem": "4096 1048576 16777216",
            },
        });
        // built-in modules are not modprobed
        expect(fs.existsSync(path.join(node.root, "sys/module/nf_conntrack"))).toBe(false);
        expect(node.proc("net.ipv4.ip_forward")).toBe("1\n");
        const sysctlFile = fs.readFileSync(path.join(node.root, "etc/sysctl.d/90-kube-baseline-network.conf"), "utf8");
        expect(sysctlFile).toContain("net.ipv4.tcp_rmem = 4096 1048576 16777216\n");
        const modulesFile = fs.readFileSync(path.join(node.root, "etc/modules-load.d/90-kube-baseline-network.conf"), "utf8");
        expect(modulesFile.split("\n").filter(l => l && !l.startsWith("#"))).toEqual(settings.modules);
        // no temporary files left behind by the atomic writes
        expect(fs.readdirSync(path.join(node.root, "etc/sysctl.d"))).toEqual(["90-kube-baseline-network.conf"]);
    });

    test("a module built in without a /sys/module entry or modules.builtin counts as present by its interface", () => {
        // This machine's kernel: br_netfilter compiled in (net.bridge sysctls exist), no modules list, no modprobe.
        fs.rmSync(path.join(node.root, "lib/modules"), { recursive: true, force: true });
        node.setProc("net.bridge.bridge-nf-call-iptables", "0\n");
        const result = apply(settings, { FAIL_MODULES: "br_netfilter" });
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        const readback = parseKernelReadback(result.stdout, "node1");
        expect(readback.modules.br_netfilter).toBe("builtin");
        expect(node.proc("net.bridge.bridge-nf-call-iptables")).toBe("1\n");
    });

    test("a module neither present by any evidence nor loadable fails, naming the node and the module", () => {
        fs.rmSync(path.join(node.root, "lib/modules"), { recursive: true, force: true });
        const result = apply(settings, { FAIL_MODULES: "nf_conntrack" });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toMatch(/node1.*nf_conntrack/);
    });

    test("destroy restores the values found before and removes the files", () => {
        expect(apply(settings).status).toBe(0);
        expect(apply(settings).status).toBe(0); // a re-run must not record our own values as "before"
        const result = restore();
        expect(result.status).toBe(0);
        expect(node.proc("net.ipv4.ip_forward")).toBe("0\n");
        expect(node.proc("net.core.somaxconn")).toBe("4096\n");
        expect(node.proc("net.ipv4.tcp_rmem")).toBe("4096 131072 6291456\n");
        expect(fs.existsSync(path.join(node.root, "etc/sysctl.d/90-kube-baseline-network.conf"))).toBe(false);
        expect(fs.existsSync(path.join(node.root, "etc/modules-load.d/90-kube-baseline-network.conf"))).toBe(false);
        expect(fs.existsSync(path.join(node.root, "var/lib/kube-baseline/node-kernel"))).toBe(false);
        expect(JSON.parse(result.stdout.trim()).restored).toMatchObject({ "net.ipv4.ip_forward": "0", "net.core.somaxconn": "4096" });
    });

    test("a setting dropped from the config gets its old value back at once", () => {
        expect(apply(settings).status).toBe(0);
        const fewer: KernelSettings = { ...settings, sysctls: { ...settings.sysctls } };
        delete fewer.sysctls["net.core.somaxconn"];
        const result = apply(fewer);
        expect(result.status).toBe(0);
        expect(node.proc("net.core.somaxconn")).toBe("4096\n");
        expect(JSON.parse(result.stdout.trim()).sysctls).not.toHaveProperty("net.core.somaxconn");
        // and destroy no longer touches it
        node.setProc("net.core.somaxconn", "1024\n");
        expect(restore().status).toBe(0);
        expect(node.proc("net.core.somaxconn")).toBe("1024\n");
        expect(node.proc("net.ipv4.ip_forward")).toBe("0\n");
    });

    test("a value that does not stick fails the run, naming node, key and both values", () => {
        fs.mkdirSync(path.join(node.root, "proc/sys/net/netfilter"), { recursive: true });
        fs.symlinkSync("/dev/null", path.join(node.root, "proc/sys/net/netfilter/nf_conntrack_max"));
        const result = apply({ ...settings, sysctls: { ...settings.sysctls, "net.netfilter.nf_conntrack_max": "1000000" } });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toMatch(/^node node1: effective kernel settings differ .*net\.netfilter\.nf_conntrack_max is '', expected '1000000'/m);
        // the read-back is still printed for diagnosis
        expect(parseKernelReadback(result.stdout, "node1").sysctls["net.netfilter.nf_conntrack_max"]).toBe("");
    });

    test("a module that is neither built in nor loadable fails the run", () => {
        const result = apply(settings, { FAIL_MODULES: "vxlan" });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toMatch(/node node1: kernel module vxlan is neither built in nor loadable/);
        expect(fs.existsSync(path.join(node.root, "etc/sysctl.d/90-kube-baseline-network.conf"))).toBe(false);
    });

    test("a sysctl the kernel does not have fails before anything is written", () => {
        const result = apply({ ...settings, sysctls: { ...settings.sysctls, "net.ipv4.no_such_setting": "1" } });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toMatch(/node node1: sysctl net\.ipv4\.no_such_setting does not exist here/);
        expect(node.proc("net.ipv4.ip_forward")).toBe("0\n");
    });

    test.each(["it's", "a\"b", "$(touch PWNED)", "`touch PWNED`", "-rf", "--help", "; touch PWNED #"])(
        "a node name %j stays data: reported as it is, never run", name => {
            const result = spawnSync(shell, ["-s"], {
                input: renderKernelApplyScript({ node: name, root: node.root }, settings), encoding: "utf8", cwd: node.root,
                env: { ...process.env, PATH: `${node.bin}:${process.env.PATH}`, FAKE_ROOT: node.root },
            });
            expect(result.status).toBe(0);
            expect(parseKernelReadback(result.stdout, name).node).toBe(name);
            expect(fs.existsSync(path.join(node.root, "PWNED"))).toBe(false);
        });

    test("a node name with a newline stays data in failure messages", () => {
        const name = "x\ntouch PWNED";
        const result = spawnSync(shell, ["-s"], {
            input: renderKernelApplyScript({ node: name, root: node.root }, { modules: [], sysctls: { "net.no.such": "1" } }), encoding: "utf8", cwd: node.root,
            env: { ...process.env, PATH: `${node.bin}:${process.env.PATH}`, FAKE_ROOT: node.root },
        });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain(`node ${name}: sysctl net.no.such does not exist here`);
        expect(fs.existsSync(path.join(node.root, "PWNED"))).toBe(false);
    });
});

describe("hostile kernel settings never reach a script", () => {
    const opts = { node: "node1" };
    test.each(["-r", "--remove", "br_netfilter -r", "a;reboot", "$(reboot)", "`reboot`", "it's", "a\nb", ""])("module %j", module => {
        expect(() => renderKernelApplyScript(opts, { modules: [module], sysctls: {} })).toThrow(/unsafe kernel module/);
    });
    test.each(["-w.net.core", "net.core.somaxconn;reboot", "net/../core", "net.$(id)", "net.`id`", "it's.x", "net.a\nb"])("sysctl key %j", key => {
        expect(() => renderKernelApplyScript(opts, { modules: [], sysctls: { [key]: "1" } })).toThrow(/unsafe sysctl key/);
    });
    test.each(["1; reboot", "$(reboot)", "`reboot`", "it's", "a\"b", "1\n2", " 1", "1  2"])("sysctl value %j", value => {
        expect(() => renderKernelApplyScript(opts, { modules: [], sysctls: { "net.core.somaxconn": value } })).toThrow(/unsafe value of net\.core\.somaxconn/);
    });
});

test("asRoot runs through sudo -n for other users and keeps the script intact", () => {
    const script = "printf '%s\\n' \"it's\"";
    expect(asRoot(script, "root")).toBe(script);
    const wrapped = asRoot(script, "ops");
    expect(wrapped.startsWith("sudo -n sh -c ")).toBe(true);
    // Evaluate the quoted argument without sudo to prove the quoting round-trips.
    const inner = execFileSync("/bin/sh", ["-c", `eval "set -- ${wrapped.slice("sudo -n sh -c ".length).replace(/"/g, '\\"')}"; printf '%s' "$1"`], { encoding: "utf8" });
    expect(inner).toBe(script);
});

describe("parseKernelReadback", () => {
    test("takes the last JSON line and checks the node", () => {
        const line = JSON.stringify({ node: "n1", modules: { vxlan: "loaded" }, sysctls: { "net.ipv4.ip_forward": "1" } });
        expect(parseKernelReadback(`noise\n${line}\n`, "n1").modules.vxlan).toBe("loaded");
        expect(() => parseKernelReadback(line, "n2")).toThrow(/node n2: read-back came from node n1/);
    });

    test("errors name the node", () => {
        expect(() => parseKernelReadback("", "n1")).toThrow(/^node n1: .*no read-back/);
        expect(() => parseKernelReadback("{oops", "n1")).toThrow(/^node n1: .*not JSON/);
        expect(() => parseKernelReadback(`{"node":"n1","modules":[1],"sysctls":{}}`, "n1")).toThrow(/^node n1: .*unexpected shape/);
    });
});
