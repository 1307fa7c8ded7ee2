// An in-process DynamoDB-compatible server (dynalite) with the registry table, for tests of the status writes.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
    CreateTableCommand,
    DynamoDBClient,
    GetItemCommand,
    QueryCommand,
    type AttributeValue,
} from "@aws-sdk/client-dynamodb";

// dynalite ships no type declarations; its factory returns a plain http.Server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (opts: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

export interface LocalRegistry {
    endpoint: string;
    tableName: string;
    client: DynamoDBClient;
    /** Every item of one customer, as plain strings/numbers. */
    items(customerId: string): Promise<Record<string, string | number>[]>;
    get(customerId: string, record: string): Promise<Record<string, string | number> | undefined>;
    stop(): Promise<void>;
}

export function plain(item: Record<string, AttributeValue>): Record<string, string | number> {
    const out: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(item)) out[k] = v.S ?? Number(v.N);
    return out;
}

export async function startLocalRegistry(tableName = "sas-registry-test"): Promise<LocalRegistry> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new DynamoDBClient({
        endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    await client.send(
        new CreateTableCommand({
            TableName: tableName,
            AttributeDefinitions: [
                { AttributeName: "customerId", AttributeType: "S" },
                { AttributeName: "record", AttributeType: "S" },
            ],
            KeySchema: [
                { AttributeName: "customerId", KeyType: "HASH" },
                { AttributeName: "record", KeyType: "RANGE" },
            ],
            ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
        }),
    );
    return {
        endpoint,
        tableName,
        client,
        async items(customerId) {
            const res = await client.send(
                new QueryCommand({
                    TableName: tableName,
                    KeyConditionExpression: "customerId = :c",
                    ExpressionAttributeValues: { ":c": { S: customerId } },
                }),
            );
            return (res.Items ?? []).map(plain);
        },
        async get(customerId, record) {
            const res = await client.send(
                new GetItemCommand({ TableName: tableName, Key: { customerId: { S: customerId }, record: { S: record } } }),
            );
            return res.Item ? plain(res.Item) : undefined;
        },
        async stop() {
            client.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
