import { beforeAll, describe, expect, it } from "vitest";
import type { Capture } from "../../cli/mock-runtime";
import { ENCRYPTION_KEY, PUBLIC_KEY, SECRET_KEY } from "../../components/apps/langfuse/config";
import { cpuMillis, memoryBytes } from "../../components/kube/resources";
import { capture, stackCapture, STACKS } from "../support/capture";
import { containerEnv, containersOf, find, ofKind, tenantNamespaces } from "../support/resources";
import { platformConfigOf } from "../support/stacks";

const APP_WORKLOADS = {
    langfuse: ["langfuse-web", "langfuse-worker", "clickhouse"],
    mlflow: ["mlflow"],
    agenta: [
        "agenta-web",
        "agenta-api",
        "agenta-worker-streams",
        "agenta-worker-queues",
        "agenta-cron",
        "agenta-services",
        "agenta-supertokens",
        "agenta-edge",
        "agenta-redis-volatile",
        "agenta-redis-durable",
    ],
} as const;

/** The apps each example tenant enabled. */
const EXPECTED: Record<string, Array<keyof typeof APP_WORKLOADS>> = {
    acme: ["langfuse", "mlflow", "agenta"],
    globex: ["langfuse", "mlflow"],
    initech: ["langfuse", "agenta"],
};

function workloadNames(cap: Capture, ns: string): string[] {
    return [...ofKind(cap, "Deployment"), ...ofKind(cap, "StatefulSet")]
        .filter((w) => w.metadata.namespace === ns)
        .map((w) => w.metadata.name!)
        .sort();
}

describe.each(STACKS)("app plane in %s", (stack) => {
    let cap: Capture;
    beforeAll(async () => {
        cap = await stackCapture(stack);
    });

    it("declares each enabled app per tenant, and nothing of disabled apps", () => {
        const namespaces = tenantNamespaces(cap);
        expect(namespaces.length).toBeGreaterThan(0);
        for (const ns of namespaces) {
            const tenant = ns.replace(/^llm-/, "");
            const names = workloadNames(cap, ns);
            for (const app of ["langfuse", "mlflow", "agenta"] as const) {
                for (const w of APP_WORKLOADS[app]) {
                    if (EXPECTED[tenant]!.includes(app)) expect(names, `${tenant} lacks ${w}`).toContain(w);
                    else expect(names, `${tenant} has ${w} though ${app} is off`).not.toContain(w);
                }
            }
            const ingresses = ofKind(cap, "Ingress")
                .filter((i) => i.metadata.namespace === ns)
                .map((i) => i.metadata.name)
                .sort();
            expect(ingresses).toEqual([...EXPECTED[tenant]!].sort());
        }
    });

    it("gives every app an Ingress at <app>.<tenant>.<base domain>, with TLS outside local", () => {
        const base = {
            local: "localtest.me",
            dev: "dev.llmops.example.com",
            staging: "staging.llmops.example.com",
            prod: "llmops.example.com",
        }[stack];
        const tenantIngresses = ofKind(cap, "Ingress").filter((i) => tenantNamespaces(cap).includes(i.metadata.namespace!));
        expect(tenantIngresses.length).toBeGreaterThan(0);
        for (const ing of tenantIngresses) {
            const tenant = ing.metadata.namespace!.replace(/^llm-/, "");
            const rule = ing.spec.rules[0];
            expect(rule.host).toBe(`${ing.metadata.name}.${tenant}.${base}`);
            if (!platformConfigOf(stack).ingress.tlsIssuer) expect(ing.spec.tls).toBeUndefined();
            else {
                expect(ing.spec.tls).toEqual([{ hosts: [rule.host], secretName: `${ing.metadata.name}-tls` }]);
                expect(ing.metadata.annotations?.["cert-manager.io/cluster-issuer"]).toMatch(/^letsencrypt/);
            }
        }
    });
});

describe("Langfuse env contract", () => {
    it.each(["dev", "prod"])("is complete and well-formed for every tenant (%s)", async (stack) => {
        const cap = await stackCapture(stack);
        for (const ns of tenantNamespaces(cap)) {
            const web = containerEnv(cap, ns, containersOf(find(cap, "Deployment", ns, "langfuse-web"))["web"]);
            const worker = containerEnv(cap, ns, containersOf(find(cap, "Deployment", ns, "langfuse-worker"))["worker"]);
            for (const key of [
                "DATABASE_URL",
                "NEXTAUTH_URL",
                "NEXTAUTH_SECRET",
                "SALT",
                "ENCRYPTION_KEY",
                "CLICKHOUSE_URL",
                "CLICKHOUSE_USER",
                "CLICKHOUSE_PASSWORD",
                "LANGFUSE_S3_EVENT_UPLOAD_BUCKET",
            ]) {
                expect(web[key], `${ns} web lacks ${key}`).toBeTruthy();
            }
            const migrationJob = ofKind(cap, "Job").find(
                (j) => j.metadata.namespace === ns && j.metadata.name!.startsWith("langfuse-migrate-"),
            )!;
            const migration = containerEnv(cap, ns, containersOf(migrationJob)["migrate"]);
            for (const key of [
                "DATABASE_URL",
                "CLICKHOUSE_URL",
                "CLICKHOUSE_MIGRATION_URL",
                "CLICKHOUSE_USER",
                "CLICKHOUSE_PASSWORD",
                "CLICKHOUSE_DB",
            ]) {
                expect(migration[key], `${ns} migration Job lacks ${key}`).toBeTruthy();
            }
            for (const key of [
                "DATABASE_URL",
                "SALT",
                "ENCRYPTION_KEY",
                "CLICKHOUSE_URL",
                "CLICKHOUSE_USER",
                "CLICKHOUSE_PASSWORD",
                "LANGFUSE_S3_EVENT_UPLOAD_BUCKET",
                "REDIS_HOST",
                "REDIS_AUTH",
            ]) {
                expect(worker[key], `${ns} worker lacks ${key}`).toBeTruthy();
            }
            // Same secrets on both containers: the worker decrypts what web encrypted.
            for (const key of ["SALT", "ENCRYPTION_KEY", "DATABASE_URL", "CLICKHOUSE_PASSWORD"]) expect(worker[key]).toBe(web[key]);
            const db = new URL(web["DATABASE_URL"]!);
            expect(db.protocol).toBe("postgresql:");
            expect(decodeURIComponent(db.username)).toBe(`${ns.replace(/^llm-/, "").replace(/-/g, "_")}_langfuse`);
            expect(db.pathname).toBe(`/${ns.replace(/^llm-/, "").replace(/-/g, "_")}_langfuse`);
            expect(new URL(web["NEXTAUTH_URL"]!).host).toMatch(/^langfuse\./);
            const ch = new URL(web["CLICKHOUSE_URL"]!);
            expect([ch.protocol, ch.port, ch.hostname]).toEqual(["http:", "8123", `clickhouse.${ns}.svc.cluster.local`]);
            const migrate = new URL(migration["CLICKHOUSE_MIGRATION_URL"]!);
            expect([migrate.protocol, migrate.port]).toEqual(["clickhouse:", "9000"]);
            expect(migration["DATABASE_URL"]).toBe(web["DATABASE_URL"]);
            // The Job migrates; the web entrypoint must not race it.
            expect([web["LANGFUSE_AUTO_POSTGRES_MIGRATION_DISABLED"], web["LANGFUSE_AUTO_CLICKHOUSE_MIGRATION_DISABLED"]]).toEqual([
                "true",
                "true",
            ]);
            expect(web["CLICKHOUSE_CLUSTER_ENABLED"]).toBe("false");
            expect(web["HOSTNAME"]).toBe("0.0.0.0");
            expect(web["ENCRYPTION_KEY"]).toMatch(ENCRYPTION_KEY);
            expect(web["SALT"]!.length).toBeGreaterThanOrEqual(32);
            expect(web["LANGFUSE_INIT_PROJECT_PUBLIC_KEY"]).toMatch(PUBLIC_KEY);
            expect(web["LANGFUSE_INIT_PROJECT_SECRET_KEY"]).toMatch(SECRET_KEY);
            expect(web["LANGFUSE_INIT_ORG_ID"]).toBe(`${ns.replace(/^llm-/, "")}-org`);
            expect(web["LANGFUSE_DEFAULT_ORG_ID"]).toBe(web["LANGFUSE_INIT_ORG_ID"]);
            expect(web["LANGFUSE_DEFAULT_PROJECT_ID"]).toBe(web["LANGFUSE_INIT_PROJECT_ID"]);
            expect(web["LANGFUSE_DEFAULT_ORG_ROLE"]).toBe("MEMBER");
            expect(worker["NEXTAUTH_SECRET"], "the worker does not get web-only secrets").toBeUndefined();
        }
    });

    it("exports each tenant's key pair as secret stack outputs", async () => {
        const cap = await stackCapture("dev");
        const tenants = cap.outputs["tenants"] as Record<string, { langfuse?: { publicKey: string; secretKey: { "@secret": string } } }>;
        expect(Object.keys(tenants).sort()).toEqual(["acme", "globex", "initech"]);
        for (const [id, out] of Object.entries(tenants)) {
            expect(out.langfuse?.publicKey, id).toMatch(PUBLIC_KEY);
            expect(out.langfuse?.secretKey["@secret"], `${id} secret key is not a secret output`).toMatch(SECRET_KEY);
        }
    });

    it("starts web and worker only after the migration Job, which runs the web entrypoint's migrations", async () => {
        const cap = await stackCapture("dev");
        const job = cap.resources.find((r) => r.name === "acme-langfuse-migrate")!;
        for (const d of ["acme-langfuse-web", "acme-langfuse-worker"])
            expect(cap.resources.find((r) => r.name === d)!.options.dependencies).toContain(job.urn);
        const migrate = containersOf(find(cap, "Job", "llm-acme", (job.inputs as { metadata: { name: string } }).metadata.name))["migrate"];
        expect(migrate.command).toEqual(["dumb-init", "--", "./web/entrypoint.sh", "true"]);
        expect(migrate.image).toBe(containersOf(find(cap, "Deployment", "llm-acme", "langfuse-web"))["web"].image);
        const web = containersOf(find(cap, "Deployment", "llm-acme", "langfuse-web"))["web"];
        expect(web.startupProbe.httpGet.path).toBe("/api/public/health");
        expect(web.startupProbe.periodSeconds * web.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
        expect(web.readinessProbe.httpGet.path).toBe("/api/public/ready");
        expect(containersOf(find(cap, "Deployment", "llm-acme", "langfuse-worker"))["worker"].livenessProbe.httpGet).toEqual({
            path: "/api/health",
            port: "http",
        });
    });

    it("confines a shared-Redis tenant to its key prefix and gives a dedicated-Redis tenant its own server", async () => {
        const cap = await stackCapture("dev");
        const acme = containerEnv(cap, "llm-acme", containersOf(find(cap, "Deployment", "llm-acme", "langfuse-worker"))["worker"]);
        expect([acme["REDIS_HOST"], acme["REDIS_USERNAME"], acme["REDIS_KEY_PREFIX"]]).toEqual([
            "redis.llm-platform.svc.cluster.local",
            "acme-langfuse",
            "acme:langfuse:",
        ]);
        const globex = containerEnv(cap, "llm-globex", containersOf(find(cap, "Deployment", "llm-globex", "langfuse-worker"))["worker"]);
        expect([globex["REDIS_HOST"], globex["REDIS_USERNAME"], globex["REDIS_KEY_PREFIX"]]).toEqual([
            "langfuse-redis.llm-globex.svc.cluster.local",
            "langfuse",
            undefined,
        ]);
        expect(find(cap, "ConfigMap", "llm-globex", "langfuse-redis-config").data!["valkey.conf"]).toContain("maxmemory-policy noeviction");
    });

    it("lets password login only where SSO is off, creating a first user there", async () => {
        const local = await stackCapture("local");
        const web = containerEnv(local, "llm-acme", containersOf(find(local, "Deployment", "llm-acme", "langfuse-web"))["web"]);
        expect(web["LANGFUSE_INIT_USER_EMAIL"]).toBe("jane.doe@acme.example");
        expect(web["LANGFUSE_INIT_USER_PASSWORD"]!.length).toBeGreaterThanOrEqual(16);
    });
});

describe("MLflow", () => {
    it("runs the -full image, upgrades the schema first, and proxies artifacts to the tenant's bucket", async () => {
        const cap = await stackCapture("dev");
        const d = find(cap, "Deployment", "llm-acme", "mlflow");
        const { mlflow } = containersOf(d);
        expect(mlflow.image).toMatch(/^ghcr\.io\/mlflow\/mlflow:v3\.\d+\.\d+-full(@sha256:[0-9a-f]{64})?$/);
        const job = cap.resources.find((r) => r.name === "acme-mlflow-db-upgrade")!;
        expect(cap.resources.find((r) => r.name === "acme-mlflow-server")!.options.dependencies).toContain(job.urn);
        const upgrade = containersOf(find(cap, "Job", "llm-acme", (job.inputs as { metadata: { name: string } }).metadata.name))[
            "db-upgrade"
        ];
        expect(upgrade.image).toBe(mlflow.image);
        expect(upgrade.command.join(" ")).toContain('mlflow db upgrade "$MLFLOW_BACKEND_STORE_URI"');
        expect(d.spec.template.spec.initContainers).toBeUndefined();
        expect(mlflow.command).toEqual(["mlflow", "server", "--host", "0.0.0.0", "--port", "5000", "--serve-artifacts"]);
        const env = containerEnv(cap, "llm-acme", mlflow);
        expect(new URL(env["MLFLOW_BACKEND_STORE_URI"]!).pathname).toBe("/acme_mlflow");
        // psycopg2 is the driver the -full image ships (mlflow's `db` extra); SQLAlchemy 2.1 would pick psycopg 3 for a bare postgresql://.
        expect(new URL(env["MLFLOW_BACKEND_STORE_URI"]!).protocol).toBe("postgresql+psycopg2:");
        expect(env["MLFLOW_ARTIFACTS_DESTINATION"]).toBe("s3://llm-dev-acme-mlflow/artifacts");
        expect(env["MLFLOW_S3_ENDPOINT_URL"]).toBe("http://minio.llm-platform.svc.cluster.local:9000");
        expect(env["AWS_ACCESS_KEY_ID"]).toBe("acme-mlflow");
        const hosts = env["MLFLOW_SERVER_ALLOWED_HOSTS"]!.split(",");
        for (const h of [
            "mlflow.acme.dev.llmops.example.com",
            "mlflow.acme.dev.llmops.example.com:*",
            "mlflow",
            "mlflow.llm-acme.svc.cluster.local",
            "mlflow.llm-acme.svc.cluster.local:*",
        ])
            expect(hosts).toContain(h);
        for (const p of ["startupProbe", "readinessProbe", "livenessProbe"]) expect(mlflow[p].httpGet.path).toBe("/health");
        expect(mlflow.securityContext.runAsNonRoot).toBe(true);
    });
});

describe("Agenta", () => {
    it("gives the web container (writable root) only the keys it uses, no data-store credentials", async () => {
        const cap = await stackCapture("dev");
        const web = containersOf(find(cap, "Deployment", "llm-acme", "agenta-web"))["web"];
        expect(web.envFrom).toBeUndefined();
        const env = containerEnv(cap, "llm-acme", web);
        for (const key of ["AGENTA_AUTH_KEY", "AGENTA_CRYPT_KEY", "SUPERTOKENS_API_KEY"]) expect(env[key], `web lacks ${key}`).toBeTruthy();
        for (const key of ["POSTGRES_URI_CORE", "REDIS_URI_DURABLE", "AGENTA_STORE_SECRET_KEY"])
            expect(env[key], `web gets ${key}`).toBeUndefined();
        // Liveness of the workers and cron without pgrep, which the api image does not have.
        const worker = containersOf(find(cap, "Deployment", "llm-acme", "agenta-worker-streams"))["worker-streams"];
        expect(worker.livenessProbe.exec.command.slice(0, 2)).toEqual(["python", "-c"]);
        expect(worker.livenessProbe.exec.command[2]).toContain("'entrypoints.worker_streams' in pathlib.Path('/proc/1/cmdline')");
    });

    it("wires the api, workers and services to three databases and two Redis", async () => {
        const cap = await stackCapture("dev");
        const api = containerEnv(cap, "llm-acme", containersOf(find(cap, "Deployment", "llm-acme", "agenta-api"))["api"]);
        for (const key of [
            "AGENTA_LICENSE",
            "AGENTA_WEB_URL",
            "AGENTA_API_URL",
            "AGENTA_SERVICES_URL",
            "AGENTA_AUTH_KEY",
            "AGENTA_CRYPT_KEY",
            "POSTGRES_URI_CORE",
            "POSTGRES_URI_TRACING",
            "POSTGRES_URI_SUPERTOKENS",
            "REDIS_URI_VOLATILE",
            "REDIS_URI_DURABLE",
            "SUPERTOKENS_URI_CORE",
            "SUPERTOKENS_API_KEY",
        ]) {
            expect(api[key], `api lacks ${key}`).toBeTruthy();
        }
        expect(new URL(api["POSTGRES_URI_CORE"]!).protocol).toBe("postgresql+asyncpg:");
        expect(new URL(api["POSTGRES_URI_CORE"]!).pathname).toBe("/acme_agenta_core");
        expect(new URL(api["POSTGRES_URI_TRACING"]!).pathname).toBe("/acme_agenta_tracing");
        expect(new URL(api["POSTGRES_URI_SUPERTOKENS"]!).protocol).toBe("postgresql:");
        expect(new URL(api["REDIS_URI_VOLATILE"]!).host).toBe("agenta-redis-volatile.llm-acme.svc.cluster.local:6379");
        expect(new URL(api["REDIS_URI_DURABLE"]!).host).toBe("agenta-redis-durable.llm-acme.svc.cluster.local:6379");
        expect(api["AGENTA_API_URL"]).toBe("https://agenta.acme.dev.llmops.example.com/api");
        expect(api["AGENTA_ACCESS_ALLOWED_DOMAINS"]).toBe("acme.example");
        // Agenta's migration runner splits credentials naively: no ':' or '@' in a password.
        expect(decodeURIComponent(new URL(api["POSTGRES_URI_CORE"]!).password)).toMatch(/^[A-Za-z0-9]+$/);
        const st = containerEnv(cap, "llm-acme", containersOf(find(cap, "Deployment", "llm-acme", "agenta-supertokens"))["supertokens"]);
        expect(st["API_KEYS"]).toBe(api["SUPERTOKENS_API_KEY"]);
        expect(st["POSTGRESQL_CONNECTION_URI"]).toBe(api["POSTGRES_URI_SUPERTOKENS"]);
        expect(find(cap, "ConfigMap", "llm-acme", "agenta-redis-volatile-config").data!["valkey.conf"]).toMatch(
            /maxmemory-policy volatile-lru\n[\s\S]*appendonly no/,
        );
        expect(find(cap, "ConfigMap", "llm-acme", "agenta-redis-durable-config").data!["valkey.conf"]).toMatch(
            /maxmemory-policy noeviction\n[\s\S]*appendonly yes/,
        );
    });

    it("names the api's Service `api`, which the cron scripts call literally", async () => {
        const cap = await stackCapture("dev");
        expect(find(cap, "Service", "llm-acme", "api").spec.ports).toEqual([
            { name: "http", port: 8000, targetPort: "http", protocol: "TCP" },
        ]);
    });

    it("runs the migration as a hash-named Job that is retried when it failed, before the api and workers", async () => {
        const cap = await stackCapture("dev");
        const jobs = ofKind(cap, "Job").filter((j) => j.metadata.namespace === "llm-acme" && j.metadata.name!.startsWith("agenta-"));
        expect(jobs).toHaveLength(1);
        const job = jobs[0]!;
        expect(job.metadata.name).toMatch(/^agenta-migrate-[0-9a-f]{10}$/);
        expect(job.metadata.annotations?.["pulumi.com/replaceUnready"]).toBe("true");
        expect(containersOf(job as any)["migrate"]?.command ?? job.spec.template.spec.containers[0].command).toEqual([
            "sh",
            "-c",
            "python -m oss.databases.postgres.migrations.runner",
        ]);
        const jobUrn = cap.resources.find((r) => r.name === "acme-agenta-migrate")!.urn;
        for (const w of ["api", "worker-streams", "worker-queues", "cron"]) {
            expect(cap.resources.find((r) => r.name === `acme-agenta-${w}`)!.options.dependencies, w).toContain(jobUrn);
        }
        // Same image and command in another tenant: same Job name (the hash is of what runs, not who).
        expect(
            ofKind(cap, "Job").find((j) => j.metadata.namespace === "llm-initech" && j.metadata.name!.startsWith("agenta-"))!.metadata.name,
        ).toBe(job.metadata.name);
    });

    it("routes /, /api and /services through one edge, stripping only /services", async () => {
        const cap = await stackCapture("dev");
        const conf = find(cap, "ConfigMap", "llm-acme", "agenta-edge").data!["nginx.conf"];
        expect(conf).toContain("location /services/ { proxy_pass http://agenta-services.llm-acme.svc.cluster.local:8080/; }");
        expect(conf).toContain("location /api/ { proxy_pass http://api.llm-acme.svc.cluster.local:8000; }");
        expect(conf).toContain("location / { proxy_pass http://agenta-web.llm-acme.svc.cluster.local:3000; }");
        // Without SSO (local) the Ingress reaches the edge; with SSO, the gate does and forwards to the edge.
        const local = await stackCapture("local");
        expect(find(local, "Ingress", "llm-acme", "agenta").spec.rules[0].http.paths[0].backend.service).toEqual({
            name: "agenta-edge",
            port: { number: 8080 },
        });
        expect(find(cap, "Ingress", "llm-acme", "agenta").spec.rules[0].http.paths[0].backend.service).toEqual({
            name: "agenta-sso-gate",
            port: { number: 4180 },
        });
        expect(containersOf(find(cap, "Deployment", "llm-acme", "agenta-sso-gate"))["oauth2-proxy"].args).toContain(
            "--upstream=http://agenta-edge.llm-acme.svc.cluster.local:8080/",
        );
    });
});

describe("tenant quota", () => {
    it.each(["dev", "prod"])("covers every workload the tenant runs, with room for a rolling update (%s)", async (stack) => {
        const { cpuMillis, memoryBytes } = await import("../../components/kube/resources");
        const cap = await stackCapture(stack);
        for (const ns of tenantNamespaces(cap)) {
            const hard = find(cap, "ResourceQuota", ns, "tenant-quota").spec.hard;
            let cpu = 0;
            let mem = 0;
            let pods = 0;
            for (const w of [...ofKind(cap, "Deployment"), ...ofKind(cap, "StatefulSet")].filter((x) => x.metadata.namespace === ns)) {
                const replicas = w.spec.replicas ?? 1;
                pods += replicas;
                for (const c of w.spec.template.spec.containers) {
                    cpu += cpuMillis(c.resources.requests.cpu) * replicas;
                    mem += memoryBytes(c.resources.requests.memory) * replicas;
                }
            }
            expect(cpuMillis(hard["requests.cpu"])).toBeGreaterThanOrEqual(cpu * 1.25);
            expect(memoryBytes(hard["requests.memory"])).toBeGreaterThanOrEqual(mem * 1.25);
            expect(Number(hard.pods)).toBeGreaterThanOrEqual(pods * 2);
        }
    });
});

describe("each tenant's LimitRange", () => {
    /** Containers whose limits exceed their namespace's LimitRange ceiling (the API server would refuse their pods). */
    const overLimit = (cap: Capture): string[] => {
        const out: string[] = [];
        for (const ns of tenantNamespaces(cap)) {
            const max = find(cap, "LimitRange", ns, "tenant-limits").spec.limits[0].max as { cpu: string; memory: string };
            for (const w of [
                ...ofKind(cap, "Deployment"),
                ...ofKind(cap, "StatefulSet"),
                ...ofKind(cap, "Job"),
                ...ofKind(cap, "CronJob"),
            ].filter((x) => x.metadata.namespace === ns)) {
                for (const [name, c] of Object.entries(containersOf(w))) {
                    const limits = c.resources.limits as { cpu: string; memory: string };
                    if (cpuMillis(limits.cpu) > cpuMillis(max.cpu) || memoryBytes(limits.memory) > memoryBytes(max.memory))
                        out.push(`${ns}/${w.metadata.name}/${name}`);
                }
            }
        }
        return out;
    };

    it.each(STACKS)("admits every container the platform declares in %s", async (stack) => {
        const cap = await stackCapture(stack);
        expect(tenantNamespaces(cap).length).toBeGreaterThan(0);
        expect(overLimit(cap)).toEqual([]);
    });

    it("admits a ClickHouse the environment sizes above the tenant", async () => {
        const cap = await capture({ stack: "dev", platformOverrides: { dataServices: { clickhouse: { size: "standard" } } } });
        expect(ofKind(cap, "StatefulSet").some((s) => s.metadata.name === "clickhouse")).toBe(true);
        expect(overLimit(cap)).toEqual([]);
    });
});
