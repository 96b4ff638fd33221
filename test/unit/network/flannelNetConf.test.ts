import { FlannelConfig } from "../../../lib/config/network";
import { renderFlannelNetConf } from "../../../lib/network/flannelNetConf";

const vxlan: FlannelConfig = { network: "10.244.0.0/16", subnetLen: 24, backend: { type: "vxlan", vni: 1, port: 8472, directRouting: true } };

test("vxlan backend with the keys Flannel reads", () => {
    expect(JSON.parse(renderFlannelNetConf(vxlan))).toEqual({
        Network: "10.244.0.0/16", SubnetLen: 24,
        Backend: { Type: "vxlan", VNI: 1, Port: 8472, DirectRouting: true },
    });
});

test("MTU appears only when set", () => {
    const withMtu: FlannelConfig = { ...vxlan, backend: { type: "vxlan", vni: 4096, port: 4789, mtu: 1400, directRouting: false } };
    expect(JSON.parse(renderFlannelNetConf(withMtu)).Backend).toEqual({ Type: "vxlan", VNI: 4096, Port: 4789, MTU: 1400, DirectRouting: false });
    expect(JSON.parse(renderFlannelNetConf(vxlan)).Backend).not.toHaveProperty("MTU");
});

test("host-gw drops every vxlan setting, including upstream ones", () => {
    const upstream = JSON.stringify({ Network: "10.244.0.0/16", Backend: { Type: "vxlan", VNI: 7, DirectRouting: true } });
    const hostGw: FlannelConfig = { network: "10.244.0.0/16", subnetLen: 24, backend: { type: "host-gw" } };
    expect(JSON.parse(renderFlannelNetConf(hostGw, upstream)).Backend).toEqual({ Type: "host-gw" });
});

test("keys we do not manage are kept from the manifest; ours win", () => {
    const upstream = `{ "Network": "10.10.0.0/16", "EnableNFTables": false, "Backend": { "Type": "vxlan" } }`;
    const out = JSON.parse(renderFlannelNetConf(vxlan, upstream));
    expect(out.EnableNFTables).toBe(false);
    expect(out.Network).toBe("10.244.0.0/16");
});

test("output is stable text (same config, same bytes) so its hash only changes with the config", () => {
    expect(renderFlannelNetConf(vxlan)).toBe(renderFlannelNetConf(JSON.parse(JSON.stringify(vxlan))));
    expect(renderFlannelNetConf(vxlan).endsWith("}\n")).toBe(true);
});

test("a manifest whose net-conf.json is not an object is an error", () => {
    expect(() => renderFlannelNetConf(vxlan, "[1,2]")).toThrow(/not a JSON object/);
});
