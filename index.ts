// Pulumi entry point. The program is async (customers are declared in batches), so it is exported as an async
// function: Pulumi awaits it and turns the returned object into the stack's outputs. Everything else: program.ts.
import { defineStack, exportedOutputs } from "./program";

export = async () => exportedOutputs(await defineStack());
