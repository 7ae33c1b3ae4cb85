import type * as pulumi from "@pulumi/pulumi";
import { POSTGRES_EXPORTER_PORT } from "../data/postgres/postgres";
import type { Environment } from "../environment/environment";
import { namespacePeer, tcp } from "../kube/network";
import type * as k8s from "@pulumi/kubernetes";
import type { NamespaceRef } from "../kube/namespace";
import { SELF_METRICS_PORT, UNROUTED_METRICS_PORT } from "../tracing/collector-config";
import { TRACE_GATEWAY } from "../tracing/gateway";
import { type AlertGroup, platformAlertGroups } from "./alerts";
import { prometheusRule, serviceMonitor } from "./monitors";
import { DATA_SERVICE_PORTS } from "../data/ports";

/**
 * What the environment's Prometheus watches in the platform namespace: the trace gateway (its own
 * telemetry and the unrouted-spans counter), and the in-cluster Postgres (postgres_exporter
 * sidecar) and MinIO; the platform's alerts; and a network policy admitting Prometheus to exactly
 * those metrics ports.
 */
/** The namespace the platform's services run in, and how to add a network policy to it. */
export interface MonitoredNamespace {
    readonly namespace: NamespaceRef;
    policy(name: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec): unknown;
}

export function platformMonitoring(profile: Environment, ns: MonitoredNamespace, opts: pulumi.CustomResourceOptions): AlertGroup[] {
    const monitoring = profile.monitoring;
    if (!monitoring) return [];
    const at = (app: string) => ({ app, environment: profile.name });
    serviceMonitor(
        "platform-monitor-trace-gateway",
        monitoring,
        { name: TRACE_GATEWAY, namespace: ns.namespace, labels: at(TRACE_GATEWAY), port: ["metrics", "unrouted"] },
        opts,
    );
    const ports = [SELF_METRICS_PORT, UNROUTED_METRICS_PORT];
    const postgresExporter = profile.postgres.mode === "in-cluster";
    if (postgresExporter) {
        serviceMonitor(
            "platform-monitor-postgres",
            monitoring,
            { name: "postgres", namespace: ns.namespace, labels: at("postgres"), port: "metrics" },
            opts,
        );
        ports.push(POSTGRES_EXPORTER_PORT);
    }
    const minio = profile.objectStore.mode === "in-cluster";
    if (minio) {
        serviceMonitor(
            "platform-monitor-minio",
            monitoring,
            { name: "minio", namespace: ns.namespace, labels: at("minio"), port: "s3", path: "/minio/v2/metrics/cluster", interval: "60s" },
            opts,
        );
        ports.push(DATA_SERVICE_PORTS.minio);
    }
    const groups = platformAlertGroups({ namespace: profile.platformNamespace, postgresExporter, minio });
    prometheusRule(
        "platform-alerts",
        monitoring,
        { name: "platform-alerts", namespace: ns.namespace, labels: at("monitoring"), groups, alertLabels: { environment: profile.name } },
        opts,
    );
    ns.policy("allow-monitoring", {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [{ from: [namespacePeer(monitoring.namespace)], ports: tcp(...ports) }],
    });
    return groups;
}
