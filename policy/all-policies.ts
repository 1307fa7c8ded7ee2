// The full policy list, importable without constructing a PolicyPack (construction starts the analyzer gRPC
// server, so tests and tools import this file, and only index.ts builds the pack).
import type { Policies } from "@pulumi/policy";
import { dynamodbPolicies } from "./policies/dynamodb";
import { ingressPolicies } from "./policies/ingress";
import { podPolicies } from "./policies/pods";
import { rbacPolicies } from "./policies/rbac";
import { tenancyPolicies } from "./policies/tenancy";

export const policies: Policies = [
  ...podPolicies,
  ...tenancyPolicies,
  ...rbacPolicies,
  ...dynamodbPolicies,
  ...ingressPolicies,
];
