import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { ROOT } from "../support/capture";
import { runCli } from "../support/cli";

/** A real git repository holding the shipped tenants and stacks, committed on `main`. */
function repo(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-"));
    for (const d of ["tenants", "stacks"]) fs.cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true });
    git(dir, "init", "--quiet", "--initial-branch=main");
    commit(dir, "tenants and stacks");
    return dir;
}

function git(dir: string, ...args: string[]): string {
    const r = spawnSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], {
        cwd: dir,
        encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
}

function commit(dir: string, message: string): void {
    git(dir, "add", "-A");
    git(dir, "commit", "--quiet", "-m", message);
}

/** `npm run check -- --base <ref>`, as CI runs it in the repository. */
function check(dir: string, base: string, ...extra: string[]) {
    return runCli("check", ["--base", base, ...extra], { cwd: dir });
}

function setLifecycle(dir: string, id: string, lifecycle: string): void {
    const file = path.join(dir, "tenants", `${id}.yaml`);
    fs.writeFileSync(file, `${fs.readFileSync(file, "utf8").replace(/\nlifecycle:[\s\S]*$/, "\n")}lifecycle:\n${lifecycle}`);
}

describe("npm run check: the pull-request check of tenant changes", () => {
    let dir: string;
    beforeEach(() => {
        dir = repo();
    });

    it("passes a change that touches no tenant's life", () => {
        fs.appendFileSync(path.join(dir, "tenants", "globex.yaml"), "channel: canary\n");
        const r = check(dir, "main");
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("check: tenant changes since main are safe (3 tenant files valid)");
    });

    it("fails when a pull request deletes an active tenant's file, naming the tenant and the way out", () => {
        git(dir, "checkout", "--quiet", "-b", "remove-acme");
        fs.rmSync(path.join(dir, "tenants", "acme.yaml"));
        commit(dir, "remove acme");
        const r = check(dir, "main", "--head", "HEAD");
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("check: 1 problem in the tenant changes since main:");
        expect(r.stderr).toContain("tenants/acme.yaml: deletes tenant `acme`, which is `active` on main");
        expect(r.stderr).toContain(
            "Fix: restore the file; to offboard acme, set `lifecycle: { state: offboarding, dataRetainedUntil: YYYY-MM-DD }`",
        );
        // The same in the working tree, before anything is committed.
        git(dir, "checkout", "--quiet", "main");
        fs.rmSync(path.join(dir, "tenants", "globex.yaml"));
        expect(check(dir, "main").stderr).toContain("tenants/globex.yaml: deletes tenant `globex`, which is `active` on main");
    });

    it("treats a rename as a deletion: a tenant id never changes", () => {
        fs.renameSync(path.join(dir, "tenants", "initech.yaml"), path.join(dir, "tenants", "initrode.yaml"));
        const r = check(dir, "main");
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("tenants/initech.yaml: deletes tenant `initech`, which is `active` on main");
        // And the loader names the id that no longer matches its file.
        expect(r.stderr).toContain("tenants/initrode.yaml: id: is `initech` but the file is named `initrode.yaml`");
    });

    it("fails an offboarding tenant's removal, and a retired tenant's while its data is kept", () => {
        setLifecycle(dir, "acme", '  state: offboarding\n  dataRetainedUntil: "2020-01-31"\n');
        commit(dir, "offboard acme");
        fs.rmSync(path.join(dir, "tenants", "acme.yaml"));
        expect(check(dir, "main").stderr).toContain("deletes tenant `acme`, which is `offboarding` on main");
        git(dir, "checkout", "--quiet", "--", "tenants");
        setLifecycle(dir, "acme", '  state: retired\n  dataRetainedUntil: "2999-12-31"\n');
        commit(dir, "retire acme");
        fs.rmSync(path.join(dir, "tenants", "acme.yaml"));
        const r = check(dir, "main");
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("deletes retired tenant `acme`, whose data is kept until 2999-12-31");
    });

    it("lets a retired tenant go once its data is no longer kept", () => {
        setLifecycle(dir, "acme", '  state: offboarding\n  dataRetainedUntil: "2020-01-31"\n');
        commit(dir, "offboard acme");
        setLifecycle(dir, "acme", '  state: retired\n  dataRetainedUntil: "2020-01-31"\n');
        commit(dir, "retire acme");
        fs.rmSync(path.join(dir, "tenants", "acme.yaml"));
        const r = check(dir, "main");
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("(2 tenant files valid)");
    });

    it("refuses retiring an active tenant without offboarding it first", () => {
        setLifecycle(dir, "globex", '  state: retired\n  dataRetainedUntil: "2030-01-01"\n');
        const r = check(dir, "main");
        expect(r.status).toBe(1);
        expect(r.stderr).toContain(
            "tenants/globex.yaml: lifecycle.state: retires tenant `globex` straight from `active`, skipping `offboarding`",
        );
    });

    it("says what is wrong with an unknown base", () => {
        const r = check(dir, "no-such-branch");
        expect(r.status).toBe(2);
        expect(r.stderr).toContain("check: unknown base `no-such-branch`: name a branch or commit of this repository");
    });
});
