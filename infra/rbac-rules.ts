import type * as k8s from "@pulumi/kubernetes";
import { PART_OF } from "../components/model/labels";
import { OBJECT_NAMES, TENANT_NAMESPACE_PREFIX } from "../components/model/names";
import { BLACKBOX_CONFIG_MAP } from "../components/model/monitoring";

export const TENANT_VIEWER_ROLE = "sas-tenant-viewer";
export const DEPLOYER_ROLE = "sas-ci-deployer";
/** The ValidatingAdmissionPolicy (and its binding, of the same name) that confines the CI deployer group. */
export const DEPLOYER_GUARD = "sas-ci-deployer-guard";

export interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    resourceNames?: string[];
}

const READ = ["get", "list", "watch"];
const MANAGE = [...READ, "create", "update", "patch", "delete"];

/** Read workloads, pods, logs, events and configmaps of a tenant; never secrets. Bound per tenant namespace. */
export const TENANT_VIEWER_RULES: PolicyRule[] = [
    { apiGroups: [""], resources: ["pods", "pods/log", "events", "configmaps", "services", "endpoints", "resourcequotas", "limitranges"], verbs: READ },
    { apiGroups: ["apps"], resources: ["deployments", "replicasets"], verbs: READ },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"], verbs: READ },
    // routing: gateway gives each tenant an HTTPRoute instead of an Ingress.
    { apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes"], verbs: READ },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: READ },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: READ },
    { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: READ },
];

/**
 * Exactly the kinds and verbs this program manages, for the CI deployer group, bound cluster-wide. RBAC cannot name
 * a namespace pattern, so WHERE the deployer may write is the admission policy's job (deployerGuardPolicyManifest):
 * tenant namespaces (cust-*) and the platform objects it owns, nothing else. No wildcard; no escalate, bind or
 * impersonate; no pods, service accounts, tokens, exec or webhooks.
 *
 * Secrets: `create` anywhere (the guard admits only Opaque Secrets in tenant namespaces); every verb that returns a
 * Secret's content (get, update, patch, delete) only on the basic-auth Secret by name, never list or watch. A
 * service-account token can therefore never be minted by the deployer (creating one is refused) nor read (reads are
 * by name, and writes or deletes of a non-Opaque Secret are refused, since their answers carry the data).
 *
 * It holds every tenant-viewer permission, because Kubernetes lets a subject grant (bind) only permissions it
 * holds. It may update the two ClusterRoles by name so that an unchanged re-apply succeeds; the guard refuses any
 * change to their rules (RBAC escalation checks would allow removing rights or granting the support group ones the
 * deployer holds), so the rules themselves only change through the admin who bootstraps them.
 */
export const DEPLOYER_RULES: PolicyRule[] = [
    { apiGroups: [""], resources: ["namespaces", "configmaps", "services", "resourcequotas", "limitranges"], verbs: MANAGE },
    { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
    { apiGroups: [""], resources: ["secrets"], resourceNames: [OBJECT_NAMES.basicAuthSecret], verbs: ["get", "update", "patch", "delete"] },
    { apiGroups: [""], resources: ["pods", "pods/log", "events", "endpoints"], verbs: READ },
    { apiGroups: ["apps"], resources: ["deployments"], verbs: MANAGE },
    { apiGroups: ["apps"], resources: ["replicasets"], verbs: READ },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"], verbs: MANAGE },
    { apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes"], verbs: MANAGE },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: MANAGE },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: MANAGE },
    { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: READ },
    // Each tenant's blackbox Probe (monitoring.enabled); a CRD of the Prometheus Operator.
    { apiGroups: ["monitoring.coreos.com"], resources: ["probes"], verbs: MANAGE },
    { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: MANAGE },
    { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles", "clusterrolebindings"], verbs: READ },
    {
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["clusterroles"],
        resourceNames: [TENANT_VIEWER_ROLE, DEPLOYER_ROLE],
        verbs: ["update", "patch"],
    },
    // Reading its own guard (so a refresh or a diff can show it); never changing it.
    { apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingadmissionpolicies", "validatingadmissionpolicybindings"], verbs: READ },
];

export const platformLabels = { "app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/managed-by": "pulumi" };

export function clusterRoleManifest(name: string, rules: PolicyRule[]): k8s.rbac.v1.ClusterRoleArgs {
    return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name, labels: platformLabels }, rules };
}

export function deployerBindingManifest(group: string): k8s.rbac.v1.ClusterRoleBindingArgs {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: DEPLOYER_ROLE, labels: { ...platformLabels, "sas.io/role": "ci-deployer" } },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: DEPLOYER_ROLE },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }],
    };
}

/** One object outside the tenant namespaces that the deployer applies (and so may change): API group, resource, name. */
export interface OwnedObject {
    group: string;
    resource: string;
    /** Absent for cluster-scoped objects. */
    namespace?: string;
    name: string;
}

/**
 * The platform objects of a stack that the CI deployer applies besides tenants: the ingress controller's and
 * cert-manager's Namespaces (their Helm releases are the admin's), the blackbox exporter's ConfigMap (monitoring),
 * and the two ClusterRoles (re-applied unchanged). Everything else outside cust-* is refused to the deployer.
 */
export function deployerOwnedObjects(args: { ingressNamespace?: string; certManagerNamespace?: string; monitoringNamespace?: string }): OwnedObject[] {
    const namespaces = [args.ingressNamespace, args.certManagerNamespace].filter((n): n is string => !!n);
    return [
        ...namespaces.map((name) => ({ group: "", resource: "namespaces", name })),
        ...(args.monitoringNamespace ? [{ group: "", resource: "configmaps", namespace: args.monitoringNamespace, name: BLACKBOX_CONFIG_MAP }] : []),
        ...[TENANT_VIEWER_ROLE, DEPLOYER_ROLE].map((name) => ({ group: "rbac.authorization.k8s.io", resource: "clusterroles", name })),
    ];
}

/** `group/resource/namespace/name`, the key the guard compares a request against (namespace empty when cluster-scoped). */
export function ownedObjectKey(o: OwnedObject): string {
    return `${o.group}/${o.resource}/${o.namespace ?? ""}/${o.name}`;
}

/** A CEL string literal (CEL accepts JSON's double-quoted escapes). */
const cel = (s: string) => JSON.stringify(s);
const celList = (items: readonly string[]) => `[${items.map(cel).join(", ")}]`;

/** Kinds that carry a pod template, and where it is: the guard judges their service account and token mounts. */
const POD_SPEC_OF = [
    `request.resource.group == '' && request.resource.resource == 'pods' ? object.spec`,
    `request.resource.group == 'batch' && request.resource.resource == 'cronjobs' ? object.spec.jobTemplate.spec.template.spec`,
    `(request.resource.group == 'apps' && request.resource.resource in ['deployments', 'replicasets', 'statefulsets', 'daemonsets']) ||` +
        ` (request.resource.group == 'batch' && request.resource.resource == 'jobs') ||` +
        ` (request.resource.group == '' && request.resource.resource == 'replicationcontrollers') ? object.spec.template.spec`,
];

export interface DeployerGuardArgs {
    deployerGroup: string;
    /** The only group a deployer-made RoleBinding may name (support engineers, read-only through the tenant viewer). */
    supportGroup: string;
    owned: readonly OwnedObject[];
}

/**
 * A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) for every write request of the CI deployer group:
 *
 * - only in tenant namespaces (cust-*) or on the platform objects it owns (`owned`);
 * - a tenant namespace keeps Pod Security `enforce: restricted` (else privileged pods would be one label away);
 * - Secrets only of type Opaque, also when updated or deleted (both answer with the Secret's data);
 * - workloads only as the namespace's `default` service account, with automountServiceAccountToken false and no
 *   projected service-account token;
 * - RoleBindings only of the tenant-viewer ClusterRole, only to the support group;
 * - the platform ClusterRoles only re-applied with unchanged rules; Services only ClusterIP without externalIPs.
 *
 * Requests of anyone else are not matched. The policy and its binding cannot guard themselves (admission policies
 * never apply to admissionregistration objects); the deployer's RBAC grants no write on them, so only an admin can
 * change or delete them.
 */
export function deployerGuardPolicyManifest(args: DeployerGuardArgs): k8s.admissionregistration.v1.ValidatingAdmissionPolicyArgs {
    const rbacGroup = "rbac.authorization.k8s.io";
    const is = (group: string, resource: string) =>
        `(request.resource.group == ${cel(group)} && request.resource.resource == ${cel(resource)} && variables.subResource == '')`;
    const writes = `request.operation in ['CREATE', 'UPDATE']`;
    return {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name: DEPLOYER_GUARD, labels: { ...platformLabels, "sas.io/role": "ci-deployer-guard" } },
        spec: {
            failurePolicy: "Fail",
            matchConstraints: {
                resourceRules: [{ apiGroups: ["*"], apiVersions: ["*"], operations: ["CREATE", "UPDATE", "DELETE", "CONNECT"], resources: ["*/*"] }],
                // Questions, not writes: `kubectl auth can-i` / `whoami` create these reviews and store nothing.
                excludeResourceRules: [
                    { apiGroups: ["authorization.k8s.io"], apiVersions: ["*"], operations: ["CREATE"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"] },
                    { apiGroups: ["authentication.k8s.io"], apiVersions: ["*"], operations: ["CREATE"], resources: ["selfsubjectreviews"] },
                ],
            },
            matchConditions: [{ name: "ci-deployer-group", expression: `request.userInfo.groups.exists(g, g == ${cel(args.deployerGroup)})` }],
            variables: [
                // The request's subresource, name and namespace are absent (not empty) when unset.
                { name: "subResource", expression: `has(request.subResource) ? request.subResource : ''` },
                { name: "requestName", expression: `has(request.name) ? request.name : ''` },
                { name: "requestNamespace", expression: `has(request.namespace) ? request.namespace : ''` },
                { name: "isNamespace", expression: `request.resource.group == '' && request.resource.resource == 'namespaces'` },
                {
                    name: "targetName",
                    expression:
                        `variables.requestName != '' ? variables.requestName : ` +
                        `(object != null && has(object.metadata) && has(object.metadata.name) ? object.metadata.name : '')`,
                },
                { name: "targetNamespace", expression: `variables.isNamespace ? variables.targetName : variables.requestNamespace` },
                {
                    name: "inTenant",
                    expression: `variables.targetNamespace.startsWith(${cel(TENANT_NAMESPACE_PREFIX)}) && variables.targetNamespace.size() > ${TENANT_NAMESPACE_PREFIX.length}`,
                },
                {
                    name: "owned",
                    expression:
                        `variables.subResource == '' && ${celList(args.owned.map(ownedObjectKey))}.exists(k, k == ` +
                        `request.resource.group + '/' + request.resource.resource + '/' + (variables.isNamespace ? '' : variables.requestNamespace) + '/' + variables.targetName)`,
                },
                {
                    name: "target",
                    expression:
                        `request.resource.resource + (variables.subResource != '' ? '/' + variables.subResource : '') + ' ' + ` +
                        `(variables.isNamespace || variables.requestNamespace == '' ? '' : variables.requestNamespace + '/') + variables.targetName`,
                },
                {
                    name: "podSpec",
                    expression: `request.operation == 'DELETE' || request.operation == 'CONNECT' || object == null || variables.subResource != '' ? null : ${POD_SPEC_OF.join(" : ")} : null`,
                },
                {
                    name: "secretType",
                    expression: `object != null && has(object.type) ? object.type : (oldObject != null && has(oldObject.type) ? oldObject.type : 'Opaque')`,
                },
            ],
            validations: [
                {
                    expression: `variables.inTenant || variables.owned`,
                    messageExpression:
                        `'the CI deployer may change only tenant namespaces (${TENANT_NAMESPACE_PREFIX}*) and the platform objects it owns, not ' + variables.target`,
                    reason: "Forbidden",
                },
                {
                    expression:
                        `!(variables.isNamespace && variables.subResource == '' && variables.inTenant && ${writes}) || ` +
                        `(has(object.metadata.labels) && object.metadata.labels.exists(k, k == 'pod-security.kubernetes.io/enforce') && ` +
                        `object.metadata.labels['pod-security.kubernetes.io/enforce'] == 'restricted')`,
                    messageExpression: `'a tenant namespace must keep the label pod-security.kubernetes.io/enforce=restricted: ' + variables.target`,
                    reason: "Forbidden",
                },
                {
                    expression: `!${is("", "secrets")} || variables.secretType == 'Opaque'`,
                    messageExpression: `'the CI deployer may write only Secrets of type Opaque, not ' + string(variables.secretType) + ': ' + variables.target`,
                    reason: "Forbidden",
                },
                {
                    expression:
                        `variables.podSpec == null || ` +
                        `((!has(variables.podSpec.serviceAccountName) || variables.podSpec.serviceAccountName in ['', 'default']) && ` +
                        `(!has(variables.podSpec.serviceAccount) || variables.podSpec.serviceAccount in ['', 'default']))`,
                    messageExpression: `'a workload of the CI deployer must run as the service account default: ' + variables.target`,
                    reason: "Forbidden",
                },
                {
                    expression:
                        `variables.podSpec == null || ` +
                        `(has(variables.podSpec.automountServiceAccountToken) && variables.podSpec.automountServiceAccountToken == false && ` +
                        `(!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.projected) || !has(v.projected.sources) || ` +
                        `v.projected.sources.all(s, !has(s.serviceAccountToken)))))`,
                    messageExpression:
                        `'a workload of the CI deployer must set automountServiceAccountToken: false and mount no service-account token: ' + variables.target`,
                    reason: "Forbidden",
                },
                {
                    expression:
                        `!(${is(rbacGroup, "rolebindings")} && ${writes}) || ` +
                        `(object.roleRef.kind == 'ClusterRole' && object.roleRef.name == ${cel(TENANT_VIEWER_ROLE)} && has(object.subjects) && ` +
                        `object.subjects.all(s, s.kind == 'Group' && s.name == ${cel(args.supportGroup)}))`,
                    messageExpression:
                        `'the CI deployer may bind only the ClusterRole ${TENANT_VIEWER_ROLE} to the group ${args.supportGroup}, not ' + ` +
                        `(object != null ? object.roleRef.kind + ' ' + object.roleRef.name : '') + ': ' + variables.target`,
                    reason: "Forbidden",
                },
                {
                    expression:
                        `!${is(rbacGroup, "clusterroles")} || (request.operation == 'UPDATE' && ` +
                        `(has(object.rules) ? object.rules : []) == (has(oldObject.rules) ? oldObject.rules : []) && ` +
                        `has(object.aggregationRule) == has(oldObject.aggregationRule))`,
                    messageExpression: `'the CI deployer may only re-apply platform ClusterRoles unchanged; their rules change through an admin: ' + variables.target`,
                    reason: "Forbidden",
                },
                {
                    expression:
                        `!(${is("", "services")} && ${writes}) || ` +
                        `((!has(object.spec.type) || object.spec.type == 'ClusterIP') && (!has(object.spec.externalIPs) || object.spec.externalIPs.size() == 0))`,
                    messageExpression: `'a Service of the CI deployer must be ClusterIP without externalIPs: ' + variables.target`,
                    reason: "Forbidden",
                },
            ],
        },
    };
}

export function deployerGuardBindingManifest(): k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingArgs {
    return {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name: DEPLOYER_GUARD, labels: { ...platformLabels, "sas.io/role": "ci-deployer-guard" } },
        spec: { policyName: DEPLOYER_GUARD, validationActions: ["Deny"] },
    };
}
