import type { Capture } from "../../cli/mock-runtime";
import { podLabelsOf, selects } from "./netpol";
import { containersOf, type K8sObject, ofKind } from "./resources";

/** What an in-cluster URL reaches: the declared Service, the workloads behind it, and their containers on the target port. */
export interface ServiceTarget {
    readonly service: K8sObject;
    readonly workloads: K8sObject[];
    /** Containers of those workloads that expose the Service port's target port. */
    readonly containers: Array<{ workload: string; name: string; image: string; env: any[] }>;
    /** The container port the Service sends to (a named target port resolved). */
    readonly containerPort?: number;
}

/**
 * Resolves a URL the way cluster DNS and kube-proxy would, against what is declared: its host must
 * name a Service (`<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc` or `<svc>.<ns>.svc.cluster.local`)
 * of `fromNamespace` or the namespace it names, its port one of that Service's ports; the
 * Service's selector then picks the Deployments and StatefulSets whose pods serve it. Throws,
 * saying why, when the URL reaches nothing declared (a public host, an unknown Service or port).
 */
export function resolveServiceUrl(capture: Capture, fromNamespace: string, url: string): ServiceTarget {
    const u = new URL(url);
    const labels = u.hostname.replace(/\.svc\.cluster\.local$|\.svc$/, "").split(".");
    if (labels.length > 2) throw new Error(`${url}: ${u.hostname} is not a cluster Service name`);
    const [name, ns = fromNamespace] = labels;
    const service = ofKind(capture, "Service").find((s) => s.metadata.name === name && s.metadata.namespace === ns);
    if (!service) throw new Error(`${url}: no Service ${ns}/${name} is declared`);
    const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
    const sp = (service.spec.ports ?? []).find((p: any) => p.port === port);
    if (!sp) throw new Error(`${url}: Service ${ns}/${name} has no port ${port}`);
    const workloads = [...ofKind(capture, "Deployment"), ...ofKind(capture, "StatefulSet")].filter(
        (w) => w.metadata.namespace === ns && service.spec.selector && selects({ matchLabels: service.spec.selector }, podLabelsOf(w)),
    );
    const target = sp.targetPort ?? sp.port;
    const serving = workloads.flatMap((w) =>
        Object.values(containersOf(w))
            .map((c: any) => ({ w, c, p: (c.ports ?? []).find((p: any) => p.containerPort === target || p.name === target) }))
            .filter((x) => x.p),
    );
    const containers = serving.map(({ w, c }) => ({ workload: w.metadata.name!, name: c.name, image: c.image, env: c.env ?? [] }));
    return { service, workloads, containers, containerPort: serving[0]?.p.containerPort };
}
