import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { APP_IMAGES, IMAGES, type Image, SUPPORT_IMAGES } from "../../components/versions/images";
import { ROOT, stackCapture, STACKS } from "../support/capture";
import { k8sObjects } from "../support/resources";

const ALL: Record<string, Image> = { ...IMAGES, ...APP_IMAGES, ...SUPPORT_IMAGES };

describe("images", () => {
    it("are pinned to a version tag (never latest), with a digest where one is recorded", () => {
        for (const [name, image] of Object.entries(ALL)) {
            expect(image.tag, name).not.toMatch(/latest|^main$|^master$/);
            expect(image.tag, name).toMatch(/\d/);
            if (image.digest) expect(image.digest, name).toMatch(/^sha256:[0-9a-f]{64}$/);
            expect(image.runAs.uid, `${name} runs as root`).toBeGreaterThan(0);
            if (!image.readOnlyRootFilesystem) expect(image.exception, `${name} keeps a writable root without saying why`).toBeTruthy();
        }
    });

    it("are listed in the README's uid table with the user each runs as", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const table = readme.slice(readme.indexOf("| image | runs as"));
        for (const image of Object.values(ALL)) {
            const repo = image.repository.split("/").slice(-1)[0]!;
            const row = table.split("\n").find((l) => l.startsWith(`| ${repo} ${image.tag} |`));
            expect(row, `README lacks a row for ${repo} ${image.tag}`).toBeDefined();
            expect(row).toContain(`| ${image.runAs.uid}:${image.runAs.gid} |`);
            expect(row).toContain(image.readOnlyRootFilesystem ? "| yes |" : "| no |");
        }
    });

    it.each(STACKS)("run every container of %s as a non-root numeric user, hardened for Pod Security restricted", async (stack) => {
        const cap = await stackCapture(stack);
        let containers = 0;
        for (const { object } of k8sObjects(cap)) {
            const pod = object.kind === "CronJob" ? object.spec?.jobTemplate?.spec?.template?.spec : object.spec?.template?.spec;
            if (!pod?.containers) continue;
            expect(pod.securityContext.runAsNonRoot).toBe(true);
            expect(pod.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
            for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
                containers++;
                const sc = c.securityContext;
                expect(sc.runAsNonRoot, c.name).toBe(true);
                expect(sc.runAsUser).toBeGreaterThan(0);
                expect(sc.allowPrivilegeEscalation).toBe(false);
                expect(sc.capabilities).toEqual({ drop: ["ALL"] });
                const image = Object.values(ALL).find((i) => c.image.startsWith(`${i.repository}:${i.tag}`));
                expect(image, `${c.image} is not pinned in components/versions/images.ts`).toBeDefined();
                expect(sc.runAsUser).toBe(image!.runAs.uid);
                expect(sc.readOnlyRootFilesystem).toBe(image!.readOnlyRootFilesystem);
            }
        }
        expect(containers).toBeGreaterThan(3);
    });
});
