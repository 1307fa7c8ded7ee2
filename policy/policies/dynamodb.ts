// The customer registry table is the system of record for who is onboarded: it must be recoverable to any
// second (PITR), encrypted under a key we control (customer-managed KMS), and undeletable in prod.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../lib/applies";
import { resolveStack } from "../lib/stack";
import { AWS, asRecord, nonEmptyString } from "../lib/types";

export const pointInTimeRecovery: ResourceValidationPolicy = {
  name: "dynamodb-point-in-time-recovery",
  description: "DynamoDB tables must have point-in-time recovery enabled.",
  remediationSteps: "Set pointInTimeRecovery: { enabled: true } on the aws.dynamodb.Table.",
  enforcementLevel: "mandatory",
  validateResource: forTypes([AWS.dynamoTable], (args, reportViolation) => {
    if (asRecord(args.props.pointInTimeRecovery)?.enabled !== true) {
      reportViolation(`DynamoDB table ${args.name}: set pointInTimeRecovery.enabled: true`);
    }
  }),
};

export interface KmsEncryptionConfig {
  /** Overrides the stack name read from the resource URN. */
  stack?: string;
  /**
   * Stacks whose DynamoDB is a local stand-in (DynamoDB Local, dynalite) with no KMS: there encryption must be on,
   * but no customer-managed key can exist. Default none; policy/config.json names `local`.
   */
  localStacks?: string[];
}

export const kmsEncryption: ResourceValidationPolicy = {
  name: "dynamodb-kms-encryption",
  description: "DynamoDB tables must use server-side encryption with a customer-managed KMS key.",
  remediationSteps: "Set serverSideEncryption: { enabled: true, kmsKeyArn: <aws.kms.Key>.arn } on the table.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      stack: { type: "string", description: "Stack name; defaults to the stack in the resource URN." },
      localStacks: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Stacks on a local DynamoDB stand-in without KMS: only enabled: true is required.",
      },
    },
  },
  validateResource: forTypes([AWS.dynamoTable], (args, reportViolation) => {
    const sse = asRecord(args.props.serverSideEncryption);
    if (sse?.enabled !== true) {
      reportViolation(`DynamoDB table ${args.name}: set serverSideEncryption.enabled: true`);
      return;
    }
    const config = args.getConfig<KmsEncryptionConfig>();
    const localStacks = Array.isArray(config.localStacks) ? config.localStacks : [];
    if (localStacks.includes(resolveStack(args.urn, config))) return;
    const arn = sse.kmsKeyArn;
    if (!nonEmptyString(arn)) {
      reportViolation(
        `DynamoDB table ${args.name}: set serverSideEncryption.kmsKeyArn to a customer-managed KMS key ARN (without it AWS uses its own managed key)`,
      );
    } else if (!arn.startsWith("arn:")) {
      reportViolation(
        `DynamoDB table ${args.name}: serverSideEncryption.kmsKeyArn ${JSON.stringify(arn)} is not an ARN (expected arn:aws:kms:...)`,
      );
    }
  }),
};

export interface DeletionProtectionConfig {
  /** Overrides the stack name read from the resource URN. */
  stack?: string;
  /** Stacks that count as production; default ["prod"]. */
  prodStacks?: string[];
}

export const deletionProtectionInProd: ResourceValidationPolicy = {
  name: "dynamodb-deletion-protection-prod",
  description: "DynamoDB tables in production stacks must have deletion protection enabled.",
  remediationSteps: "Set deletionProtectionEnabled: true on the table in the prod stack.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      stack: { type: "string", description: "Stack name; defaults to the stack in the resource URN." },
      prodStacks: {
        type: "array",
        items: { type: "string" },
        default: ["prod"],
        description: "Stack names treated as production.",
      },
    },
  },
  validateResource: forTypes([AWS.dynamoTable], (args, reportViolation) => {
    const config = args.getConfig<DeletionProtectionConfig>();
    const stack = resolveStack(args.urn, config);
    const prodStacks = Array.isArray(config.prodStacks) ? config.prodStacks : ["prod"];
    if (!prodStacks.includes(stack)) {
      return;
    }
    if (args.props.deletionProtectionEnabled !== true) {
      reportViolation(`DynamoDB table ${args.name}: stack "${stack}" is production; set deletionProtectionEnabled: true`);
    }
  }),
};

export const dynamodbPolicies: ResourceValidationPolicy[] = [pointInTimeRecovery, kmsEncryption, deletionProtectionInProd];
