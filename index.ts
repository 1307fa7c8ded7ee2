// Pulumi entry point. The program is async (customers are declared in batches), so it is exported as an async
// function: Pulumi awaits it and turns the returned object into the stack's outputs. Everything else: program.ts.
import { defineStack, STACK_OUTPUT_KEYS } from "./program";

export = async () => {
    const outputs = await defineStack();
    return Object.fromEntries(STACK_OUTPUT_KEYS.map((key) => [key, outputs[key]]));
};
