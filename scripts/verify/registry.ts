// Status items in the customer registry table: one per customer and environment, newest check wins.
import {
    ConditionalCheckFailedException,
    DynamoDBClient,
    PutItemCommand,
    type PutItemCommandInput,
} from "@aws-sdk/client-dynamodb";

export interface StatusRecord {
    customerId: string;
    environment: string;
    result: "PASS" | "FAIL";
    commit: string;
    /** ISO-8601 UTC from Date.toISOString(): fixed width, so string order is time order. */
    checkedAt: string;
    attempts: number;
    reason: string;
}

export const statusSortKey = (environment: string): string => `STATUS#${environment}`;

/**
 * The write is conditional: it lands when there is no item yet, or the stored check is not newer than this one.
 * An equal checkedAt is allowed so a retried write of the same run is harmless (idempotent); an older run that
 * finishes late (a slow or re-run pipeline) is refused and the newer result stays.
 */
export function statusPutInput(tableName: string, r: StatusRecord): PutItemCommandInput {
    return {
        TableName: tableName,
        Item: {
            customerId: { S: r.customerId },
            record: { S: statusSortKey(r.environment) },
            environment: { S: r.environment },
            result: { S: r.result },
            commit: { S: r.commit },
            checkedAt: { S: r.checkedAt },
            attempts: { N: String(r.attempts) },
            reason: { S: r.reason },
        },
        ConditionExpression: "attribute_not_exists(customerId) OR checkedAt <= :checkedAt",
        ExpressionAttributeValues: { ":checkedAt": { S: r.checkedAt } },
    };
}

export type WriteOutcome = "written" | "kept-newer";

export async function writeStatus(client: DynamoDBClient, tableName: string, r: StatusRecord): Promise<WriteOutcome> {
    try {
        await client.send(new PutItemCommand(statusPutInput(tableName, r)));
        return "written";
    } catch (err) {
        if (err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === "ConditionalCheckFailedException") {
            return "kept-newer";
        }
        throw err;
    }
}

export interface RegistryClientOptions {
    endpoint?: string;
    region?: string;
}

/**
 * A local endpoint (DynamoDB Local, dynalite) accepts any credentials; when none are configured we pass dummies so
 * the SDK does not go looking for AWS ones. Against real AWS the normal credential chain (OIDC role in CI) applies.
 */
export function registryClient(opts: RegistryClientOptions, env: NodeJS.ProcessEnv = process.env): DynamoDBClient {
    const region = opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (opts.endpoint ? "us-east-1" : undefined);
    if (!region) {
        throw new Error("registry: no AWS region; set AWS_REGION or pass --region (the registry table's region)");
    }
    const local = opts.endpoint !== undefined && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE;
    return new DynamoDBClient({
        region,
        ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
        ...(local ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
        maxAttempts: 5,
    });
}
