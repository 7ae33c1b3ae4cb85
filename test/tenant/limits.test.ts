import { describe, expect, it } from "vitest";
import { cpuMillis, memoryBytes } from "../../components/kube/resources";
import { APP_WORKLOADS } from "../../components/sizing/profiles";
import { limitRangeFor } from "../../components/tenant/limits";

const SIZES = ["small", "standard", "large"] as const;

describe("limitRangeFor", () => {
    it.each(SIZES)(
        "caps a container of a %s tenant at its largest workload, so every declared container fits and none has room to spare",
        (size) => {
            const { max, default: dflt, defaultRequest } = limitRangeFor(size);
            const limits = Object.values(APP_WORKLOADS).map((t) => t[size].limits);
            expect(limits.length).toBeGreaterThan(0);
            for (const l of limits) {
                expect(cpuMillis(l.cpu)).toBeLessThanOrEqual(cpuMillis(max.cpu));
                expect(memoryBytes(l.memory)).toBeLessThanOrEqual(memoryBytes(max.memory));
            }
            expect(limits.some((l) => cpuMillis(l.cpu) === cpuMillis(max.cpu))).toBe(true);
            expect(limits.some((l) => memoryBytes(l.memory) === memoryBytes(max.memory))).toBe(true);
            // Defaults for a container that states nothing fit under the ceiling.
            expect(cpuMillis(defaultRequest.cpu)).toBeLessThanOrEqual(cpuMillis(dflt.cpu));
            expect(cpuMillis(dflt.cpu)).toBeLessThanOrEqual(cpuMillis(max.cpu));
        },
    );

    it("raises the ceiling to the ClickHouse the environment sizes above the tenant", () => {
        const big = APP_WORKLOADS.clickhouse.large.limits;
        const { max } = limitRangeFor("small", "large");
        expect(cpuMillis(max.cpu)).toBeGreaterThanOrEqual(cpuMillis(big.cpu));
        expect(memoryBytes(max.memory)).toBeGreaterThanOrEqual(memoryBytes(big.memory));
        expect(memoryBytes(limitRangeFor("small").max.memory)).toBeLessThan(memoryBytes(max.memory));
    });
});
