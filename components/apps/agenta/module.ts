import { BACKUP_POOL_CLIENT, rolloutPods, scaledPods } from "../../data/postgres/pools";
import { type AppModule, storageOf } from "../app";
import { Agenta } from "./agenta";
import {
    AGENTA_API_WORKERS,
    AGENTA_EDGE_PORT,
    AGENTA_ENGINES,
    AGENTA_ENGINE_SHARE,
    AGENTA_HTTP_LIMITS,
    SUPERTOKENS_POOL_SIZE,
} from "./config";

/**
 * Agenta: web, api, workers, services and SuperTokens behind its edge router. The api
 * authenticates API-key clients itself, so `/api/` skips the SSO gate; its sign-in routes
 * (`/api/auth`) stay behind it.
 */
export const agenta: AppModule<"agenta"> = {
    name: "agenta",
    title: "Agenta",
    description: "Prompt playground and evaluations.",
    databases: ["agenta_core", "agenta_tracing", "agenta_supertokens"],
    buckets: { purposes: ["agentaFiles"], expire: (retention) => ({ agentaFiles: { days: retention.artifactDays } }) },
    exposure: {
        service: "agenta-edge",
        port: AGENTA_EDGE_PORT,
        limits: AGENTA_HTTP_LIMITS,
        sso: "gate",
        skipAuthRoutes: [{ prefix: "/api/", except: ["auth"] }],
    },
    poolClients(i) {
        const share = AGENTA_ENGINES * AGENTA_ENGINE_SHARE[i.size];
        return [
            { workload: "agenta-supertokens", processes: rolloutPods(1), perProcess: SUPERTOKENS_POOL_SIZE[i.size], sized: true },
            { workload: "agenta-api", processes: scaledPods(i.webReplicas, i) * AGENTA_API_WORKERS, perProcess: share, sized: false },
            { workload: "agenta-worker-streams", processes: rolloutPods(1), perProcess: share, sized: false },
            { workload: "agenta-worker-queues", processes: rolloutPods(1), perProcess: share, sized: false },
            { workload: "agenta-migrate", processes: 1, perProcess: share, sized: false },
            BACKUP_POOL_CLIENT,
        ];
    },
    declare(deps) {
        const { ctx, database, secrets, gated, parent } = deps;
        const storage = storageOf(deps, "agenta");
        return new Agenta(`${ctx.tenant.id}-agenta`, { ctx, database, storage, secrets, exposed: !gated }, { parent }).result;
    },
};
