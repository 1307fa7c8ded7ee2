import { PROJECT } from "../components/model/project";

/** Tags on every AWS resource (through the provider's defaultTags) and explicitly on the data resources. */
export function standardTags(stack: string): Record<string, string> {
    return { app: PROJECT, environment: stack, "managed-by": "pulumi" };
}
