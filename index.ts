// Pulumi entry point: the stack's outputs are this module's exports. Everything else lives in program.ts.
import { defineStack } from "./program";

const outputs = defineStack();

export const customers = outputs.customers;
