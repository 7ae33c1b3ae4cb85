import { type Size } from "../sizing/size";
import type { AppName } from "../apps/registry";
import type { Channel } from "../versions/images";
import type { LifecycleState } from "./schema";

/** Whether the tenant's workloads run (only while it is `active`). */
export function isRunning(tenant: Tenant): boolean {
    return tenant.lifecycle.state === "active";
}

/** A tenant as one stack sees it: the file's values with every default decided for that environment. */
export interface Tenant {
    readonly id: string;
    readonly displayName: string;
    /** The tenant file, for messages: `tenants/<id>.yaml`. */
    readonly source: string;
    readonly owners: readonly { readonly name: string; readonly email: string }[];
    /** The size the tenant asked for. */
    readonly requestedSize: Size;
    /** The size it gets here: its request, capped by the environment. */
    readonly size: Size;
    readonly apps: Readonly<Record<AppName, boolean>>;
    /** `active`, or on its way out: `offboarding` (scaled to zero, exported) and then `retired`. */
    readonly lifecycle: { readonly state: LifecycleState; readonly dataRetainedUntil?: string };
    /** The release channel its app versions come from. */
    readonly channel: Channel;
    readonly redis: "shared" | "dedicated";
    readonly sso: { readonly emailDomains: readonly string[]; readonly admins: readonly string[] };
    readonly retention: { readonly traceDays: number; readonly artifactDays: number; readonly deletedRunsPurgeDays: number };
    /**
     * Kong consumers whose requests are traced into the tenant's Langfuse, and the share sampled.
     * Absent: Kong does not trace the tenant's consumers.
     */
    readonly kong?: { readonly consumers: readonly string[]; readonly samplingRate: number };
}

export function enabledApps(tenant: Tenant): AppName[] {
    return (Object.keys(tenant.apps) as AppName[]).filter((app) => tenant.apps[app]);
}
