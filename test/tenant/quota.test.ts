import { describe, expect, it } from "vitest";
import type { Footprint } from "../../components/kube/resources";
import { quotaFor } from "../../components/tenant/quota";

const MI = 1024 ** 2;
const fp = (cpuRequestMillis: number, memoryRequestMi: number, cpuLimitMillis: number, memoryLimitMi: number, pods: number): Footprint => ({
    cpuRequestMillis,
    memoryRequestBytes: memoryRequestMi * MI,
    cpuLimitMillis,
    memoryLimitBytes: memoryLimitMi * MI,
    pods,
});

describe("quotaFor", () => {
    it("rounds CPU up to a tenth of a core", () => {
        // 100 * 1.25 + 10 + 0 = 135m, up to 200m.
        expect(quotaFor(fp(100, 0, 100, 0, 1), fp(10, 0, 10, 0, 1), fp(0, 0, 0, 0, 0))["requests.cpu"]).toBe("200m");
    });

    it("leaves room for a quarter more than steady state, one surge pod and the Jobs, rounded up", () => {
        // requests.cpu: 1000 * 1.25 + 550 + 200 = 2000m = 2; limits.cpu: 2000 * 1.25 + 1000 + 500 = 4000m = 4.
        // requests.memory: 1024 * 1.25 + 512 + 256 = 2048Mi = 2Gi; limits.memory: 2048 * 1.25 + 1024 + 100 = 3684Mi, up to 3712Mi (29 * 128).
        const q = quotaFor(fp(1000, 1024, 2000, 2048, 6), fp(550, 512, 1000, 1024, 1), fp(200, 256, 500, 100, 2));
        expect(q).toEqual({
            "requests.cpu": "2",
            "requests.memory": "2Gi",
            "limits.cpu": "4",
            "limits.memory": "3712Mi",
            pods: String(6 * 2 + 2 + 4),
            "services.loadbalancers": "0",
            "services.nodeports": "0",
        });
    });

    it("never exposes a tenant through a NodePort or a LoadBalancer, whatever it runs", () => {
        const q = quotaFor(fp(0, 0, 0, 0, 0), fp(0, 0, 0, 0, 0), fp(0, 0, 0, 0, 0));
        expect([q["services.nodeports"], q["services.loadbalancers"], q.pods]).toEqual(["0", "0", "4"]);
    });
});
