// Reading a control-plane static pod manifest: the component's container, its command and flags, its mounts and
// volumes, and where it answers a health check. Shared by the patch, the CIS checks and the drift report.

import { isMap, isScalar, isSeq, parseDocument, Document, Node, YAMLMap, YAMLSeq } from "yaml";
import { ControlPlaneComponent, DEFAULT_HEALTH } from "./components";

export interface LocatedPod {
    doc: Document;
    spec: YAMLMap;
    container: YAMLMap;
    command: YAMLSeq;
    volumeMounts?: YAMLSeq;
    volumes?: YAMLSeq;
}

/** Finds the component's container in a static pod manifest; throws a clear error for anything else. */
export function locateStaticPod(text: string, component: ControlPlaneComponent): LocatedPod {
    const doc: Document = parseDocument(text);
    if (doc.errors.length > 0) throw new Error(`${component} manifest is not valid YAML: ${doc.errors[0].message}`);
    const spec = doc.get("spec");
    if (doc.get("kind") !== "Pod" || !isMap(spec)) throw new Error(`${component} manifest is not a Pod with a spec`);
    const containers = spec.get("containers");
    if (!isSeq(containers)) throw new Error(`${component} manifest has no spec.containers list`);
    const executable = new RegExp(`(^|/)${component}$`);
    const container = containers.items.find(c => isMap(c) && (c.get("name") === component ||
        (isSeq(c.get("command")) && executable.test(scalarString((c.get("command") as YAMLSeq).items[0]) ?? "")))) as YAMLMap | undefined;
    if (!container) throw new Error(`${component} manifest has no ${component} container`);
    const command = container.get("command");
    if (!isSeq(command) || command.items.length === 0) throw new Error(`${component} container has no command list`);
    const args = container.get("args");
    if (isSeq(args) && args.items.length > 0) throw new Error(`${component} container uses args; only a command list (as kubeadm writes it) is supported`);
    const volumeMounts = blockSeqOrUndefined(container.get("volumeMounts"), "volumeMounts", component);
    const volumes = blockSeqOrUndefined(spec.get("volumes"), "volumes", component);
    for (const seq of [command, volumeMounts, volumes]) {
        if (seq && seq.flow) throw new Error(`${component} manifest uses a flow-style list ([...]); only block lists are supported`);
    }
    return { doc, spec, container, command, volumeMounts, volumes };
}

function blockSeqOrUndefined(value: unknown, what: string, component: string): YAMLSeq | undefined {
    if (value === undefined || value === null || (isScalar(value) && value.value === null)) return undefined;
    if (!isSeq(value)) throw new Error(`${what} in the ${component} manifest is not a list`);
    if (value.items.length === 0) {
        if (value.flow) throw new Error(`${component} manifest uses a flow-style list ([...]); only block lists are supported`);
        return undefined;
    }
    return value;
}

export function scalarString(node: unknown): string | undefined {
    return isScalar(node) && typeof node.value === "string" ? node.value : undefined;
}

export interface CommandFlag {
    name: string;
    /** undefined for a bare "--flag". */
    value: string | undefined;
    item: Node;
}

/** "--name=value" -> { name, value }; "--name" -> { name, value: undefined }; anything else -> undefined. */
export function parseFlag(arg: string): { name: string; value: string | undefined } | undefined {
    const m = /^--([^=]+)(=(.*))?$/s.exec(arg);
    if (!m) return undefined;
    return { name: m[1], value: m[2] === undefined ? undefined : m[3] };
}

export function commandFlags(pod: LocatedPod): CommandFlag[] {
    const out: CommandFlag[] = [];
    pod.command.items.forEach((item, i) => {
        const text = scalarString(item);
        const flag = i > 0 && text !== undefined ? parseFlag(text) : undefined;
        if (flag) out.push({ ...flag, item: item as Node });
    });
    return out;
}

export interface MountView { name: string; mountPath: string; readOnly: boolean }
export interface VolumeView { name: string; hostPath?: string; type?: string }

export interface StaticPodView {
    command: string[];
    /** Flag name -> value; for a flag given twice, the last one (what the component's flag parser keeps). */
    flags: Map<string, string | undefined>;
    mounts: MountView[];
    volumes: VolumeView[];
    image?: string;
}

/** The parts of a manifest a check or a drift report looks at, as plain data. */
export function readStaticPod(text: string, component: ControlPlaneComponent): StaticPodView {
    const pod = locateStaticPod(text, component);
    const command = pod.command.items.map(i => scalarString(i) ?? String(isScalar(i) ? i.value : ""));
    const flags = new Map<string, string | undefined>();
    for (const f of commandFlags(pod)) flags.set(f.name, f.value);
    const mounts = (pod.volumeMounts?.items ?? []).filter(isMap).map(m => ({
        name: String(m.get("name")), mountPath: String(m.get("mountPath")), readOnly: m.get("readOnly") === true,
    }));
    const volumes = (pod.volumes?.items ?? []).filter(isMap).map(v => {
        const hostPath = v.get("hostPath");
        return {
            name: String(v.get("name")),
            hostPath: isMap(hostPath) ? String(hostPath.get("path")) : undefined,
            type: isMap(hostPath) && hostPath.get("type") !== undefined ? String(hostPath.get("type")) : undefined,
        };
    });
    const image = pod.container.get("image");
    return { command, flags, mounts, volumes, image: typeof image === "string" ? image : undefined };
}

/**
 * Where the node can ask the component whether it is healthy: the manifest's readiness probe, else its liveness
 * probe (kubeadm writes host, port or a named port, and scheme there), else the flags (--secure-port,
 * --advertise-address / --bind-address), else kubeadm's defaults.
 */
export function componentHealthUrl(text: string, component: ControlPlaneComponent): string {
    const pod = locateStaticPod(text, component);
    const flags = new Map(commandFlags(pod).map(f => [f.name, f.value]));
    const defaults = DEFAULT_HEALTH[component];
    const probe = [pod.container.get("readinessProbe"), pod.container.get("livenessProbe")].find(p => isMap(p) && isMap(p.get("httpGet")));
    const httpGet = isMap(probe) ? probe.get("httpGet") as YAMLMap : undefined;

    let port = flags.get("secure-port") ?? String(defaults.port);
    const probePort = httpGet?.get("port");
    if (typeof probePort === "number") port = String(probePort);
    else if (typeof probePort === "string" && /^[0-9]+$/.test(probePort)) port = probePort;
    else if (typeof probePort === "string") {
        // kubeadm >= 1.31 names the port (probe-port) and declares it under the container's ports.
        const ports = pod.container.get("ports");
        const named = isSeq(ports) ? ports.items.find(p => isMap(p) && p.get("name") === probePort) : undefined;
        const containerPort = isMap(named) ? named.get("containerPort") : undefined;
        if (typeof containerPort === "number") port = String(containerPort);
    }
    const probeHost = httpGet?.get("host");
    const flagHost = component === "kube-apiserver" ? flags.get("advertise-address") : flags.get("bind-address");
    let host = typeof probeHost === "string" && probeHost !== "" ? probeHost : flagHost ?? defaults.host;
    if (host === "0.0.0.0") host = "127.0.0.1";
    if (host === "::") host = "::1";
    const scheme = typeof httpGet?.get("scheme") === "string" ? String(httpGet.get("scheme")).toLowerCase() : "https";
    const probePath = httpGet?.get("path");
    const path = typeof probePath === "string" && /^\/[A-Za-z0-9._/-]*$/.test(probePath) ? probePath : defaults.path;
    return `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}${path}`;
}
