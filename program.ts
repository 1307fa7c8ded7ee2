import * as path from "node:path";
import { CustomerSite } from "./components/customer-site";
import { imageReference } from "./components/k8s/manifests";
import { componentName, customerUrl } from "./components/k8s/names";
import { loadCustomers } from "./components/records/load";
import type { Customer } from "./components/records/schema";
import { kubeProvider } from "./infra/kube-provider";
import { loadStackSettings } from "./stacks/load";
import type { StackSettings } from "./stacks/settings";

export interface StackOutputs {
    /** Customer id → URL of its welcome page. */
    customers: Record<string, string>;
}

/** Where relative paths in settings (customersDir) are resolved: the project root, wherever the CLI was started. */
export const PROJECT_ROOT = __dirname;

/**
 * The whole program. Settings and customer records are parsed and validated completely before the first resource
 * is declared, so an invalid record or setting registers nothing at all.
 */
export function defineStack(): StackOutputs {
    const settings = loadStackSettings();
    const customersDir = path.resolve(PROJECT_ROOT, settings.customersDir);
    const customers = loadCustomers(customersDir, {
        allowEmpty: settings.allowEmptyCustomers,
        displayDir: path.relative(PROJECT_ROOT, customersDir) || ".",
    });
    return declareResources(settings, customers);
}

function declareResources(settings: StackSettings, customers: readonly Customer[]): StackOutputs {
    const provider = kubeProvider(settings);
    const image = imageReference(settings.image);
    const urls: Record<string, string> = {};
    for (const customer of customers) {
        new CustomerSite(
            componentName(customer.id),
            {
                customer,
                size: settings.tierSizes[customer.tier],
                image,
                baseDomain: settings.baseDomain,
                ingressClassName: settings.ingress.className,
                tls: settings.ingress.tls,
                protectNamespace: false,
            },
            { providers: { kubernetes: provider } },
        );
        urls[customer.id] = customerUrl(customer.id, settings.baseDomain, settings.ingress.tls.enabled);
    }
    return { customers: urls };
}
