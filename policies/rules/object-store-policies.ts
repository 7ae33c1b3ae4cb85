import type { StackValidationPolicy } from "@pulumi/policy";
import { tenantOwner } from "../lib/stack";
import { plain } from "../lib/values";

export const objectStorePolicyOwnBuckets: StackValidationPolicy = {
    name: "object-store-policy-own-buckets",
    description: "Every object-store (MinIO) policy names only buckets of its own tenant, and never a wildcard.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const bucketsOf = new Map<string, Set<string>>();
        for (const b of args.resources.filter((r) => r.type === "minio:index/s3Bucket:S3Bucket")) {
            const t = tenantOwner(b) ?? "";
            bucketsOf.set(t, (bucketsOf.get(t) ?? new Set()).add(String(plain<Record<string, unknown>>(b.props)["bucket"])));
        }
        for (const p of args.resources.filter((r) => r.type === "minio:index/iamPolicy:IamPolicy")) {
            const tenant = tenantOwner(p);
            const text = plain<{ policy?: string }>(p.props).policy;
            if (text === undefined) continue;
            let statements: Array<{ Resource?: string | string[] }> = [];
            try {
                statements = (JSON.parse(text) as { Statement?: typeof statements }).Statement ?? [];
            } catch {
                report(`object-store policy ${p.name} is not valid JSON.`, p.urn);
                continue;
            }
            for (const st of statements) {
                for (const resource of Array.isArray(st.Resource) ? st.Resource : [st.Resource ?? ""]) {
                    const bucket = /^arn:aws:s3:::([^/]*)/.exec(resource)?.[1] ?? resource;
                    if (bucket.includes("*") || !tenant || !bucketsOf.get(tenant)?.has(bucket)) {
                        report(
                            `object-store policy ${p.name} of tenant ${tenant ?? "(none)"} grants ${resource}, which is not one of that tenant's buckets.`,
                            p.urn,
                        );
                    }
                }
            }
        }
    },
};
