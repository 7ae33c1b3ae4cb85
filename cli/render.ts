import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { TENANT_WORKSPACE_TYPE } from "../components/naming/labels";
import { type Capture, type CapturedResource, SECRET_MARKER, isSecret, redact } from "./mock-runtime";
import { add, formatFootprint, images, podFootprint, totalFootprint, type Workload, workloads, ZERO } from "./footprint";

/**
 * Turns a capture into the files synth writes: Kubernetes manifests per namespace, the resource
 * plan, and a summary. Secrets are redacted; everything is sorted so that two runs, or two
 * commits that differ by one tenant, give clean diffs.
 */

/** The tenant a resource belongs to: the name of its tenant workspace ancestor, if any. */
export function tenantOf(resources: readonly CapturedResource[]): Map<string, string> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const cache = new Map<string, string>();
    const find = (r: CapturedResource): string => {
        const hit = cache.get(r.urn);
        if (hit !== undefined) return hit;
        let result = "";
        if (r.type === TENANT_WORKSPACE_TYPE) result = r.name;
        else if (r.parent && byUrn.has(r.parent)) result = find(byUrn.get(r.parent)!);
        cache.set(r.urn, result);
        return result;
    };
    return new Map(resources.map((r) => [r.urn, find(r)]));
}

const SECRET_TYPE = "kubernetes:core/v1:Secret";

/**
 * Redacts a resource's inputs. A Secret's `data`/`stringData` is one secret value as a whole (the
 * Kubernetes SDK wraps the map), yet its keys are what a reviewer needs to see: the variables a
 * container gets from `envFrom`, the files a volume holds. So each key stays, with a redacted value.
 */
export function redactInputs(r: Pick<CapturedResource, "type" | "inputs">): Record<string, unknown> {
    if (r.type !== SECRET_TYPE) return redact(r.inputs) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r.inputs)) {
        const inner = isSecret(v) ? v["@secret"] : undefined;
        const isMap = (k === "data" || k === "stringData") && inner !== null && typeof inner === "object" && !Array.isArray(inner);
        out[k] = isMap
            ? Object.fromEntries(
                  Object.keys(inner)
                      .sort()
                      .map((key) => [key, SECRET_MARKER]),
              )
            : redact(v);
    }
    return out;
}

function orderKeys(manifest: Record<string, unknown>): Record<string, unknown> {
    const { apiVersion, kind, metadata, ...rest } = manifest;
    return { apiVersion, kind, metadata, ...rest };
}

/** Kubernetes manifests grouped by namespace (`_cluster` for cluster-scoped objects). */
export function manifests(capture: Capture): Map<string, Record<string, unknown>[]> {
    const groups = new Map<string, Record<string, unknown>[]>();
    for (const r of capture.resources) {
        if (!r.type.startsWith("kubernetes:") || !("kind" in r.inputs)) continue;
        const m = orderKeys(redactInputs(r));
        const ns = ((m["metadata"] as { namespace?: string } | undefined)?.namespace ?? "") || "_cluster";
        if (!groups.has(ns)) groups.set(ns, []);
        groups.get(ns)!.push(m);
    }
    for (const list of groups.values()) {
        // String(): the key is exactly as before, `undefined` included, so the order of out/ does not move.
        const key = (m: Record<string, unknown>) =>
            `${String(m["kind"])}/${String((m["metadata"] as { name?: string } | undefined)?.name)}`;
        list.sort((a, b) => key(a).localeCompare(key(b)));
    }
    return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Manifests as YAML that reads back as the same strings under YAML 1.1 (kubectl and most
 * Kubernetes tooling) and 1.2: scalars that 1.1 reads as booleans or numbers (`off`, `y`, `1:20`)
 * are quoted.
 */
export function manifestYaml(docs: readonly Record<string, unknown>[]): string {
    return docs.map((d) => `---\n${stringify(d, { version: "1.1", lineWidth: 0, sortMapEntries: false })}`).join("");
}

/** The resource plan: every declared resource, secrets redacted. */
export function plan(capture: Capture): unknown[] {
    const tenants = tenantOf(capture.resources);
    return capture.resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent,
        tenant: tenants.get(r.urn) || undefined,
        provider: r.options.provider,
        protect: r.options.protect || undefined,
        retainOnDelete: r.options.retainOnDelete || undefined,
        deleteBeforeReplace: r.options.deleteBeforeReplace || undefined,
        dependsOn: r.options.dependencies.length ? r.options.dependencies : undefined,
        aliases: r.options.aliases.length ? r.options.aliases : undefined,
        inputs: withoutProviderCode(redactInputs(r)),
    }));
}

/** Dynamic resources carry their provider's serialized code; the plan shows its hash instead. */
function withoutProviderCode(inputs: Record<string, unknown>): Record<string, unknown> {
    if (typeof inputs["__provider"] !== "string") return inputs;
    return {
        ...inputs,
        __provider: `[dynamic provider code, sha256 ${createHash("sha256").update(inputs["__provider"]).digest("hex").slice(0, 16)}]`,
    };
}

function table(header: string[], rows: (string | number)[][]): string {
    return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join(
        "\n",
    );
}

/** The ServiceMonitors and the alerts of each PrometheusRule, when the stack declares any. */
function monitoringSection(resources: Capture["resources"]): string[] {
    const of = (kind: string) =>
        resources
            .filter((r) => r.type === `kubernetes:monitoring.coreos.com/v1:${kind}`)
            .map((r) => r.inputs as { metadata: { name: string; namespace: string }; spec: Record<string, unknown> })
            .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
    const monitors = of("ServiceMonitor");
    const rules = of("PrometheusRule");
    if (!monitors.length && !rules.length)
        return ["## Monitoring", "", "Off: the stack does not enable the Prometheus operator (`monitoring.prometheusOperator`).", ""];
    const alerts = rules.flatMap((r) =>
        (r.spec["groups"] as Array<{ name: string; rules: Array<{ alert: string; for: string; labels: { severity: string } }> }>).flatMap(
            (g) => g.rules.map((a) => [r.metadata.namespace, g.name, a.alert, a.labels.severity, a.for]),
        ),
    );
    return [
        "## Monitoring",
        "",
        table(
            ["namespace", "ServiceMonitor", "scrapes (port path)"],
            monitors.map((m) => [
                m.metadata.namespace,
                m.metadata.name,
                (m.spec["endpoints"] as Array<{ port: string; path: string }>).map((e) => `${e.port} ${e.path}`).join(", "),
            ]),
        ),
        "",
        `${alerts.length} alerts in ${rules.length} PrometheusRules, each with a runbook:`,
        "",
        table(["namespace", "group", "alert", "severity", "for"], alerts),
        "",
    ];
}

function replicasText(w: Workload): string {
    return w.autoscaled ? `${w.replicas}-${w.maxReplicas} (autoscaled)` : String(w.replicas);
}

function placementText(spec: NonNullable<Workload["template"]["spec"]>): string {
    const parts: string[] = [];
    const spread = (spec.topologySpreadConstraints ?? []).map(
        (c) =>
            `${c.topologyKey === "topology.kubernetes.io/zone" ? "zones" : c.topologyKey === "kubernetes.io/hostname" ? "nodes" : c.topologyKey} (${c.whenUnsatisfiable})`,
    );
    if (spread.length) parts.push(`spread over ${spread.join(", ")}`);
    const selector = Object.entries(spec.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`);
    if (selector.length) parts.push(`nodes ${selector.join(", ")}`);
    if (spec.tolerations?.length)
        parts.push(
            `tolerates ${spec.tolerations.map((t) => `${t.key ?? "*"}${t.value ? `=${t.value}` : ""}${t.effect ? `:${t.effect}` : ""}`).join(", ")}`,
        );
    return parts.length ? parts.join("; ") : "any node";
}

/** Per tenant: each workload's priority class, placement and autoscaling bounds. */
function schedulingSection(wl: readonly Workload[]): string[] {
    const rows = [...wl]
        .sort((a, b) => `${a.tenant}/${a.namespace}/${a.name}`.localeCompare(`${b.tenant}/${b.namespace}/${b.name}`))
        .map((w) => [
            w.tenant,
            `${w.kind} ${w.name}`,
            w.template.spec?.priorityClassName ?? "(none)",
            replicasText(w),
            placementText(w.template.spec ?? {}),
        ]);
    return [
        "## Scheduling: priorities, autoscaling and placement",
        "",
        table(["tenant label", "workload", "priority class", "replicas", "placement"], rows),
        "",
    ];
}

export function summary(capture: Capture): string {
    const tenants = tenantOf(capture.resources);
    const byType = new Map<string, number>();
    const byTenant = new Map<string, number>();
    for (const r of capture.resources) {
        if (!r.custom) continue;
        const type =
            typeof r.inputs["kind"] === "string" && r.type === "pulumi-nodejs:dynamic:Resource"
                ? `${r.type} (${r.inputs["kind"]})`
                : r.type;
        byType.set(type, (byType.get(type) ?? 0) + 1);
        const t = tenants.get(r.urn) || "(platform)";
        byTenant.set(t, (byTenant.get(t) ?? 0) + 1);
    }
    const wl = workloads(capture.resources);
    const tenantIds = [...new Set(wl.map((w) => w.tenant))].sort();
    const footprintRows = tenantIds.map((t) => [
        t,
        formatFootprint(totalFootprint(capture.resources, t)),
        formatFootprint(totalFootprint(capture.resources, t, true)),
    ]);
    const total = wl.reduce((acc, w) => add(acc, podFootprint(w.template), w.replicas), ZERO);
    const protectedCount = capture.resources.filter((r) => r.options.protect).length;
    const out = [
        `# Stack \`${capture.stack}\``,
        "",
        `${capture.resources.filter((r) => r.custom).length} resources (${capture.resources.filter((r) => !r.custom).length} components), ${protectedCount} protected.`,
        "",
        "## Resources by type",
        "",
        table(
            ["type", "count"],
            [...byType].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => [`\`${t}\``, n]),
        ),
        "",
        "## Resources by tenant",
        "",
        table(
            ["tenant", "resources"],
            [...byTenant].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => [t, n]),
        ),
        "",
        "## CPU and memory (Deployments and StatefulSets, times replicas)",
        "",
        table(["tenant label", "footprint", "autoscalers at max"], footprintRows),
        "",
        `Total: ${formatFootprint(total)}; with every autoscaler at its maximum: ${formatFootprint(totalFootprint(capture.resources, undefined, true))}.`,
        "",
        "## Workloads",
        "",
        table(
            ["namespace", "kind", "name", "replicas", "per pod"],
            [...wl]
                .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))
                .map((w) => [w.namespace, w.kind, w.name, replicasText(w), formatFootprint(podFootprint(w.template))]),
        ),
        "",
        ...schedulingSection(wl),
        "## Images",
        "",
        table(
            ["image", "containers"],
            [...images(capture.resources)].map(([i, n]) => [`\`${i}\``, n]),
        ),
        "",
    ];
    out.push(...monitoringSection(capture.resources));
    if (capture.placeholderSecrets.length) {
        out.push(
            "## Secrets to set before deploying",
            "",
            "Synth stood in for these; set each once per stack with `pulumi config set --secret <key> <value>`:",
            "",
        );
        out.push(...capture.placeholderSecrets.map((k) => `- \`${k}\``), "");
    }
    return out.join("\n");
}
