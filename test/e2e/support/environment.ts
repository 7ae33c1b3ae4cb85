import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { FakeLogto } from "../../support/fake-logto";
import { postgresBinDirs, startPostgres, startRedis, which } from "../../support/servers";
import { startCluster } from "./cluster";
import { killAll, run, stopAll } from "./processes";
import { pulumiOk, type PulumiSettings } from "./pulumi";
import {
    E2E_POSTGRES_MAX_CONNECTIONS,
    PROJECT,
    PROJECT_ROOT,
    STACK,
    editStackConfig,
    platformConfig,
    stackConfigFile,
    writeProject,
} from "./stack";
import { findToolchain } from "./toolchain";

/** Where everything of one run is: what the tests get through vitest's `inject("e2e")`. */
export interface E2eContext {
    readonly runDir: string;
    readonly logDir: string;
    readonly kubeconfig: string;
    readonly kubectl: string;
    readonly pulumi: PulumiSettings;
    readonly tenantsDir: string;
    /** Tenant files the tests add (one per file). */
    readonly addedTenantsDir: string;
    /** The tenant ids of the e2e's stack, from its tenant files. */
    readonly tenants: string[];
    readonly postgres: { readonly binDir: string; readonly env: Record<string, string> };
}

const E2E_DIR = path.resolve(__dirname, "..");

/** The file a failed test writes in the run directory. */
export function failedMarker(runDir: string): string {
    return path.join(runDir, "failed");
}

/** A running environment: its context, and how to stop it. */
export interface Environment {
    readonly context: E2eContext;
    stop(): Promise<void>;
}

/**
 * Starts everything `pulumi up` needs on loopback and creates the e2e stack with the tenant files
 * of `tenantsFrom`. `stop()` stops the servers and removes the run directory, unless E2E_KEEP=1
 * or a failed test left its marker there.
 */
export async function startEnvironment(
    opts: { tenantsFrom: string; addedTenantsDir?: string } = { tenantsFrom: path.join(E2E_DIR, "tenants") },
): Promise<Environment> {
    const toolchain = findToolchain();
    run("bash", [path.join(PROJECT_ROOT, "scripts/e2e/build-minio-standin.sh")]);
    console.log(
        "e2e: the MinIO provider is a stand-in (scripts/e2e/minio-standin): pulumi-resource-minio checks inputs and echoes them back; no MinIO server or provider runs (both are AGPL)",
    );
    if (!fs.existsSync(path.join(PROJECT_ROOT, "policies", "node_modules", "@pulumi", "policy"))) {
        console.log("e2e: installing the policy pack's dependencies (npm ci in policies/)");
        run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: path.join(PROJECT_ROOT, "policies") });
    }

    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-e2e-"));
    const logDir = path.join(runDir, "logs");
    fs.mkdirSync(logDir, { recursive: true });
    console.log(`e2e: run directory ${runDir} (logs in ${logDir})`);

    let logto: FakeLogto | undefined;
    let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
    let pg: Awaited<ReturnType<typeof startPostgres>> | undefined;
    const stop = async () => {
        process.removeListener("exit", onExit);
        process.removeListener("SIGTERM", onSignal);
        await stopAll();
        await logto?.stop();
        redis?.stop();
        pg?.stop();
        // A failed test leaves a marker, so its logs and state stay for reading.
        if (process.env["E2E_KEEP"] === "1" || fs.existsSync(failedMarker(runDir))) console.log(`e2e: kept ${runDir}`);
        else fs.rmSync(runDir, { recursive: true, force: true });
    };
    // Interrupted (Ctrl-C) or crashed, vitest may exit without running teardown: leave no server behind.
    const onExit = () => {
        killAll();
        redis?.stop();
        pg?.stop();
    };
    const onSignal = (signal: NodeJS.Signals) => process.exit(signal === "SIGINT" ? 130 : 143);
    process.once("exit", onExit);
    process.once("SIGTERM", onSignal);
    try {
        const started = Date.now();
        const cluster = await startCluster(
            {
                etcd: toolchain.path("etcd"),
                kubeApiserver: toolchain.path("kube-apiserver"),
                kubeControllerManager: toolchain.path("kube-controller-manager"),
                kubeScheduler: toolchain.path("kube-scheduler"),
                kwok: toolchain.path("kwok"),
                kubectl: toolchain.kubectl,
            },
            runDir,
        );
        cluster.kubectl([
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/kongconsumers.configuration.konghq.com",
            "crd/kongplugins.configuration.konghq.com",
        ]);
        console.log(`e2e: control plane up at ${cluster.server} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

        const pgBin = postgresBinDirs()[0];
        if (!pgBin)
            throw new Error("e2e: PostgreSQL server binaries not found under /usr/lib/postgresql: run `bash scripts/servers/install.sh`");
        pg = await startPostgres(pgBin, { maxConnections: E2E_POSTGRES_MAX_CONNECTIONS });
        const redisServer = which("redis-server");
        if (!redisServer) throw new Error("e2e: redis-server not found: run `bash scripts/servers/install.sh`");
        const redisPassword = randomBytes(16).toString("hex");
        redis = await startRedis(redisServer, `user default on >${redisPassword} ~* &* +@all\n`);

        const tenantsDir = path.join(runDir, "tenants");
        fs.mkdirSync(tenantsDir);
        const tenants: string[] = [];
        logto = await new FakeLogto().start();
        logto.addOrgRole("admin");
        for (const f of fs.readdirSync(opts.tenantsFrom).filter((f) => f.endsWith(".yaml"))) {
            const text = fs.readFileSync(path.join(opts.tenantsFrom, f), "utf8");
            fs.writeFileSync(path.join(tenantsDir, f), text);
            const tenant = parse(text) as { id: string; sso: { admins?: string[] } };
            tenants.push(tenant.id);
            for (const admin of tenant.sso.admins ?? []) logto.addUser(admin);
        }

        const projectDir = path.join(runDir, "project");
        writeProject(projectDir);
        const settings: PulumiSettings = {
            pulumi: toolchain.path("pulumi"),
            projectDir,
            stack: STACK,
            configFile: stackConfigFile(projectDir),
            logDir,
            env: {
                ...process.env,
                PATH: `${toolchain.bin}:${process.env["PATH"] ?? ""}`,
                PULUMI_HOME: path.join(runDir, "pulumi-home"),
                PULUMI_BACKEND_URL: `file://${path.join(runDir, "state")}`,
                PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString("hex"),
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
                PULUMI_SKIP_UPDATE_CHECK: "true",
                // `npm run typecheck` type-checks the program; ts-node only transpiles it here.
                PULUMI_NODEJS_TRANSPILE_ONLY: "true",
                KUBECONFIG: cluster.kubeconfig,
            },
        };
        fs.mkdirSync(path.join(runDir, "state"));
        await pulumiOk(settings, ["stack", "init", STACK, "--secrets-provider", "passphrase"], { stackScoped: false });
        editStackConfig(projectDir, (config) => {
            config[`${PROJECT}:tenantsDir`] = tenantsDir;
            config[`${PROJECT}:platform`] = platformConfig({
                postgresPort: pg!.port,
                redisPort: redis!.port,
                logtoUrl: logto!.url,
                tenantsDir,
            });
        });
        for (const [key, value] of [
            ["postgresAdminPassword", pg.adminEnv["PGPASSWORD"]!],
            ["redisAdminPassword", redisPassword],
            ["logtoM2mAppSecret", logto.m2m.secret],
        ] as const) {
            await pulumiOk(settings, ["config", "set", "--secret", key, value]);
        }

        const context: E2eContext = {
            runDir,
            logDir,
            kubeconfig: cluster.kubeconfig,
            kubectl: toolchain.kubectl,
            pulumi: settings,
            tenantsDir,
            addedTenantsDir: opts.addedTenantsDir ?? path.join(E2E_DIR, "tenants-added"),
            tenants: tenants.sort(),
            postgres: { binDir: pgBin, env: pg.adminEnv },
        };
        return { context, stop };
    } catch (e) {
        await stop();
        throw e;
    }
}
