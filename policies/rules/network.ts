// Calico: IP pools that Calico will accept and that fit the cluster's pod CIDR, route reflector cluster
// IDs Calico will not silently ignore, and no single route reflector once the node mesh is off.

import { isIPv4 } from "net";
import { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { Cidr, cidrWithin, parseCidr } from "../lib/cidr";
import { stringList } from "../lib/config";
import { k8sType, metadataName, metadataValue, NODE_TYPES } from "../lib/k8s";
import { resourcePolicy, stackPolicy } from "../lib/policy";
import { at, isUnknown, knownBoolean, knownEntries, knownNumber, knownString, UNKNOWN, Unknown } from "../lib/values";

const CALICO_CRD = "crd.projectcalico.org/v1";
const CALICO_API = "projectcalico.org/v3";
export const IPPOOL_CRD_TYPE = k8sType(CALICO_CRD, "IPPool");
export const IPPOOL_API_TYPE = k8sType(CALICO_API, "IPPool");
export const INSTALLATION_TYPE = k8sType("operator.tigera.io/v1", "Installation");
export const BGP_CONFIGURATION_TYPES = [k8sType(CALICO_CRD, "BGPConfiguration"), k8sType(CALICO_API, "BGPConfiguration")];
export const CALICO_NODE_TYPE = k8sType(CALICO_API, "Node");
export const ROUTE_REFLECTOR_ANNOTATION = "projectcalico.org/RouteReflectorClusterID";

const ENCAPSULATION_MODES = ["Never", "Always", "CrossSubnet"];
const OPERATOR_ENCAPSULATIONS = ["IPIP", "IPIPCrossSubnet", "VXLAN", "VXLANCrossSubnet", "None"];
const BLOCK_SIZE_RANGE = { ipv4: [20, 32], ipv6: [116, 128] } as const;

export interface IPPoolConfig {
    /** The cluster's pod CIDRs (kube-controller-manager --cluster-cidr); empty skips the containment check. */
    podCidrs: string[];
}

/** Problems with a pool's cidr and blockSize. `blockSizeRequired`: the object bypasses Calico's defaulting. Pure. */
export function poolRangeFindings(cidrValue: unknown, blockSizeValue: unknown, podCidrs: string[], blockSizeRequired: boolean): string[] {
    const findings: string[] = [];
    let cidr: Cidr | undefined;
    if (!isUnknown(cidrValue)) {
        const text = knownString(cidrValue);
        cidr = text === undefined ? undefined : parseCidr(text);
        if (text === undefined) findings.push("cidr is not set");
        else if (!cidr) findings.push(`cidr '${text}' is not a valid CIDR`);
    }
    if (cidr && podCidrs.length > 0) {
        const pods = podCidrs.map(parseCidr).filter((c): c is Cidr => c !== undefined);
        if (!pods.some(pod => cidrWithin(cidr!, pod))) {
            findings.push(`cidr '${cidr.address}/${cidr.prefix}' is not inside the pod CIDR (${podCidrs.join(", ")}): routes and kube-proxy's cluster CIDR will not match`);
        }
    }
    if (!isUnknown(blockSizeValue)) {
        const blockSize = knownNumber(blockSizeValue);
        if (blockSizeValue === undefined || blockSizeValue === null) {
            if (blockSizeRequired) findings.push("blockSize is not set, and crd.projectcalico.org/v1 objects bypass Calico's defaulting: set it (20-32 for IPv4)");
        } else if (blockSize === undefined || !Number.isInteger(blockSize)) {
            findings.push(`blockSize ${JSON.stringify(blockSizeValue)} is not an integer`);
        } else {
            const family = cidr?.family ?? "ipv4";
            const [min, max] = BLOCK_SIZE_RANGE[family];
            if (blockSize < min || blockSize > max) findings.push(`blockSize ${blockSize} is outside ${min}-${max} (${family === "ipv4" ? "IPv4" : "IPv6"})`);
            else if (cidr && blockSize < cidr.prefix) findings.push(`blockSize /${blockSize} is larger than the pool /${cidr.prefix}`);
        }
    }
    return findings;
}

/** Problems with a pool's ipipMode and vxlanMode. Pure. */
export function encapsulationFindings(ipipValue: unknown, vxlanValue: unknown): string[] {
    const findings: string[] = [];
    const modes: [string, unknown][] = [["ipipMode", ipipValue], ["vxlanMode", vxlanValue]];
    for (const [field, value] of modes) {
        if (value === undefined || value === null || isUnknown(value)) continue;
        if (!ENCAPSULATION_MODES.includes(knownString(value) ?? "")) findings.push(`${field} '${String(value)}' is not one of ${ENCAPSULATION_MODES.join(", ")}`);
    }
    const enabled = (value: unknown) => value === "Always" || value === "CrossSubnet";
    if (enabled(ipipValue) && enabled(vxlanValue)) {
        findings.push(`ipipMode '${ipipValue}' and vxlanMode '${vxlanValue}' are both enabled; Calico allows one encapsulation per pool`);
    }
    return findings;
}

export function calicoIPPoolSane(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return resourcePolicy<IPPoolConfig>({
        name: "calico-ippool-sane",
        description: "Calico IP pools: IPIP and VXLAN not both on, blockSize in range (IPv4 20-32), cidr inside the pod CIDR.",
        remediationSteps: "Pick one encapsulation, a blockSize within range, and a cidr inside the cluster's pod CIDR. cidr and blockSize are immutable: a change needs a new pool.",
        severity: "high",
        types: [IPPOOL_CRD_TYPE, IPPOOL_API_TYPE, INSTALLATION_TYPE],
        defaults: { podCidrs: [] },
        schema: { podCidrs: stringList("The cluster's pod CIDRs; every pool must lie inside one. Empty skips the check.") },
        check: (pool, config, report) => {
            const name = metadataName(pool.props) ?? pool.name;
            if (pool.type === INSTALLATION_TYPE) {
                for (const [i, p] of knownEntries(at(pool.props, "spec", "calicoNetwork", "ipPools"))) {
                    const where = `Installation '${name}' spec.calicoNetwork.ipPools[${i}]`;
                    const encapsulation = at(p, "encapsulation");
                    if (encapsulation !== undefined && !isUnknown(encapsulation) && !OPERATOR_ENCAPSULATIONS.includes(knownString(encapsulation) ?? "")) {
                        report(`${where}: encapsulation '${String(encapsulation)}' is not one of ${OPERATOR_ENCAPSULATIONS.join(", ")}.`);
                    }
                    for (const f of poolRangeFindings(at(p, "cidr"), at(p, "blockSize"), config.podCidrs, false)) report(`${where}: ${f}.`);
                }
                return;
            }
            const spec = at(pool.props, "spec");
            if (isUnknown(spec)) return;
            const findings = [
                ...encapsulationFindings(at(spec, "ipipMode"), at(spec, "vxlanMode")),
                ...poolRangeFindings(at(spec, "cidr"), at(spec, "blockSize"), config.podCidrs, pool.type === IPPOOL_CRD_TYPE),
            ];
            for (const f of findings) report(`IPPool '${name}': ${f}.`);
        },
    }, enforcementLevel);
}

/** The route reflector cluster ID a resource sets: a string, UNKNOWN, or undefined when it sets none. */
export function routeReflectorClusterId(type: string, props: unknown): string | Unknown | undefined {
    const value = type === CALICO_NODE_TYPE
        ? at(props, "spec", "bgp", "routeReflectorClusterID")
        : metadataValue(props, "annotations", ROUTE_REFLECTOR_ANNOTATION);
    if (value === UNKNOWN || isUnknown(value)) return UNKNOWN;
    return typeof value === "string" ? value : undefined;
}

export function calicoRouteReflectorClusterId(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return resourcePolicy<Record<string, never>>({
        name: "calico-route-reflector-cluster-id",
        description: "Route reflector cluster IDs (Node annotation projectcalico.org/RouteReflectorClusterID) are IPv4 addresses.",
        remediationSteps: "Use a dotted-quad IPv4 value such as 244.0.0.1; Calico silently ignores any other value and the node never reflects routes.",
        severity: "high",
        types: [...NODE_TYPES, CALICO_NODE_TYPE],
        defaults: {},
        schema: {},
        check: (node, _config, report) => {
            const id = routeReflectorClusterId(node.type, node.props);
            if (id === undefined || id === UNKNOWN || isIPv4(id)) return;
            report(`Node '${metadataName(node.props) ?? node.name}': route reflector cluster ID '${id}' is not an IPv4 address; Calico ignores it silently.`);
        },
    }, enforcementLevel);
}

export interface ReflectorRedundancyConfig {
    minReflectors: number;
}

export function calicoRouteReflectorRedundancy(enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return stackPolicy<ReflectorRedundancyConfig>({
        name: "calico-route-reflector-redundancy",
        description: "With the node-to-node mesh off (BGPConfiguration 'default'), at least two nodes are route reflectors.",
        remediationSteps: "Annotate and label a second node as route reflector before disabling the mesh.",
        severity: "high",
        defaults: { minReflectors: 2 },
        schema: { minReflectors: { type: "integer", minimum: 1, description: "Fewest route reflectors allowed when the mesh is off." } },
        check: (resources, config, report) => {
            const meshOff = resources.filter(r => BGP_CONFIGURATION_TYPES.includes(r.type)
                && metadataName(r.props) === "default"
                && knownBoolean(at(r.props, "spec", "nodeToNodeMeshEnabled")) === false);
            if (meshOff.length === 0) return;
            const reflectors = new Set<string>();
            let pending = 0;
            for (const node of resources.filter(r => [...NODE_TYPES, CALICO_NODE_TYPE].includes(r.type))) {
                const id = routeReflectorClusterId(node.type, node.props);
                const name = metadataName(node.props);
                if (id === UNKNOWN || (id !== undefined && name === undefined)) pending++;
                else if (id !== undefined && name !== undefined && isIPv4(id)) reflectors.add(name);
            }
            if (reflectors.size >= config.minReflectors || reflectors.size + pending >= config.minReflectors) return;
            const have = reflectors.size ? `only ${[...reflectors].join(", ")}` : "none";
            for (const bgp of meshOff) {
                report(`BGPConfiguration 'default' turns the node-to-node mesh off with ${have} as route reflector (need ${config.minReflectors}): losing one cuts pod routes.`, bgp.urn);
            }
        },
    }, enforcementLevel);
}
