/**
 * Just enough Kubernetes quantity arithmetic to size quotas from per-pod requests: CPU in millicores, memory and
 * ephemeral storage in MiB. Results are written in those units so that the same inputs always give the same strings.
 */
const CPU_UNITS: Record<string, number> = { m: 1, "": 1000 };
const MEMORY_UNITS: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024 };

function split(q: string): [number, string] {
    const m = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(q);
    if (!m) throw new Error(`not a quantity: "${q}"`);
    return [Number(m[1]), m[2]];
}

export function milliCpu(q: string): number {
    const [n, unit] = split(q);
    if (!(unit in CPU_UNITS)) throw new Error(`not a CPU quantity: "${q}"`);
    return Math.round(n * CPU_UNITS[unit]);
}

export function mebibytes(q: string): number {
    const [n, unit] = split(q);
    if (!(unit in MEMORY_UNITS)) throw new Error(`not a memory quantity (use Ki, Mi or Gi): "${q}"`);
    return Math.ceil(n * MEMORY_UNITS[unit]);
}

export const cpuTimes = (q: string, n: number) => `${milliCpu(q) * n}m`;
export const memoryTimes = (q: string, n: number) => `${mebibytes(q) * n}Mi`;
/** Ephemeral storage is bytes like memory: the same binary units (Ki, Mi, Gi) and the same arithmetic. */
export const storageTimes = (q: string, n: number) => `${mebibytes(q) * n}Mi`;
