// Pulumi entry point: the stack's outputs are this module's exports. Everything else lives in program.ts.
import { defineStack } from "./program";

const outputs = defineStack();

export const environment = outputs.environment;
export const customers = outputs.customers;
export const clusterName = outputs.clusterName;
export const kubeconfig = outputs.kubeconfig;
export const ingressAddress = outputs.ingressAddress;
export const registryTableName = outputs.registryTableName;
export const registryTableArn = outputs.registryTableArn;
export const registryEndpoint = outputs.registryEndpoint;
export const basicAuth = outputs.basicAuth;
