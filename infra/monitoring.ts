import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    blackboxConfigMapManifest,
    prometheusRuleManifest,
    pushgatewayServiceMonitorManifest,
    traefikPodMonitorManifest,
    type MonitoringSettings,
    type ProbedCustomer,
} from "../components/model/monitoring";

export interface MonitoringArgs {
    settings: MonitoringSettings;
    /** Every customer of the stack: the blackbox exporter gets one module per customer (its company name check). */
    customers: readonly ProbedCustomer[];
}

/**
 * The environment's shared monitoring objects for the Prometheus Operator (its CRDs must be installed): the alert
 * rules, the ingress controller's PodMonitor, the Pushgateway's ServiceMonitor and the blackbox exporter's config.
 * Each customer's Probe is a child of its CustomerSite, so it comes and goes with the tenant.
 */
export class Monitoring extends pulumi.ComponentResource {
    constructor(name: string, args: MonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("sas:platform:Monitoring", name, {}, opts);
        const child = { parent: this };
        new k8s.apiextensions.CustomResource(`${name}-rules`, prometheusRuleManifest(args.settings), child);
        new k8s.apiextensions.CustomResource(`${name}-ingress-controller`, traefikPodMonitorManifest(args.settings), child);
        new k8s.apiextensions.CustomResource(`${name}-pushgateway`, pushgatewayServiceMonitorManifest(args.settings), child);
        new k8s.core.v1.ConfigMap(`${name}-blackbox-config`, blackboxConfigMapManifest(args.customers, args.settings), child);
        this.registerOutputs({});
    }
}
