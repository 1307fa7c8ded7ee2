import * as aws from "@pulumi/aws";
import type { StackSettings } from "../stacks/settings";
import { standardTags } from "./tags";

/**
 * The one AWS provider. With a local DynamoDB endpoint (stack `local`) every call goes there and no credential or
 * account lookup is attempted, so `pulumi up --stack local` needs no AWS account.
 */
export function awsProvider(settings: StackSettings): aws.Provider {
    const endpoint = settings.aws.dynamodbEndpoint;
    return new aws.Provider("aws", {
        region: settings.aws.region as aws.Region,
        defaultTags: { tags: standardTags(settings.stack) },
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
