import { describe, expect, it } from "vitest";
import type { Capture } from "../../cli/mock-runtime";
import { PROJECT, readStackConfig } from "../../cli/mock-runtime";
import { enabledApps } from "../../components/tenancy/tenant";
import { STACKS } from "../support/capture";
import { stackUnderTest } from "../support/inputs";
import { containersOf, type K8sObject, k8sObjects, ofKind, tenantNamespaces } from "../support/resources";

/**
 * Every address the program writes into what it declares must reach something: an in-cluster
 * address a Service that is declared, in the namespace it names, on the port it names; an
 * Ingress backend a Service of its namespace and one of its ports. The only addresses allowed
 * outside the plan are the hosts the stack config file names (external data services, the
 * identity provider, a forwarding backend) and public hosts under its base domain that a
 * declared Ingress serves.
 */

/** One address as written, with where it was found. */
interface Address {
    readonly where: string;
    /** The namespace of the object it was found in (a short host resolves there). */
    readonly namespace: string;
    readonly host: string;
    readonly port?: number;
    /** For a bare host in an env var `X_HOST`: the value of `X_PORT` beside it. */
    readonly siblingPort?: number;
}

const URL_RE = /\b([a-z][a-z0-9+.-]*):\/\/(?:[^\s@/"'`]*@)?([A-Za-z0-9.-]+)(?::(\d+))?/g;
/** Schemes whose authority is not a network host: `s3://<bucket>/<prefix>`, `file://`. */
const NOT_A_HOST = /^(s3|gs|file)$/;
const SVC_RE = /\b([a-z0-9]([a-z0-9-]*[a-z0-9])?\.[a-z0-9]([a-z0-9-]*[a-z0-9])?\.svc(?:\.cluster\.local)?)(?::(\d+))?\b/g;

/** Addresses in a text: URLs (any scheme) and bare `<svc>.<ns>.svc[.cluster.local][:port]`. */
function addressesIn(text: string, where: string, namespace: string): Address[] {
    const out: Address[] = [];
    const spans: Array<[number, number]> = [];
    for (const m of text.matchAll(URL_RE)) {
        spans.push([m.index, m.index + m[0].length]);
        if (NOT_A_HOST.test(m[1]!)) continue;
        out.push({ where, namespace, host: m[2]!.toLowerCase(), port: m[3] ? Number(m[3]) : undefined });
    }
    for (const m of text.matchAll(SVC_RE)) {
        if (spans.some(([a, b]) => m.index >= a && m.index < b)) continue; // part of a URL, already taken
        out.push({ where, namespace, host: m[1]!, port: m[4] ? Number(m[4]) : undefined });
    }
    return out;
}

/** Plain env values, command and args of every container of every workload. */
function workloadAddresses(cap: Capture): Address[] {
    const out: Address[] = [];
    for (const kind of ["Deployment", "StatefulSet", "Job", "CronJob"]) {
        for (const w of ofKind(cap, kind)) {
            const ns = w.metadata.namespace!;
            for (const [name, c] of Object.entries(containersOf(w))) {
                const where = `${kind} ${ns}/${w.metadata.name}/${name}`;
                const env = new Map<string, string>(
                    (c.env ?? []).filter((e: any) => typeof e.value === "string").map((e: any) => [e.name, e.value]),
                );
                for (const [k, v] of env) {
                    const port = /_HOST$/.test(k) ? Number(env.get(k.replace(/_HOST$/, "_PORT"))) : NaN;
                    out.push(
                        ...addressesIn(v, `${where} env ${k}`, ns).map((a) =>
                            Number.isInteger(port) && a.port === undefined ? { ...a, siblingPort: port } : a,
                        ),
                    );
                }
                for (const [i, v] of [...(c.command ?? []), ...(c.args ?? [])].entries())
                    if (typeof v === "string") out.push(...addressesIn(v, `${where} command/args[${i}]`, ns));
            }
        }
    }
    return out;
}

/** Every value of every ConfigMap and Secret (connection strings, collector and nginx config files). */
function configAddresses(cap: Capture): Address[] {
    return [...ofKind(cap, "ConfigMap"), ...ofKind(cap, "Secret")].flatMap((o) => {
        const ns = o.metadata.namespace!;
        const data = Object.entries(o.data ?? {}).map(
            ([k, v]) => [k, o.kind === "Secret" ? Buffer.from(v, "base64").toString("utf8") : v] as const,
        );
        return [...data, ...Object.entries(o.stringData ?? {})].flatMap(([k, v]) =>
            typeof v === "string" ? addressesIn(v, `${o.kind} ${ns}/${o.metadata.name}[${k}]`, ns) : [],
        );
    });
}

/** String fields of the custom resources the program declares (KongPlugin config and the like). */
function customResourceAddresses(cap: Capture): Address[] {
    const builtIn =
        /^kubernetes:(core|apps|batch|networking\.k8s\.io|policy|rbac\.authorization\.k8s\.io|autoscaling|scheduling\.k8s\.io)\//;
    const out: Address[] = [];
    const walk = (v: unknown, where: string, ns: string): void => {
        if (typeof v === "string") out.push(...addressesIn(v, where, ns));
        else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`, ns));
        else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${where}.${k}`, ns);
    };
    for (const { resource, object } of k8sObjects(cap)) {
        // Alert rules carry public URLs in their prose for people to open, not addresses a program dials.
        if (builtIn.test(resource.type) || object.kind === "PrometheusRule") continue;
        const { apiVersion: _a, kind, metadata, ...body } = object;
        walk(body, `${kind} ${metadata.namespace ?? ""}/${metadata.name}`, metadata.namespace ?? "default");
    }
    return out;
}

/** Hosts the stack config file names anywhere in its platform settings (URLs and bare host names). */
function configuredHosts(stack: string): Set<string> {
    const hosts = new Set<string>();
    const walk = (v: unknown): void => {
        if (typeof v === "string") {
            for (const m of v.matchAll(URL_RE)) hosts.add(m[2]!.toLowerCase());
            if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(v)) hosts.add(v.toLowerCase());
        } else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(readStackConfig(stack)[`${PROJECT}:platform`]);
    return hosts;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0)$/;

/** Why an address reaches nothing declared, or undefined when it does. */
function problemOf(
    cap: Capture,
    a: Address,
    allowed: { configured: Set<string>; baseDomain: string; ingressHosts: Set<string> },
): string | undefined {
    if (LOOPBACK.test(a.host)) return undefined; // the pod itself
    const svc = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(a.host);
    const short = /^[a-z0-9-]+$/.exec(a.host);
    if (!svc && !short) {
        if (allowed.configured.has(a.host)) return undefined;
        if (a.host === allowed.baseDomain || a.host.endsWith(`.${allowed.baseDomain}`)) {
            return allowed.ingressHosts.has(a.host)
                ? undefined
                : `${a.where}: ${a.host} is under the base domain, but no declared Ingress serves it`;
        }
        return `${a.where}: ${a.host} is neither a cluster Service nor a host the stack config names`;
    }
    const [name, ns] = svc ? [svc[1]!, svc[2]!] : [a.host, a.namespace];
    const service = ofKind(cap, "Service").find((s) => s.metadata.name === name && s.metadata.namespace === ns);
    if (!service) return `${a.where}: ${a.host} names Service ${ns}/${name}, which is not declared`;
    const port = a.port ?? a.siblingPort;
    if (port === undefined) return undefined; // a host alone (an allowed-hosts list, a port given elsewhere): the Service exists
    const ports = (service.spec.ports ?? []) as Array<{ port: number }>;
    if (!ports.some((p) => p.port === port))
        return `${a.where}: Service ${ns}/${name} has no port ${port} (it has ${ports.map((p) => p.port).join(", ")})`;
    return undefined;
}

/** Every backend of every Ingress: a Service of the Ingress's namespace, on one of its ports by number or name. */
function ingressBackendProblems(cap: Capture): { count: number; problems: string[] } {
    const problems: string[] = [];
    let count = 0;
    for (const ing of ofKind(cap, "Ingress")) {
        const ns = ing.metadata.namespace!;
        const backends = [
            ing.spec.defaultBackend,
            ...(ing.spec.rules ?? []).flatMap((r: any) => (r.http?.paths ?? []).map((p: any) => p.backend)),
        ].filter(Boolean);
        for (const b of backends) {
            count++;
            const where = `Ingress ${ns}/${ing.metadata.name}`;
            if (!b.service) {
                problems.push(`${where}: a backend names no Service`);
                continue;
            }
            const service = ofKind(cap, "Service").find((s) => s.metadata.name === b.service.name && s.metadata.namespace === ns);
            if (!service) {
                problems.push(`${where}: backend Service ${ns}/${b.service.name} is not declared`);
                continue;
            }
            const ports = (service.spec.ports ?? []) as Array<{ port: number; name?: string }>;
            const ok =
                b.service.port.number !== undefined
                    ? ports.some((p) => p.port === b.service.port.number)
                    : ports.some((p) => p.name === b.service.port.name);
            if (!ok) problems.push(`${where}: Service ${ns}/${b.service.name} has no port ${b.service.port.number ?? b.service.port.name}`);
        }
    }
    return { count, problems };
}

describe.each(STACKS)("addresses written in %s", (stack) => {
    const stackPlan = stackUnderTest(stack);

    it("reach a declared Service on a declared port, or a host the stack config names", () => {
        const { cap, profile: profile, tenants } = stackPlan;
        const ingressHosts = new Set(ofKind(cap, "Ingress").flatMap((i) => (i.spec.rules ?? []).map((r: any) => r.host as string)));
        const allowed = { configured: configuredHosts(stack), baseDomain: profile.baseDomain, ingressHosts };
        const addresses = [...workloadAddresses(cap), ...configAddresses(cap), ...customResourceAddresses(cap)];
        expect(addresses.map((a) => problemOf(cap, a, allowed)).filter(Boolean)).toEqual([]);
        // Not vacuous: every app a tenant file enables is dialled at some address inside that tenant's namespace.
        const inCluster = (a: Address) =>
            /\.svc(\.cluster\.local)?$/.exec(a.host)
                ? a.host.split(".")[1]
                : /^[a-z0-9-]+$/.test(a.host) && !LOOPBACK.test(a.host)
                  ? a.namespace
                  : undefined;
        const reached = new Set(addresses.map(inCluster).filter(Boolean));
        const namespaces = tenantNamespaces(cap);
        expect(
            namespaces.filter((ns) => !reached.has(ns)),
            "tenant namespaces no address points into",
        ).toEqual([]);
        const floor = tenants.reduce((n, t) => n + enabledApps(t).length, 0);
        expect(floor).toBeGreaterThan(0);
        expect(addresses.filter((a) => inCluster(a) && namespaces.includes(inCluster(a)!)).length).toBeGreaterThanOrEqual(floor);
    });

    it("route every Ingress backend to a declared Service and port of its namespace", () => {
        const { cap, tenants } = stackPlan;
        const { count, problems } = ingressBackendProblems(cap);
        expect(problems).toEqual([]);
        // Each enabled app of each tenant has its public Ingress.
        expect(count).toBeGreaterThanOrEqual(tenants.reduce((n, t) => n + enabledApps(t).length, 0));
    });
});

describe("the address check itself", () => {
    it("finds URLs of any scheme and bare Service hosts, and skips a URL's own host the second time", () => {
        const found = addressesIn(
            "proxy_pass http://api.llm-a.svc.cluster.local:8000; redis://u:p@r.llm-a.svc:6379/0 x.llm-b.svc.cluster.local:9000 y.llm-b.svc",
            "w",
            "llm-a",
        );
        expect(found.map((a) => [a.host, a.port])).toEqual([
            ["api.llm-a.svc.cluster.local", 8000],
            ["r.llm-a.svc", 6379],
            ["x.llm-b.svc.cluster.local", 9000],
            ["y.llm-b.svc", undefined],
        ]);
    });

    it("refuses an undeclared Service, a wrong port and a host the stack config does not name", () => {
        const service: K8sObject = {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "web", namespace: "llm-a" },
            spec: { ports: [{ port: 3000 }] },
        };
        const cap = {
            stack: "dev",
            resources: [{ urn: "u", type: "kubernetes:core/v1:Service", name: "web", custom: true, inputs: service, options: {} as any }],
            outputs: {},
            placeholderSecrets: [],
            errors: [],
        } as Capture;
        const allowed = { configured: new Set(["db.example.com"]), baseDomain: "example.org", ingressHosts: new Set(["app.example.org"]) };
        const check = (host: string, port?: number) => problemOf(cap, { where: "w", namespace: "llm-a", host, port }, allowed);
        expect(check("web.llm-a.svc.cluster.local", 3000)).toBeUndefined();
        expect(check("web", 3000)).toBeUndefined();
        expect(check("db.example.com", 5432)).toBeUndefined();
        expect(check("app.example.org")).toBeUndefined();
        expect(check("web.llm-a.svc.cluster.local", 3001)).toMatch(/has no port 3001/);
        expect(check("langfuse-web.llm-a.svc.cluster.local", 3000)).toMatch(/Service llm-a\/langfuse-web, which is not declared/);
        expect(check("web.llm-b.svc", 3000)).toMatch(/llm-b\/web, which is not declared/);
        expect(check("other.example.com", 443)).toMatch(/nor a host the stack config names/);
        expect(check("nowhere.example.org")).toMatch(/no declared Ingress serves it/);
    });
});
