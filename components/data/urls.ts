/**
 * Connection strings and access policies of tenant principals. Pure: credentials are
 * percent-encoded here, once, so that no app sees a password that breaks its URL parser.
 */

export interface PostgresUrlArgs {
    /** `postgresql`, or a driver-qualified scheme such as `postgresql+asyncpg`. @default `postgresql` */
    readonly scheme?: string;
    readonly user: string;
    readonly password: string;
    readonly host: string;
    readonly port: number;
    readonly database: string;
    /** Connection parameters (TLS, pool size), in the spelling of the client that reads the URL. @default none: no query string */
    readonly params?: Readonly<Record<string, string>>;
}

export function postgresUrl(a: PostgresUrlArgs): string {
    const scheme = a.scheme ?? "postgresql";
    const params = Object.entries(a.params ?? {});
    // Paths stay readable (`/` is allowed in a query); everything else is encoded.
    const query = params.length
        ? `?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%2F/g, "/")}`).join("&")}`
        : "";
    return `${scheme}://${encodeURIComponent(a.user)}:${encodeURIComponent(a.password)}@${a.host}:${a.port}/${encodeURIComponent(a.database)}${query}`;
}

export interface RedisUrlArgs {
    /** The ACL user. @default none: the URL carries only the password (`redis://:<password>@…`, Redis's `default` user) */
    readonly user?: string;
    readonly password: string;
    readonly host: string;
    readonly port: number;
    /** The database number, the URL's path. @default 0 */
    readonly db?: number;
    /** Connect with TLS (`rediss://`). @default false: `redis://` */
    readonly tls?: boolean;
}

export function redisUrl(a: RedisUrlArgs): string {
    const auth = `${a.user ? encodeURIComponent(a.user) : ""}:${encodeURIComponent(a.password)}@`;
    return `${a.tls ? "rediss" : "redis"}://${auth}${a.host}:${a.port}/${a.db ?? 0}`;
}

/**
 * The IAM policy of an object-store user: list and read/write inside exactly these buckets,
 * nothing else (no bucket creation, no policy changes, no other bucket).
 */
export function bucketPolicy(buckets: readonly string[]): string {
    if (buckets.length === 0) throw new Error("a bucket policy needs at least one bucket");
    const sorted = [...buckets].sort();
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                Resource: sorted.map((b) => `arn:aws:s3:::${b}`),
            },
            {
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                Resource: sorted.map((b) => `arn:aws:s3:::${b}/*`),
            },
        ],
    });
}

/** The buckets an IAM policy document grants anything on. */
export function bucketsInPolicy(policy: string): string[] {
    const doc = JSON.parse(policy) as { Statement: Array<{ Resource: string | string[] }> };
    const names = new Set<string>();
    for (const st of doc.Statement) {
        for (const r of Array.isArray(st.Resource) ? st.Resource : [st.Resource]) {
            const m = /^arn:aws:s3:::([^/]+)/.exec(r);
            names.add(m ? m[1]! : r);
        }
    }
    return [...names].sort();
}
