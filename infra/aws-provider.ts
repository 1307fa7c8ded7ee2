import * as aws from "@pulumi/aws";
import { standardTags } from "./tags";

export type AwsProvider = aws.Provider;

export interface AwsProviderArgs {
    region: string;
    environment: string;
    /** A local DynamoDB-compatible endpoint: every call goes there and no credential or account lookup happens. */
    dynamodbEndpoint?: string;
}

/**
 * The one AWS provider. With a local DynamoDB endpoint (stack `local`) every call goes there and no credential or
 * account lookup is attempted, so `pulumi up --stack local` needs no AWS account.
 */
export function awsProvider(args: AwsProviderArgs): aws.Provider {
    const endpoint = args.dynamodbEndpoint;
    return new aws.Provider("aws", {
        region: args.region,
        defaultTags: { tags: standardTags(args.environment) },
        ...(endpoint
            ? {
                  endpoints: [{ dynamodb: endpoint }],
                  accessKey: "local",
                  secretKey: "local",
                  skipCredentialsValidation: true,
                  skipRequestingAccountId: true,
                  skipMetadataApiCheck: true,
                  skipRegionValidation: true,
              }
            : {}),
    });
}
