import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AppContext } from "../apps/context";
import { appLabels, publicUrl } from "../apps/context";
import { appDeployment } from "../kube/deployment";
import type { HttpLimits } from "../kube/ingress";
import { NGINX_ANNOTATIONS } from "../kube/ingress";
import { httpProbe } from "../kube/probes";
import { fromSecret } from "../kube/workload";
import type { Footprint } from "../kube/resources";
import { EXPOSED_LABEL, standardLabels } from "../naming/labels";
import { APP_WORKLOADS } from "../sizing/profiles";
import { SUPPORT_IMAGES } from "../versions/images";

export const GATE_PORT = 4180;
/** oauth2-proxy's OIDC callback, under the app's public URL (registered as the client's redirect URI). */
export const GATE_CALLBACK_PATH = "/oauth2/callback";
/**
 * The gate's Ingress must take the OIDC callback's response headers in one proxy buffer:
 * oauth2-proxy's session cookie carries the ID token (with every Logto organization of the user)
 * and splits past 4 KB into several Set-Cookie headers, more than ingress-nginx's default 4k
 * buffer holds (the browser gets 502 at sign-in).
 */
export const GATE_INGRESS_ANNOTATIONS: Record<string, string> = { [NGINX_ANNOTATIONS.bufferSize]: "16k" };

export interface SsoGateArgs {
    readonly ctx: AppContext;
    /** The app, e.g. `mlflow`; names the gate `<app>-sso-gate` and its cookie. */
    readonly app: string;
    /** Where authenticated requests go, e.g. `http://mlflow.llm-acme.svc.cluster.local:5000/`. */
    readonly upstream: string;
    readonly issuer: string;
    readonly clientId: pulumi.Input<string>;
    readonly clientSecret: pulumi.Input<string>;
    /** Only members of this Logto organization get through (the `organizations` claim). */
    readonly organizationId: pulumi.Input<string>;
    /**
     * Requests that skip the gate (oauth2-proxy `--skip-auth-route`); the app authenticates them itself.
     * @default none: every request must be authenticated
     */
    readonly skipAuthRoutes?: readonly string[];
    /** oauth2-proxy's cookie secret (32 characters). */
    readonly cookieSecret: pulumi.Input<string>;
    /**
     * htpasswd lines (`user:bcrypt`) of machine users who authenticate with HTTP Basic instead of a browser login.
     * @default none: browser sign-in only, no htpasswd file
     */
    readonly basicAuthUsers?: pulumi.Input<string>;
    /** The app's limits: the gate waits as long for the upstream as the Ingress and the app's edge. */
    readonly limits: HttpLimits;
}

/** The oauth2-proxy command line of a gate (no secrets: they come from the Secret's env). */
export function gateArgs(a: {
    issuer: string;
    upstream: string;
    redirectUrl: string;
    organizationId: string;
    app: string;
    secureCookie: boolean;
    skipAuthRoutes: readonly string[];
    htpasswd: boolean;
    upstreamTimeoutSeconds: number;
}): string[] {
    const args = [
        "--provider=oidc",
        `--oidc-issuer-url=${a.issuer}`,
        `--http-address=0.0.0.0:${GATE_PORT}`,
        `--upstream=${a.upstream}`,
        // oauth2-proxy waits 30 s for the upstream's response headers by default, less than the app is allowed.
        `--upstream-timeout=${a.upstreamTimeoutSeconds}s`,
        `--redirect-url=${a.redirectUrl}`,
        // Who may enter is decided by organization membership, not by email domain.
        "--email-domain=*",
        "--oidc-groups-claim=organizations",
        `--allowed-group=${a.organizationId}`,
        "--scope=openid email profile urn:logto:scope:organizations",
        `--cookie-name=_llmops_${a.app.replace(/-/g, "_")}`,
        `--cookie-secure=${a.secureCookie}`,
        "--cookie-samesite=lax",
        "--reverse-proxy=true",
        "--skip-provider-button=true",
        "--code-challenge-method=S256",
        "--pass-user-headers=true",
        "--skip-auth-preflight=true",
        // ID tokens Logto issued to this client (aud = its client id, with the organizations claim) pass as Bearer.
        "--skip-jwt-bearer-tokens=true",
        "--silence-ping-logging=true",
        ...a.skipAuthRoutes.map((r) => `--skip-auth-route=${r}`),
    ];
    if (a.htpasswd) args.push("--htpasswd-file=/etc/oauth2-proxy/htpasswd", `--htpasswd-user-group=${a.organizationId}`);
    return args;
}

/**
 * An SSO gate in front of an app without OIDC of its own (oauth2-proxy): browser users sign in
 * through Logto and only members of the tenant's organization get through; listed routes are
 * left to the app's own authentication (API keys), and machine users may present HTTP Basic
 * credentials from a generated htpasswd file. The app itself is then reachable only through it.
 */
export class SsoGate extends pulumi.ComponentResource {
    readonly serviceName: string;
    readonly footprint: Footprint;

    constructor(name: string, args: SsoGateArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:sso:Gate", name, {}, opts);
        const { ctx } = args;
        const gateName = `${args.app}-sso-gate`;
        const labels = appLabels(ctx, args.app, "sso-gate");
        const data: Record<string, pulumi.Input<string>> = {
            OAUTH2_PROXY_CLIENT_SECRET: args.clientSecret,
            OAUTH2_PROXY_COOKIE_SECRET: args.cookieSecret,
        };
        if (args.basicAuthUsers) data["htpasswd"] = args.basicAuthUsers;
        const secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { name: gateName, namespace: ctx.namespace.output, labels: standardLabels(labels) },
                type: "Opaque",
                stringData: data,
            },
            { parent: this },
        );
        const resources = APP_WORKLOADS["sso-gate"][ctx.tenant.size];
        const argsOut = pulumi.output(args.organizationId).apply((organizationId) =>
            gateArgs({
                issuer: args.issuer,
                upstream: args.upstream,
                redirectUrl: `${publicUrl(ctx, args.app)}${GATE_CALLBACK_PATH}`,
                organizationId,
                app: args.app,
                secureCookie: Boolean(ctx.profile.ingress.tlsIssuer),
                skipAuthRoutes: args.skipAuthRoutes ?? [],
                htpasswd: Boolean(args.basicAuthUsers),
                upstreamTimeoutSeconds: args.limits.timeoutSeconds,
            }),
        );
        const container = {
            name: "oauth2-proxy",
            image: SUPPORT_IMAGES.oauth2Proxy,
            args: argsOut,
            ports: [{ name: "http", port: GATE_PORT }],
            env: {
                OAUTH2_PROXY_CLIENT_ID: args.clientId,
                OAUTH2_PROXY_CLIENT_SECRET: fromSecret(gateName, "OAUTH2_PROXY_CLIENT_SECRET"),
                OAUTH2_PROXY_COOKIE_SECRET: fromSecret(gateName, "OAUTH2_PROXY_COOKIE_SECRET"),
            },
            resources,
            readinessProbe: httpProbe("/ready", "http", { periodSeconds: 5 }),
            livenessProbe: httpProbe("/ping", "http", { periodSeconds: 15 }),
            volumeMounts: args.basicAuthUsers ? [{ name: "htpasswd", mountPath: "/etc/oauth2-proxy", readOnly: true }] : undefined,
        };
        const deployment = appDeployment(
            `${name}-deployment`,
            {
                name: gateName,
                namespace: ctx.namespace,
                labels,
                replicas: ctx.profile.webReplicas,
                containers: [container],
                volumes: args.basicAuthUsers
                    ? [{ name: "htpasswd", secret: { secretName: gateName, items: [{ key: "htpasswd", path: "htpasswd" }] } }]
                    : undefined,
                servicePorts: [{ name: "http", port: GATE_PORT }],
                disruptionBudget: true,
                extraPodLabels: { [EXPOSED_LABEL]: "http" },
                podAnnotations: {
                    "llmops.io/config-hash": pulumi
                        .output(argsOut)
                        .apply((a) => createHash("sha256").update(a.join("\n")).digest("hex").slice(0, 16)),
                },
            },
            { parent: this, dependsOn: [secret] },
        );
        this.serviceName = gateName;
        this.footprint = deployment.footprint;
        this.registerOutputs({ serviceName: this.serviceName });
    }
}
