import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { PRIORITY_TIERS, type PriorityTier } from "./scheduling";

/**
 * Values of the tiers: far below the system classes (2,000,000,000 and up), far enough apart that
 * nothing else the team declares falls between them by accident.
 */
export const PRIORITY_VALUES: Readonly<Record<PriorityTier, number>> = { dataPlane: 100000, ingestion: 10000, apps: 1000, batch: 100 };

const DESCRIPTIONS: Readonly<Record<PriorityTier, string>> = {
    dataPlane: "Shared data services and the trace gateway: every tenant depends on them.",
    ingestion: "A tenant's ingestion path: Langfuse web and worker, its ClickHouse and Redis.",
    apps: "A tenant's other apps (MLflow, Agenta, SSO gates).",
    batch: "Backups, exports, gc and migrations: may wait, and never preempt anything.",
};

/** The PriorityClass name of a tier, with the stack's prefix (PriorityClasses are cluster-wide). */
export function priorityClassName(prefix: string, tier: PriorityTier): string {
    return `${prefix}-${tier.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Declares one PriorityClass per tier; returns their names as outputs, so pods wait for them. */
export function priorityClasses(
    prefix: string,
    labels: Record<string, string>,
    opts: pulumi.CustomResourceOptions,
): Record<PriorityTier, pulumi.Output<string>> {
    const out = {} as Record<PriorityTier, pulumi.Output<string>>;
    for (const tier of PRIORITY_TIERS) {
        const name = priorityClassName(prefix, tier);
        const pc = new k8s.scheduling.v1.PriorityClass(
            `priority-${name}`,
            {
                metadata: { name, labels },
                value: PRIORITY_VALUES[tier],
                globalDefault: false,
                preemptionPolicy: tier === "batch" ? "Never" : "PreemptLowerPriority",
                description: DESCRIPTIONS[tier],
            },
            opts,
        );
        out[tier] = pc.metadata.name.apply((n) => n ?? name);
    }
    return out;
}
