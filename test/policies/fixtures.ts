import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

/** Known-good objects the rules accept; each test mutates one thing and expects one message. */

export function goodDeployment(over: { env?: string } = {}): Record<string, any> {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "llm-acme", labels: labels(over.env ?? "dev") },
        spec: {
            replicas: 2,
            selector: { matchLabels: { "app.kubernetes.io/name": "web" } },
            template: {
                metadata: { labels: { ...labels(over.env ?? "dev"), "llmops.io/exposed": "http" } },
                spec: {
                    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [
                        {
                            name: "app",
                            image: "ghcr.io/example/app:1.2.3",
                            ports: [{ name: "http", containerPort: 8080 }],
                            env: [
                                { name: "LOG_LEVEL", value: "info" },
                                { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
                            ],
                            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                            readinessProbe: { httpGet: { path: "/ready", port: "http" } },
                            livenessProbe: { httpGet: { path: "/health", port: "http" } },
                            securityContext: {
                                runAsNonRoot: true,
                                runAsUser: 1000,
                                allowPrivilegeEscalation: false,
                                readOnlyRootFilesystem: true,
                                capabilities: { drop: ["ALL"] },
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                        },
                    ],
                },
            },
        },
    };
}

export function labels(env: string, tenant = "acme"): Record<string, string> {
    return {
        "app.kubernetes.io/name": "web",
        "app.kubernetes.io/managed-by": "pulumi",
        "llmops.io/tenant": tenant,
        "llmops.io/environment": env,
    };
}

export function container(d: Record<string, any>): Record<string, any> {
    return d["spec"].template.spec.containers[0];
}

export async function runResourceRule(
    rule: ResourceValidationPolicy,
    type: string,
    props: Record<string, unknown>,
    opts: Partial<ResourceValidationArgs["opts"]> = {},
): Promise<string[]> {
    const messages: string[] = [];
    const validations = Array.isArray(rule.validateResource) ? rule.validateResource : [rule.validateResource!];
    const args: ResourceValidationArgs = {
        type,
        props,
        urn: `urn:pulumi:test::p::${type}::r`,
        name: "r",
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
            ...opts,
        },
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: () => {
            throw new Error("n/a");
        },
    };
    for (const v of validations) await v(args, (m) => messages.push(m));
    return messages;
}

export function resource(
    type: string,
    name: string,
    props: Record<string, unknown>,
    extra: { protect?: boolean; parent?: PolicyResource } = {},
): PolicyResource {
    return {
        type,
        name,
        props,
        urn: `urn:pulumi:test::p::${type}::${name}`,
        opts: {
            protect: extra.protect ?? false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        parent: extra.parent,
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    };
}

export async function runStackRule(rule: StackValidationPolicy, resources: PolicyResource[]): Promise<string[]> {
    const messages: string[] = [];
    await rule.validateStack(
        {
            resources,
            stackTags: new Map(),
            getConfig: <T extends object>() => ({}) as T,
            notApplicable: () => {
                throw new Error("n/a");
            },
        },
        (m) => messages.push(m),
    );
    return messages;
}

export function namespace(
    name: string,
    env: string,
    extra: { tenant?: string; annotations?: Record<string, string>; enforce?: string } = {},
): PolicyResource {
    const l: Record<string, string> = {
        ...labels(env, extra.tenant ?? "platform"),
        "pod-security.kubernetes.io/enforce": extra.enforce ?? "restricted",
    };
    if (extra.tenant) l["llmops.io/workspace"] = "true";
    return resource("kubernetes:core/v1:Namespace", name, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name, labels: l, annotations: extra.annotations },
    });
}
