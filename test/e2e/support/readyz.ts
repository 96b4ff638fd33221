// Watches the sandbox apiserver's /readyz (as the sandbox admin) once a second, for tests that must show the
// apiserver stayed ready while something else happened.
import * as fs from "fs";
import * as https from "https";
import * as YAML from "yaml";
import { SandboxDescription } from "./sandbox";

export interface ReadyzSample {
    at: number;
    ready: boolean;
    /** The HTTP status and body, or the connection error. */
    detail: string;
}

export interface ReadyzMonitor {
    samples: ReadyzSample[];
    stop(): Promise<void>;
}

/** A probe that gets no answer within timeoutMs counts as not ready (generous: the machine may be busy). */
export function monitorReadyz(desc: SandboxDescription, intervalMs = 1000, timeoutMs = 5000): ReadyzMonitor {
    const kubeconfig = YAML.parse(fs.readFileSync(desc.kubeconfigPath, "utf8")) as {
        users: Array<{ user: Record<string, string> }>;
    };
    const user = kubeconfig.users[0].user;
    const agent = new https.Agent({
        ca: desc.caCertPem,
        cert: Buffer.from(user["client-certificate-data"], "base64"),
        key: Buffer.from(user["client-key-data"], "base64"),
        keepAlive: false,
    });
    const samples: ReadyzSample[] = [];
    let stopped = false;
    const probe = () => new Promise<void>(resolve => {
        const at = Date.now();
        let recorded = false;
        const record = (ready: boolean, detail: string) => {
            if (recorded) return;
            recorded = true;
            samples.push({ at, ready, detail });
            resolve();
        };
        const req = https.get(`${desc.apiServerEndpoint}/readyz`, { agent, timeout: timeoutMs }, res => {
            let body = "";
            res.on("data", chunk => { body += chunk; });
            res.on("end", () => record(res.statusCode === 200, `${res.statusCode} ${body.trim().slice(0, 200)}`));
            res.on("error", err => record(false, err.message));
        });
        req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on("error", err => record(false, err.message));
        req.on("close", () => record(false, "connection closed before an answer"));
    });
    const loop = (async () => {
        while (!stopped) {
            const started = Date.now();
            await probe();
            await new Promise(r => setTimeout(r, Math.max(0, intervalMs - (Date.now() - started))));
        }
    })();
    return {
        samples,
        stop: async () => {
            stopped = true;
            await loop;
            agent.destroy();
        },
    };
}
