import * as pulumi from "@pulumi/pulumi";
import type { Tenant } from "../tenancy/tenant";
import type { Environment, SsoSettings } from "../environment/environment";
import type { LogtoConnection } from "./logto/client";
import { LogtoApplication, LogtoOrganization } from "./logto/resources";

type EnabledSso = Extract<SsoSettings, { enabled: true }>;

export interface TenantSsoArgs {
    readonly profile: Environment;
    readonly sso: EnabledSso;
    readonly tenant: Tenant;
}

/**
 * A tenant's identity wiring in the environment's Logto: an organization (its email domains join
 * just in time; its listed admins are added explicitly) and, per app, an OIDC application whose
 * sign-in Logto allows only to members of that organization.
 */
export class TenantSso extends pulumi.ComponentResource {
    /** The identity provider's OIDC issuer. */
    readonly issuer: string;
    readonly organizationId: pulumi.Output<string>;
    readonly pendingAdmins: pulumi.Output<string[]>;
    private readonly connection: pulumi.Output<LogtoConnection>;
    private readonly args: TenantSsoArgs;

    constructor(name: string, args: TenantSsoArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:sso:TenantSso", name, {}, opts);
        this.args = args;
        this.issuer = args.sso.issuer;
        const { sso, tenant, profile: profile } = args;
        this.connection = pulumi.secret(
            pulumi.output(sso.m2mAppSecret.value).apply((appSecret): LogtoConnection => ({
                endpoint: sso.endpoint,
                resource: sso.managementResource,
                appId: sso.m2mAppId,
                appSecret,
            })),
        );
        const org = new LogtoOrganization(
            `${name}-organization`,
            {
                connection: this.connection,
                key: `${profile.stack}/${tenant.id}`,
                name: `${tenant.displayName} (${profile.stack})`,
                description: `LLMOps platform tenant ${tenant.id} in ${profile.stack}`,
                jitEmailDomains: tenant.sso.emailDomains,
                adminEmails: tenant.sso.admins,
            },
            { parent: this },
        );
        this.organizationId = org.organizationId;
        this.pendingAdmins = org.pendingAdminEmails;
        this.registerOutputs({ organizationId: this.organizationId, pendingAdmins: this.pendingAdmins });
    }

    /** An OIDC application for one of the tenant's apps, gated to the tenant's organization. */
    application(app: string, baseUrl: string, callbackPath: string): LogtoApplication {
        const { profile: profile, tenant } = this.args;
        return new LogtoApplication(
            `${tenant.id}-${app}-sso-app`,
            {
                connection: this.connection,
                key: `${profile.stack}/${tenant.id}/${app}`,
                name: `${tenant.displayName} ${app} (${profile.stack})`,
                description: `${app} of LLMOps platform tenant ${tenant.id} in ${profile.stack}`,
                redirectUris: [`${baseUrl}${callbackPath}`],
                postLogoutRedirectUris: [baseUrl],
                organizationIds: [this.organizationId],
            },
            { parent: this },
        );
    }
}
