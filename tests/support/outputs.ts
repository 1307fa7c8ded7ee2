import * as pulumi from "@pulumi/pulumi";

/* eslint-disable @typescript-eslint/no-explicit-any -- Output's promise/isKnown/isSecret are SDK-internal fields */
/** An output's value (undefined when unknown, as in preview), for assertions. */
export const outputValue = (o: unknown): Promise<unknown> => (pulumi.Output.isInstance(o) ? (o as any).promise() : Promise.resolve(o));
export const outputIsKnown = (o: unknown): Promise<boolean> => (o as any).isKnown;
export const outputIsSecret = (o: unknown): Promise<boolean> => (o as any).isSecret;
