import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";

/** The project's root: the repository. */
export const PROJECT_ROOT = path.resolve(__dirname, "../../..");
/** The e2e stack's name. Its config lives in the run directory, never under `stacks/`. */
export const STACK = "e2e";
/** The project key the platform config lives under. */
export const PROJECT = "llmops-platform";

/**
 * A throwaway Pulumi project file for the run: the repository's own `Pulumi.yaml` with `main`
 * pointing back at the repository (so the real `index.ts` runs) and the stack config directory in
 * the run directory. `pulumi stack init` writes the passphrase salt into the stack's config file,
 * so this keeps the checkout clean.
 */
export function writeProject(projectDir: string): void {
    const project = parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    fs.mkdirSync(path.join(projectDir, "stacks"), { recursive: true });
    project["main"] = path.relative(projectDir, PROJECT_ROOT);
    project["stackConfigDir"] = "stacks";
    fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), stringify(project));
}

export function stackConfigFile(projectDir: string): string {
    return path.join(projectDir, "stacks", `Pulumi.${STACK}.yaml`);
}

/** Where the e2e's loopback servers listen; the stack config points every provider there. */
export interface Endpoints {
    readonly postgresPort: number;
    readonly redisPort: number;
    readonly logtoUrl: string;
    readonly tenantsDir: string;
}

/**
 * The e2e stack's platform config: the `local` profile (plain-http Logto is allowed there), with
 * Postgres and Redis "external" on loopback and Logto at the fake Management API. The object store
 * stays in-cluster: MinIO's StatefulSet is only ever a kwok pod, and its provider is the stand-in.
 * Secrets are set separately with `pulumi config set --secret`.
 */
/**
 * `max_connections` of the loopback PostgreSQL, and what the stack config says of it: room for the
 * role limits of the benchmark's 20 tenants and of the staging profile (autoscalers at their
 * maximum), which the program's connection budget checks before declaring anything.
 */
export const E2E_POSTGRES_MAX_CONNECTIONS = 2000;

export function platformConfig(e: Endpoints): Record<string, unknown> {
    return {
        environment: "local",
        baseDomain: "localtest.me",
        ingress: { className: "nginx", controllerNamespace: "ingress-nginx" },
        protectState: false,
        dataServices: {
            postgres: {
                mode: "external",
                host: "127.0.0.1",
                port: e.postgresPort,
                adminUser: "postgres",
                adminPasswordKey: "postgresAdminPassword",
                sslMode: "disable",
                maxConnections: E2E_POSTGRES_MAX_CONNECTIONS,
            },
            objectStore: { mode: "in-cluster" },
            redis: {
                mode: "external",
                host: "127.0.0.1",
                port: e.redisPort,
                tls: false,
                adminUser: "default",
                adminPasswordKey: "redisAdminPassword",
            },
        },
        sso: { enabled: true, logto: { endpoint: e.logtoUrl, m2mAppId: "m2m-app", m2mAppSecretKey: "logtoM2mAppSecret" } },
    };
}

/** Reads the stack's config file, applies `change` to its config map, and writes it back. */
export function editStackConfig(projectDir: string, change: (config: Record<string, unknown>) => void): void {
    const file = stackConfigFile(projectDir);
    const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    doc.config ??= {};
    change(doc.config);
    fs.writeFileSync(file, stringify(doc));
}

/** The platform config map of the stack, as written. */
export function readPlatformConfig(projectDir: string): Record<string, unknown> {
    const doc = parse(fs.readFileSync(stackConfigFile(projectDir), "utf8")) as { config: Record<string, Record<string, unknown>> };
    return doc.config[`${PROJECT}:platform`]!;
}

/** Replaces the stack's platform config. */
export function writePlatformConfig(projectDir: string, platform: Record<string, unknown>): void {
    editStackConfig(projectDir, (config) => {
        config[`${PROJECT}:platform`] = platform;
    });
}

/** Deep-merges `patch` into the stack's platform config. */
export function patchPlatformConfig(projectDir: string, patch: Record<string, unknown>): void {
    editStackConfig(projectDir, (config) => {
        const key = `${PROJECT}:platform`;
        config[key] = merge(config[key], patch);
    });
}

function merge(base: unknown, patch: unknown): unknown {
    if (
        typeof patch !== "object" ||
        patch === null ||
        Array.isArray(patch) ||
        typeof base !== "object" ||
        base === null ||
        Array.isArray(base)
    )
        return patch;
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(patch)) out[k] = merge(out[k], v);
    return out;
}
