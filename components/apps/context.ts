import type * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../environment/environment";
import { type NamespaceRef, serviceHost } from "../kube/namespace";
import type { Footprint } from "../kube/resources";
import type { LabelArgs } from "../naming/labels";
import { appHost } from "../naming/names";
import type { Size } from "../sizing/size";
import type { AppImages } from "../versions/images";

/** What an app plane needs to know of its tenant (a resolved tenant file has all of it). */
export interface AppTenant {
    readonly id: string;
    readonly displayName: string;
    /** The size the tenant gets in this environment. */
    readonly size: Size;
    readonly owners: readonly { readonly name: string; readonly email: string }[];
    readonly redis: "shared" | "dedicated";
    readonly sso: { readonly emailDomains: readonly string[]; readonly admins: readonly string[] };
    readonly retention: { readonly traceDays: number; readonly artifactDays: number; readonly deletedRunsPurgeDays: number };
    readonly lifecycle: { readonly state: string; readonly dataRetainedUntil?: string };
}

/** What an app plane needs to know of its environment profile. */
export type AppProfile = Pick<
    Environment,
    | "name"
    | "baseDomain"
    | "hostPattern"
    | "ingress"
    | "webReplicas"
    | "storageClass"
    | "protectState"
    | "monitoring"
    | "network"
    | "clickhouse"
    | "platformNamespace"
>;

/** What every app of a tenant is declared with. */
export interface AppContext {
    readonly profile: AppProfile;
    readonly tenant: AppTenant;
    readonly namespace: NamespaceRef;
    /** The app images of the tenant's release channel. */
    readonly images: AppImages;
    /** False once the tenant is offboarding or retired: workloads at zero, nothing exposed or scheduled. */
    readonly running: boolean;
}

/** `n` replicas while the tenant runs, none once it is offboarding or retired. */
export function replicas(ctx: AppContext, n: number): number {
    return ctx.running ? n : 0;
}

export function appLabels(ctx: AppContext, app: string, component?: string): LabelArgs {
    return { app, component, tenant: ctx.tenant.id, environment: ctx.profile.name };
}

/** The public host of an app of this tenant. */
export function publicHost(ctx: AppContext, app: string): string {
    return appHost(ctx.profile.hostPattern, app, ctx.tenant.id, ctx.profile.baseDomain);
}

/** The public base URL of an app: https outside `local` (where no TLS issuer is set). */
export function publicUrl(ctx: AppContext, app: string): string {
    return `${ctx.profile.ingress.tlsIssuer ? "https" : "http"}://${publicHost(ctx, app)}`;
}

/** The in-cluster DNS name of a Service in the tenant's namespace. */
export function internalHost(ctx: AppContext, service: string): string {
    return serviceHost(service, ctx.namespace.name);
}

/** What an app reports back to its tenant workspace. */
export interface AppResult {
    /** Footprint of the long-running pods, for the tenant's quota. */
    readonly steady: Footprint[];
    /** Footprint of Jobs and CronJobs that may run beside them. */
    readonly jobs: Footprint[];
    /** Stack outputs of the app (secrets wrapped with pulumi.secret). */
    readonly outputs: Record<string, pulumi.Input<unknown>>;
}
