// Pulumi entry point. The program is async (customers are declared in batches), so it is exported as an async
// function: Pulumi awaits it and turns the returned object into the stack's outputs. Everything else: program.ts.
import { defineStack } from "./program";

export = async () => {
    const o = await defineStack();
    return {
        environment: o.environment,
        customers: o.customers,
        clusterName: o.clusterName,
        kubeconfig: o.kubeconfig,
        ingressAddress: o.ingressAddress,
        registryTableName: o.registryTableName,
        registryTableArn: o.registryTableArn,
        registryEndpoint: o.registryEndpoint,
        basicAuth: o.basicAuth,
    };
};
