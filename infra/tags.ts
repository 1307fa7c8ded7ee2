/** Tags on every AWS resource (through the provider's defaultTags) and explicitly on the data resources. */
export function standardTags(stack: string): Record<string, string> {
    return { app: "sas-onboarding", environment: stack, "managed-by": "pulumi" };
}
