import { spawnSync } from "node:child_process";

/**
 * MLflow's Host header check as 3.15.2 runs it (mlflow/server/security_utils.py,
 * is_allowed_host_header): the list from MLFLOW_SERVER_ALLOWED_HOSTS split on commas and stripped;
 * `*` alone admits everything; an entry containing `*` is a Python `fnmatch` pattern, any other
 * entry must equal the header. The patterns are evaluated by Python's own fnmatch, not a model of
 * it. Returns undefined (after saying why) when python3 is missing outside CI.
 */
export function mlflowAdmits(allowedHosts: string, hosts: readonly string[]): boolean[] | undefined {
    return mlflowAdmitsEach([[allowedHosts, hosts]])?.[0];
}

/** {@link mlflowAdmits} for several lists at once, in one Python process. */
export function mlflowAdmitsEach(cases: ReadonlyArray<readonly [string, readonly string[]]>): boolean[][] | undefined {
    const script = [
        "import fnmatch, json, sys",
        "def admits(allowed, host):",
        "    allowed = [h.strip() for h in allowed.split(',')]",
        "    return bool(host) and ('*' in allowed or any(fnmatch.fnmatch(host, a) if '*' in a else host == a for a in allowed))",
        "print(json.dumps([[admits(allowed, h) for h in hosts] for allowed, hosts in json.load(sys.stdin)]))",
    ].join("\n");
    const run = spawnSync("python3", ["-c", script], { input: JSON.stringify(cases), encoding: "utf8" });
    if (run.error) {
        const message = `python3 not found (${run.error.message}): install it (apt-get install -y python3)`;
        if (process.env["CI"] === "true") throw new Error(`${message}; under CI this test must run`);
        console.warn(`skipping: ${message}`);
        return undefined;
    }
    if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
    return JSON.parse(run.stdout) as boolean[][];
}
