import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { REGISTRY_KEYS } from "../components/model/registry";
import { standardTags } from "./tags";

export interface RegistryArgs {
    /** The table's fixed name (registryTableName): tooling finds it from the stack name alone. */
    tableName: string;
    environment: string;
    /** DynamoDB deletion protection and Pulumi `protect` on the table and its key (prod). */
    protect: boolean;
    /** Days a scheduled KMS key deletion waits (7-30). */
    keyDeletionWindowDays: number;
    /** A local DynamoDB-compatible endpoint (DynamoDB Local, dynalite): they have no KMS, so the AWS-owned key is used. */
    localEndpoint: boolean;
}

/**
 * The customer registry: one table per stack, on-demand billing, point-in-time recovery, encrypted with a
 * customer-managed, rotating KMS key. In prod both the table and the key are protected twice: by Pulumi `protect`
 * (a destroy refuses to touch them) and by DynamoDB deletion protection (nothing outside Pulumi can delete it).
 * AWS resources come from the `aws` provider passed in `providers`.
 */
export class Registry extends pulumi.ComponentResource {
    readonly table: aws.dynamodb.Table;
    /** Undefined on a local endpoint. */
    readonly key?: aws.kms.Key;
    readonly tableName: pulumi.Output<string>;
    readonly tableArn: pulumi.Output<string>;

    constructor(name: string, args: RegistryArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("sas:platform:Registry", name, {}, opts);
        const tags = standardTags(args.environment);
        const protect = args.protect;
        if (!args.localEndpoint) {
            this.key = new aws.kms.Key(`${name}-key`, {
                description: `sas-onboarding ${args.environment} customer registry`,
                enableKeyRotation: true,
                deletionWindowInDays: args.keyDeletionWindowDays,
                tags,
            }, { parent: this, protect });
            new aws.kms.Alias(`${name}-key-alias`, { name: `alias/sas-${args.environment}-registry`, targetKeyId: this.key.keyId }, { parent: this });
        }
        this.table = new aws.dynamodb.Table(name, {
            name: args.tableName,
            billingMode: "PAY_PER_REQUEST",
            hashKey: REGISTRY_KEYS.partition,
            rangeKey: REGISTRY_KEYS.sort,
            attributes: [
                { name: REGISTRY_KEYS.partition, type: "S" },
                { name: REGISTRY_KEYS.sort, type: "S" },
            ],
            pointInTimeRecovery: { enabled: true },
            serverSideEncryption: this.key ? { enabled: true, kmsKeyArn: this.key.arn } : { enabled: true },
            deletionProtectionEnabled: protect,
            tags,
        }, { parent: this, protect });
        this.tableName = this.table.name;
        this.tableArn = this.table.arn;
        this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
    }
}
