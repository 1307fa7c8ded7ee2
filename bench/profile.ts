// Summarizes a V8 CPU profile (node --cpu-prof): self time per function and per file, so BENCHMARKS.md can say what
// dominates evaluation without anyone opening DevTools.

export interface CpuProfileNode {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
}

export interface CpuProfile {
    nodes: CpuProfileNode[];
    samples: number[];
    timeDeltas: number[];
}

export interface SelfTime {
    label: string;
    ms: number;
    share: number;
}

/** Shortens a file URL to what identifies it: the package path under node_modules, or the project-relative path. */
export function shortFile(url: string, projectRoots: readonly string[] = []): string {
    if (!url) return "(native / V8)";
    let f = url.replace(/^file:\/\//, "");
    const nm = f.lastIndexOf("/node_modules/");
    if (nm !== -1) return f.slice(nm + "/node_modules/".length);
    for (const root of projectRoots) if (f.startsWith(root + "/")) f = f.slice(root.length + 1);
    return f;
}

/** Self time (ms) per key, from the sample stream: each sample charges its delta to the node on top of the stack. */
export function selfTimes(profile: CpuProfile, key: (n: CpuProfileNode) => string): SelfTime[] {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const totals = new Map<string, number>();
    let all = 0;
    profile.samples.forEach((id, i) => {
        const us = profile.timeDeltas[i] ?? 0;
        const node = byId.get(id);
        if (!node) return;
        const k = key(node);
        totals.set(k, (totals.get(k) ?? 0) + us);
        all += us;
    });
    return [...totals.entries()]
        .map(([label, us]) => ({ label, ms: us / 1000, share: all ? us / all : 0 }))
        .sort((a, b) => b.ms - a.ms || (a.label < b.label ? -1 : 1));
}

export function topFunctions(profile: CpuProfile, n: number, roots: readonly string[] = []): SelfTime[] {
    return selfTimes(profile, (node) => {
        const f = node.callFrame;
        const name = f.functionName || "(anonymous)";
        return f.url ? `${name} (${shortFile(f.url, roots)}:${f.lineNumber + 1})` : name;
    }).slice(0, n);
}

/** Self time per file; V8's own entries ((garbage collector), (program), (idle)) stay separate. */
export function topFiles(profile: CpuProfile, n: number, roots: readonly string[] = []): SelfTime[] {
    return selfTimes(profile, (node) => (node.callFrame.url ? shortFile(node.callFrame.url, roots) : node.callFrame.functionName || "(native)")).slice(0, n);
}
