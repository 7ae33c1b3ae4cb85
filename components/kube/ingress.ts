import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { type LabelArgs, standardLabels } from "../naming/labels";
import type { NamespaceRef } from "./namespace";

/** The cluster's ingress controller, as the stack config names it. */
export interface IngressSettings {
    readonly className: string;
    /** Namespace of the controller's pods (network policies admit them). */
    readonly controllerNamespace: string;
    /** cert-manager issuer of every public host's certificate. @default none: plain HTTP, no `tls` section */
    readonly tlsIssuer?: { readonly kind: "ClusterIssuer" | "Issuer"; readonly name: string };
}

/**
 * How large a request an app takes and how long it may take to answer: one pair per app, the same
 * at every hop in front of it (Ingress, SSO gate, the app's edge), so no hop cuts what the next allows.
 */
export interface HttpLimits {
    /** Largest request body, in MiB (ingress-nginx's default is 1 MiB). */
    readonly maxBodyMiB: number;
    /** Longest wait for the app's response, in seconds (ingress-nginx's default is 60 s, oauth2-proxy's 30 s). */
    readonly timeoutSeconds: number;
}

/** ingress-nginx's per-Ingress annotations (annotations.md: sizes like `8m`, timeouts in unitless seconds). */
export const NGINX_ANNOTATIONS = {
    bodySize: "nginx.ingress.kubernetes.io/proxy-body-size",
    readTimeout: "nginx.ingress.kubernetes.io/proxy-read-timeout",
    sendTimeout: "nginx.ingress.kubernetes.io/proxy-send-timeout",
    bufferSize: "nginx.ingress.kubernetes.io/proxy-buffer-size",
} as const;

export function limitAnnotations(limits: HttpLimits): Record<string, string> {
    return {
        [NGINX_ANNOTATIONS.bodySize]: `${limits.maxBodyMiB}m`,
        [NGINX_ANNOTATIONS.readTimeout]: String(limits.timeoutSeconds),
        [NGINX_ANNOTATIONS.sendTimeout]: String(limits.timeoutSeconds),
    };
}

export interface AppIngressArgs {
    readonly name: string;
    readonly namespace: NamespaceRef;
    readonly labels: LabelArgs;
    readonly ingress: IngressSettings;
    readonly host: string;
    /** Where requests go: one Service and port, for every path under `/`. */
    readonly service: string;
    readonly port: number;
    /** The app's limits, as ingress-nginx annotations. @default none: ingress-nginx's defaults (1 MiB bodies, 60 s) */
    readonly limits?: HttpLimits;
    /** Extra annotations on the Ingress (a cert-manager issuer annotation still wins). @default none */
    readonly annotations?: Record<string, string>;
}

/**
 * An Ingress for one public host: the environment's ingress class, and outside `local` TLS with a
 * certificate from the configured cert-manager issuer (secret `<name>-tls`). Routing inside the
 * host (paths, prefixes) is the job of the app's own edge, so no controller-specific rewrite
 * annotations are needed.
 */
export function appIngress(resourceName: string, args: AppIngressArgs, opts: pulumi.CustomResourceOptions): k8s.networking.v1.Ingress {
    const issuer = args.ingress.tlsIssuer;
    const annotations: Record<string, string> = { ...(args.limits ? limitAnnotations(args.limits) : {}), ...args.annotations };
    if (issuer) annotations[issuer.kind === "ClusterIssuer" ? "cert-manager.io/cluster-issuer" : "cert-manager.io/issuer"] = issuer.name;
    return new k8s.networking.v1.Ingress(
        resourceName,
        {
            metadata: {
                name: args.name,
                namespace: args.namespace.output,
                labels: standardLabels(args.labels),
                annotations: Object.keys(annotations).length ? annotations : undefined,
            },
            spec: {
                ingressClassName: args.ingress.className,
                tls: issuer ? [{ hosts: [args.host], secretName: `${args.name}-tls` }] : undefined,
                rules: [
                    {
                        host: args.host,
                        http: {
                            paths: [
                                {
                                    path: "/",
                                    pathType: "Prefix",
                                    backend: { service: { name: args.service, port: { number: args.port } } },
                                },
                            ],
                        },
                    },
                ],
            },
        },
        opts,
    );
}
