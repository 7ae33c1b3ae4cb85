import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { BACKUP_POOL_CLIENT, scaledPods } from "../../data/postgres/pools";
import { type AppModule, storageOf } from "../app";
import { MLFLOW_ENGINES, MLFLOW_HTTP_LIMITS, MLFLOW_POOL, MLFLOW_PORT, mlflowWorkers } from "./config";
import { Mlflow } from "./mlflow";

/**
 * MLflow: the tracking server and prompt registry, artifacts proxied to the tenant's bucket. Behind
 * an SSO gate, SDK clients (MLFLOW_TRACKING_USERNAME/PASSWORD) pass with HTTP Basic instead of a
 * browser login.
 */
export const mlflow: AppModule<"mlflow"> = {
    name: "mlflow",
    title: "Mlflow",
    description: "Experiment tracking and prompt registry.",
    databases: ["mlflow"],
    buckets: { purposes: ["mlflowArtifacts"], neverExpire: ["mlflowArtifacts"] },
    exposure: { service: "mlflow", port: MLFLOW_PORT, limits: MLFLOW_HTTP_LIMITS, sso: "gate" },
    metrics: [{ name: "mlflow", component: "server", portName: "http", port: MLFLOW_PORT }],
    poolClients(i) {
        const pool = MLFLOW_POOL[i.size];
        const perEngine = pool.poolSize + pool.maxOverflow;
        return [
            {
                workload: "mlflow",
                processes: scaledPods(i.webReplicas, i) * (mlflowWorkers(i.size) + 1),
                perProcess: MLFLOW_ENGINES * perEngine,
                sized: true,
            },
            { workload: "mlflow-db-upgrade", processes: 1, perProcess: perEngine, sized: true },
            { workload: "mlflow-gc", processes: 1, perProcess: perEngine, sized: true },
            BACKUP_POOL_CLIENT,
        ];
    },
    declare(deps) {
        const { ctx, database, gated, parent } = deps;
        const storage = storageOf(deps, "mlflow");
        const id = ctx.tenant.id;
        const app = new Mlflow(
            `${id}-mlflow`,
            { ctx, database, storage, exposed: !gated, purgeDeletedRunsAfterDays: ctx.tenant.retention.deletedRunsPurgeDays },
            { parent },
        );
        if (!gated) return app.result;
        const sdkUser = `${id}-sdk`;
        const sdkPassword = new random.RandomPassword(`${id}-mlflow-sdk-password`, { length: 32, special: false }, { parent });
        return {
            ...app.result,
            outputs: { ...app.result.outputs, sdk: { username: sdkUser, password: pulumi.secret(sdkPassword.result) } },
            gateBasicAuthUsers: pulumi.interpolate`${sdkUser}:${sdkPassword.bcryptHash}\n`,
        };
    },
};
