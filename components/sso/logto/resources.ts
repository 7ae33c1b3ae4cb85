import * as pulumi from "@pulumi/pulumi";
import type { LogtoConnection } from "./client";
import { applicationProvider, organizationProvider } from "./provider";

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

export interface LogtoOrganizationArgs {
    readonly connection: pulumi.Input<LogtoConnection>;
    readonly key: string;
    readonly name: string;
    readonly description: string;
    readonly jitEmailDomains: readonly string[];
    readonly adminEmails: readonly string[];
}

/** A Logto organization, managed through the Management API. */
export class LogtoOrganization extends pulumi.dynamic.Resource {
    declare readonly organizationId: pulumi.Output<string>;
    declare readonly pendingAdminEmails: pulumi.Output<string[]>;

    constructor(name: string, args: LogtoOrganizationArgs, opts: pulumi.CustomResourceOptions = {}) {
        const props: Inputs<Record<string, unknown>> = {
            kind: "logto:organization",
            ...args,
            jitEmailDomains: [...args.jitEmailDomains],
            adminEmails: [...args.adminEmails],
            organizationId: undefined,
            adminMembers: undefined,
            pendingAdminEmails: undefined,
        };
        super(organizationProvider, name, props, { ...opts, additionalSecretOutputs: ["connection"] });
    }
}

export interface LogtoApplicationArgs {
    readonly connection: pulumi.Input<LogtoConnection>;
    readonly key: string;
    readonly name: string;
    readonly description: string;
    readonly redirectUris: readonly string[];
    readonly postLogoutRedirectUris: readonly string[];
    readonly organizationIds: readonly pulumi.Input<string>[];
}

/** A Logto OIDC application (Traditional web), gated to members of the given organizations. */
export class LogtoApplication extends pulumi.dynamic.Resource {
    declare readonly applicationId: pulumi.Output<string>;
    declare readonly clientSecret: pulumi.Output<string>;

    constructor(name: string, args: LogtoApplicationArgs, opts: pulumi.CustomResourceOptions = {}) {
        const props: Inputs<Record<string, unknown>> = {
            kind: "logto:application",
            ...args,
            redirectUris: [...args.redirectUris],
            postLogoutRedirectUris: [...args.postLogoutRedirectUris],
            organizationIds: [...args.organizationIds],
            applicationId: undefined,
            clientSecret: undefined,
        };
        super(applicationProvider, name, props, { ...opts, additionalSecretOutputs: ["connection", "clientSecret"] });
    }
}
