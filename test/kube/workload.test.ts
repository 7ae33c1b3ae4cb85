import { describe, expect, it } from "vitest";
import { fromSecret, podSpec } from "../../components/kube/workload";
import { res } from "../../components/kube/resources";
import type { Image } from "../../components/versions/images";

const image = (over: Partial<Image> = {}): Image => ({
    repository: "example/app",
    tag: "1.0",
    imageUser: "app (1000)",
    runAs: { uid: 1000, gid: 1000 },
    readOnlyRootFilesystem: true,
    writablePaths: [],
    ...over,
});
const r = res("10m", "16Mi", "100m", "64Mi");

describe("podSpec", () => {
    it("runs every container non-root with its image's numeric user, no privilege escalation, no capabilities, no service links and no token", () => {
        const spec = podSpec({
            containers: [{ name: "app", image: image(), resources: r }],
            initContainers: [{ name: "init", image: image({ runAs: { uid: 2000, gid: 2000 } }), resources: r }],
        }) as any;
        expect(spec.automountServiceAccountToken).toBe(false);
        expect(spec.enableServiceLinks).toBe(false);
        expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        const all = [...spec.initContainers, ...spec.containers];
        expect(all.map((c: any) => [c.name, c.securityContext.runAsUser])).toEqual([
            ["init", 2000],
            ["app", 1000],
        ]);
        for (const c of all)
            expect(c.securityContext).toMatchObject({
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                readOnlyRootFilesystem: true,
            });
        expect(
            podSpec({ containers: [{ name: "a", image: image(), resources: r }], serviceAccountName: "sa" }).automountServiceAccountToken,
        ).toBe(true);
    });

    it("gives each path an image writes one emptyDir, shared by the containers that write it", () => {
        const spec = podSpec({
            containers: [
                { name: "a", image: image({ writablePaths: ["/tmp", "/app/.cache"] }), resources: r },
                {
                    name: "b",
                    image: image({ writablePaths: ["/tmp"] }),
                    resources: r,
                    volumeMounts: [{ name: "data", mountPath: "/data" }],
                },
            ],
            volumes: [{ name: "data", emptyDir: {} }],
        }) as any;
        const scratch = spec.volumes.filter((v: any) => v.name !== "data");
        expect(scratch).toHaveLength(2);
        for (const v of scratch) expect(v.emptyDir).toEqual({});
        const mounts = (c: any) => Object.fromEntries(c.volumeMounts.map((m: any) => [m.mountPath, m.name]));
        const [a, b] = spec.containers;
        expect(Object.keys(mounts(a)).sort()).toEqual(["/app/.cache", "/tmp"]);
        expect(mounts(b)["/tmp"]).toBe(mounts(a)["/tmp"]);
        expect(mounts(b)["/data"]).toBe("data");
        for (const m of [...a.volumeMounts, ...b.volumeMounts])
            expect(
                spec.volumes.map((v: any) => v.name),
                m.name,
            ).toContain(m.name);
    });

    it("writes plain env values as values and Secret references as secretKeyRef, sorted by name", () => {
        const [c] = podSpec({
            containers: [
                {
                    name: "a",
                    image: image(),
                    resources: r,
                    env: { Z: "1", A: fromSecret("creds", "password"), M: "x" },
                    envFromSecrets: ["shared"],
                },
            ],
        }).containers as any[];
        expect(c.env).toEqual([
            { name: "A", valueFrom: { secretKeyRef: { name: "creds", key: "password" } } },
            { name: "M", value: "x" },
            { name: "Z", value: "1" },
        ]);
        expect(c.envFrom).toEqual([{ secretRef: { name: "shared" } }]);
    });

    it("refuses a pod without containers", () => {
        expect(() => podSpec({ containers: [] })).toThrow(/at least one container/);
    });
});
