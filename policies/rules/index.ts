import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { capabilitiesDropped } from "./capabilities-dropped";
import { imagesPinned } from "./images-pinned";
import { ingressTlsOutsideLocal } from "./ingress-tls-outside-local";
import { kongPluginWithoutCredentials } from "./kong-plugin-without-credentials";
import { namespacePodSecurity } from "./namespace-pod-security";
import { noHostNamespaces } from "./no-host-namespaces";
import { noLiteralSecretEnv } from "./no-literal-secret-env";
import { noNodeExposureOutsideLocal } from "./no-node-exposure-outside-local";
import { noPrivilegeEscalation } from "./no-privilege-escalation";
import { noSecretsInConfigMaps } from "./no-secrets-in-configmaps";
import { objectStorePolicyOwnBuckets } from "./object-store-policies";
import { postgresConnectRevoked } from "./postgres-connect-revoked";
import { postgresRoleLeastPrivilege } from "./postgres-role-least-privilege";
import { podsPriorityClass } from "./pods-priority-class";
import { prodReplicasAndDisruptionBudgets } from "./prod-replicas-and-disruption-budgets";
import { prodReplicatedWorkloadsSpread } from "./prod-replicated-workloads-spread";
import { readOnlyRootFilesystem } from "./read-only-root-filesystem";
import { resourcesRequestsAndLimits } from "./resources-requests-and-limits";
import { retentionWithinBounds } from "./retention-within-bounds";
import { runAsNonRoot } from "./run-as-non-root";
import { seccompRuntimeDefault } from "./seccomp-runtime-default";
import { standardLabelsRule } from "./standard-labels";
import { stateProtected } from "./state-protected";
import { tenantNamespaceDefaultDeny, tenantNamespaceQuota } from "./tenant-namespace-isolation";
import { workloadProbes } from "./workload-probes";

/** Every rule of the pack, in the order the report lists them. */
export const rules: Array<ResourceValidationPolicy | StackValidationPolicy> = [
    imagesPinned,
    runAsNonRoot,
    noPrivilegeEscalation,
    capabilitiesDropped,
    readOnlyRootFilesystem,
    seccompRuntimeDefault,
    noHostNamespaces,
    resourcesRequestsAndLimits,
    workloadProbes,
    namespacePodSecurity,
    tenantNamespaceDefaultDeny,
    tenantNamespaceQuota,
    noNodeExposureOutsideLocal,
    ingressTlsOutsideLocal,
    noSecretsInConfigMaps,
    noLiteralSecretEnv,
    stateProtected,
    prodReplicasAndDisruptionBudgets,
    prodReplicatedWorkloadsSpread,
    podsPriorityClass,
    retentionWithinBounds,
    objectStorePolicyOwnBuckets,
    postgresRoleLeastPrivilege,
    postgresConnectRevoked,
    kongPluginWithoutCredentials,
    standardLabelsRule,
];
