import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../environment/environment";
import { type LabelArgs, standardLabels } from "../naming/labels";
import type { NamespaceRef } from "./namespace";

export interface AppIngressArgs {
    readonly name: string;
    readonly namespace: NamespaceRef;
    readonly labels: LabelArgs;
    readonly env: Environment;
    readonly host: string;
    /** Where requests go: one Service and port, for every path under `/`. */
    readonly service: string;
    readonly port: number;
    readonly annotations?: Record<string, string>;
}

/**
 * An Ingress for one public host: the environment's ingress class, and outside `local` TLS with a
 * certificate from the configured cert-manager issuer (secret `<name>-tls`). Routing inside the
 * host (paths, prefixes) is the job of the app's own edge, so no controller-specific rewrite
 * annotations are needed.
 */
export function appIngress(resourceName: string, args: AppIngressArgs, opts: pulumi.CustomResourceOptions): k8s.networking.v1.Ingress {
    const issuer = args.env.ingress.tlsIssuer;
    const annotations: Record<string, string> = { ...args.annotations };
    if (issuer) annotations[issuer.kind === "ClusterIssuer" ? "cert-manager.io/cluster-issuer" : "cert-manager.io/issuer"] = issuer.name;
    return new k8s.networking.v1.Ingress(
        resourceName,
        {
            metadata: { name: args.name, namespace: args.namespace.output, labels: standardLabels(args.labels), annotations: Object.keys(annotations).length ? annotations : undefined },
            spec: {
                ingressClassName: args.env.ingress.className,
                tls: issuer ? [{ hosts: [args.host], secretName: `${args.name}-tls` }] : undefined,
                rules: [
                    {
                        host: args.host,
                        http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: args.service, port: { number: args.port } } } }] },
                    },
                ],
            },
        },
        opts,
    );
}
