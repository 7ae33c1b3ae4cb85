import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../environment/environment";
import type { NamespaceRef } from "../kube/namespace";
import { type LabelArgs, selectorLabels, standardLabels } from "../naming/labels";
import { type AlertGroup, prometheusRuleSpec } from "./alerts";

export const MONITORING_API = "monitoring.coreos.com/v1";

export interface ScrapeTarget {
    /** Object name of the ServiceMonitor. */
    readonly name: string;
    readonly namespace: NamespaceRef;
    /** Labels of the Service to scrape (its standard labels select it). */
    readonly labels: LabelArgs;
    /** Name of the Service port, or ports. */
    readonly port: string | readonly string[];
    /** HTTP path of the metrics. @default `/metrics` */
    readonly path?: string;
    /** How often Prometheus scrapes. @default `30s` */
    readonly interval?: string;
}

type Monitoring = NonNullable<Environment["monitoring"]>;

/** A ServiceMonitor for one Service of the platform, labelled so the environment's Prometheus selects it. */
export function serviceMonitor(
    resourceName: string,
    monitoring: Monitoring,
    t: ScrapeTarget,
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        resourceName,
        {
            apiVersion: MONITORING_API,
            kind: "ServiceMonitor",
            metadata: { name: t.name, namespace: t.namespace.output, labels: { ...standardLabels(t.labels), ...monitoring.ruleLabels } },
            spec: {
                selector: { matchLabels: selectorLabels(t.labels) },
                endpoints: (typeof t.port === "string" ? [t.port] : t.port).map((port) => ({
                    port,
                    path: t.path ?? "/metrics",
                    interval: t.interval ?? "30s",
                    scheme: "http",
                })),
            },
        },
        opts,
    );
}

/** A PrometheusRule holding alert groups, with runbook text in every alert. */
export function prometheusRule(
    resourceName: string,
    monitoring: Monitoring,
    args: {
        name: string;
        namespace: NamespaceRef;
        labels: LabelArgs;
        groups: readonly AlertGroup[];
        alertLabels: Readonly<Record<string, string>>;
    },
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        resourceName,
        {
            apiVersion: MONITORING_API,
            kind: "PrometheusRule",
            metadata: {
                name: args.name,
                namespace: args.namespace.output,
                labels: { ...standardLabels(args.labels), ...monitoring.ruleLabels },
            },
            spec: prometheusRuleSpec(args.groups, args.alertLabels),
        },
        opts,
    );
}
