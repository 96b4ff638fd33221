import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { sha256Hex } from "../../../lib/hash";
import { loadManifestText, verifyManifestDigest } from "../../../lib/network/manifestSource";

const TEXT = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-flannel\n";

test("a local manifest is read relative to the project directory and checked against its digest", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kb-manifest-"));
    fs.writeFileSync(path.join(dir, "flannel.yml"), TEXT);
    await expect(loadManifestText({ source: "path", path: "flannel.yml", sha256: sha256Hex(TEXT) }, dir)).resolves.toBe(TEXT);
    await expect(loadManifestText({ source: "path", path: "flannel.yml", sha256: "0".repeat(64) }, dir))
        .rejects.toThrow(/has sha256 [0-9a-f]{64}, expected 0{64} \(kube-baseline:cni\.manifest\.sha256\)/);
    await expect(loadManifestText({ source: "path", path: "missing.yml" }, dir)).rejects.toThrow(/cannot read CNI manifest .*missing\.yml \(kube-baseline:cni\.manifest\.path\)/);
    fs.rmSync(dir, { recursive: true, force: true });
});

test("without a digest any text is accepted", () => {
    expect(() => verifyManifestDigest(TEXT, { source: "url", url: "https://example.com/m.yml", version: "v1.0.0" })).not.toThrow();
});
