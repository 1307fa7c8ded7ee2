// Monitoring settings per stack, exactly as the program derives them from the committed Pulumi.<stack>.yaml (with
// monitoring switched on where a stack leaves it off), so the rules and probes checked here are the ones each stack
// would get.
import { monitoringSettings } from "../../program";
import { decodeConfig, parseStackSettings } from "../../stacks/load";
import type { MonitoringSettings } from "../../components/model/monitoring/settings";
import { PROJECT_ROOT } from "../../components/model/project";
import { readStackConfig, STACKS as ALL_STACKS } from "../harness/stack-config";

export const STACKS = ALL_STACKS;

export function stackMonitoringSettings(stack: (typeof STACKS)[number]): MonitoringSettings {
    const settings = parseStackSettings(stack, decodeConfig(readStackConfig(PROJECT_ROOT, stack)));
    const s = monitoringSettings({ ...settings, monitoring: { ...settings.monitoring, enabled: true } });
    if (!s) throw new Error(`${stack}: monitoring settings were not derived`);
    return s;
}
