import { z } from "zod";
import { APP_MODULES, type AppName } from "../apps/registry";
import { SIZES } from "../sizing/size";
import { CHANNELS } from "../versions/images";
import { DNS_1035_LABEL, DNS_1123_LABEL, DNS_1123_SUBDOMAIN, MAX_LABEL, MAX_TENANT_ID } from "../naming/names";

/**
 * The tenant file, `tenants/<id>.yaml`: what a tenant owner writes in a pull request. Unknown
 * fields are refused. `npm run schema` exports this schema as `tenants/tenant.schema.json` for
 * editors; a test keeps the two in sync.
 */

/** One switch per app of the list, each on unless the file says `false`. */
function appSwitches(): { [K in AppName]: z.ZodOptional<z.ZodBoolean> } {
    return Object.fromEntries(
        APP_MODULES.map((app) => [
            app.name,
            z
                .boolean()
                .optional()
                .meta({ description: `${app.description} @default ${app.enabledByDefault ?? true}` }),
        ]),
    ) as {
        [K in AppName]: z.ZodOptional<z.ZodBoolean>;
    };
}

const email = z.email({ error: "must be an email address" }).meta({ examples: ["jane.doe@acme.example"] });

const emailDomain = z
    .string()
    .max(253)
    .regex(DNS_1123_SUBDOMAIN, "must be a lower-case domain name")
    .refine((d) => d.includes("."), "must be a domain with a dot, such as `acme.example`")
    .meta({ examples: ["acme.example"] });

const retentionDays = z.number().int().min(1).max(3650);

/** A calendar date, `YYYY-MM-DD`. */
const isoDate = z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date written YYYY-MM-DD")
    .refine(
        (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
        "must be a real calendar date",
    )
    .meta({ examples: ["2027-03-31"] });

export const LIFECYCLE_STATES = ["active", "offboarding", "retired"] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

export const STACK_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

export const tenantSchema = z
    .strictObject({
        id: z
            .string()
            .min(2)
            .max(MAX_TENANT_ID)
            .regex(DNS_1035_LABEL, "must be lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen")
            .meta({
                description: "The tenant's id; also its file name. Every name the platform derives starts from it, so it never changes.",
                examples: ["acme"],
            }),
        displayName: z
            .string()
            .min(1)
            .max(80)
            .meta({ examples: ["Acme Corp"] }),
        owners: z
            .array(
                z.strictObject({
                    name: z
                        .string()
                        .min(1)
                        .max(80)
                        .meta({ examples: ["Jane Doe"] }),
                    email,
                }),
            )
            .min(1)
            .meta({ description: "Who to contact about this tenant.", examples: [[{ name: "Jane Doe", email: "jane.doe@acme.example" }]] }),
        stacks: z
            .array(z.string().regex(STACK_NAME, "must be a stack name such as `dev`"))
            .min(1)
            .meta({ description: "The stacks (environments) the tenant exists in.", examples: [["dev", "staging", "prod"]] }),
        size: z
            .enum(SIZES)
            .optional()
            .meta({
                description:
                    "Resource profile: `small` for dev and trial tenants (below upstream production minimums), `standard` at upstream minimums, `large` above. An environment may cap it. @default small",
                examples: ["standard"],
            }),
        apps: z
            .strictObject(appSwitches())
            .optional()
            .meta({ description: "Which apps the tenant gets. @default every app", examples: [{ agenta: false }] }),
        channel: z
            .enum(CHANNELS)
            .optional()
            .meta({
                description:
                    "Release channel: app versions come from it (components/versions/images.ts). `canary` tenants get upgrades first. @default stable",
                examples: ["canary"],
            }),
        redis: z
            .enum(["shared", "dedicated"])
            .optional()
            .meta({
                description:
                    "`dedicated` gives the tenant its own Redis for Langfuse queues instead of a user in the shared one. @default shared",
                examples: ["dedicated"],
            }),
        sso: z
            .strictObject({
                emailDomains: z
                    .array(emailDomain)
                    .min(1)
                    .meta({
                        description: "Users signing in with these domains join the tenant's organization just in time, and must use SSO.",
                        examples: [["acme.example"]],
                    }),
                admins: z.array(email).optional().meta({
                    description:
                        "Existing users added to the organization as admins (just-in-time provisioning only adds new users). @default none",
                }),
            })
            .meta({ description: "Single sign-on through the environment's Logto." }),
        retention: z
            .strictObject({
                traceDays: retentionDays
                    .optional()
                    .meta({ description: "Days Langfuse keeps traces, observations and scores. @default per environment", examples: [90] }),
                artifactDays: retentionDays.optional().meta({
                    description:
                        "Days short-lived working files are kept (Agenta files, Langfuse batch exports). MLflow artifacts are never expired by age. @default per environment",
                    examples: [30],
                }),
                deletedRunsPurgeDays: retentionDays.optional().meta({
                    description: "Days after deletion before MLflow runs are purged for good. @default per environment",
                    examples: [30],
                }),
            })
            .optional()
            .meta({ description: "Retention, within the bounds each environment sets." }),
        lifecycle: z
            .strictObject({
                state: z.enum(LIFECYCLE_STATES).meta({
                    description:
                        "`active`; then `offboarding`: workloads scaled to zero, no ingress or gateway route, a final export of the data to the backup bucket, data kept until `dataRetainedUntil`; then `retired`: nothing runs, the data stays protected. Only a retired tenant's file may be removed.",
                }),
                dataRetainedUntil: isoDate
                    .optional()
                    .meta({ description: "Until when the tenant's data is kept (required once it leaves `active`)." }),
            })
            .optional()
            .meta({
                description: "Where the tenant is in its life. @default { state: active }",
                examples: [{ state: "offboarding", dataRetainedUntil: "2027-03-31" }],
            }),
        kong: z
            .strictObject({
                consumers: z
                    .array(
                        z
                            .string()
                            .max(MAX_LABEL)
                            .regex(
                                DNS_1123_LABEL,
                                "must be a Kong consumer username that is also a valid Kubernetes name: lower-case letters, digits and hyphens",
                            ),
                    )
                    .min(1)
                    .meta({
                        description: "Kong consumer usernames whose traffic is traced into the tenant's Langfuse.",
                        examples: [["acme-chatbot"]],
                    }),
                samplingRate: z
                    .number()
                    .min(0)
                    .max(1)
                    .optional()
                    .meta({ description: "Share of requests traced, 0 to 1. @default 1", examples: [0.25] }),
            })
            .optional()
            .meta({ description: "Gateway trace forwarding." }),
    })
    .meta({
        title: "LLMOps platform tenant",
        description: "One tenant of the LLMOps platform: tenants/<id>.yaml.",
    });

export type TenantFile = z.infer<typeof tenantSchema>;
