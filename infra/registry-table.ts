import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { REGISTRY_KEYS } from "../components/model/registry";
import type { StackSettings } from "../stacks/settings";
import { standardTags } from "./tags";

export interface RegistryTable {
    table: aws.dynamodb.Table;
    /** Undefined on a local endpoint: DynamoDB Local and dynalite have no KMS. */
    key?: aws.kms.Key;
}

/**
 * The customer registry: one table per stack, on-demand billing, point-in-time recovery, encrypted with a
 * customer-managed, rotating KMS key. In prod both the table and the key are protected twice: by Pulumi `protect`
 * (a destroy refuses to touch them) and by DynamoDB deletion protection (nothing outside Pulumi can delete it).
 */
export function registryTable(settings: StackSettings, name: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): RegistryTable {
    const tags = standardTags(settings.stack);
    const protect = settings.registry.protect;
    const local = settings.aws.dynamodbEndpoint !== undefined;
    const key = local
        ? undefined
        : new aws.kms.Key("registry-key", {
              description: `sas-onboarding ${settings.stack} customer registry`,
              enableKeyRotation: true,
              deletionWindowInDays: settings.registry.keyDeletionWindowDays,
              tags,
          }, { ...opts, protect });
    if (key) new aws.kms.Alias("registry-key-alias", { name: `alias/sas-${settings.stack}-registry`, targetKeyId: key.keyId }, opts);
    const table = new aws.dynamodb.Table("registry", {
        name,
        billingMode: "PAY_PER_REQUEST",
        hashKey: REGISTRY_KEYS.partition,
        rangeKey: REGISTRY_KEYS.sort,
        attributes: [
            { name: REGISTRY_KEYS.partition, type: "S" },
            { name: REGISTRY_KEYS.sort, type: "S" },
        ],
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: key ? { enabled: true, kmsKeyArn: key.arn } : { enabled: true },
        deletionProtectionEnabled: protect,
        tags,
    }, { ...opts, protect });
    return { table, key };
}
