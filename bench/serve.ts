// Serving cost of one customer's pod: the real Debian nginx with that customer's rendered nginx.conf and page, loaded
// on loopback by autocannon at fixed request rates. Measures what a pod's requests/limits must cover.
import * as fs from "node:fs";
import { renderSiteContent } from "../components/model/site/content";
import type { Customer } from "../components/model/customer";
import { NGINX_BIN, startNginx } from "../tests/harness/realparts/nginx";

export interface ServeResult {
    targetRps: number;
    connections: number;
    achievedRps: number;
    /** autocannon's own percentiles: whole milliseconds, corrected for coordinated omission. */
    p50Ms: number;
    p99Ms: number;
    /** Percentiles of every raw response time autocannon reported (sub-millisecond). */
    rawP50Ms: number;
    rawP99Ms: number;
    requests: number;
    errors: number;
    non2xx: number;
    timeouts: number;
    workerRssKiB: number;
    workerRssMaxKiB: number;
}

interface AutocannonResult {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    errors: number;
    timeouts: number;
    non2xx: number;
}
interface AutocannonInstance {
    on(event: "response", fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, res: AutocannonResult) => void) => AutocannonInstance;

export function percentile(sorted: readonly number[], p: number): number {
    if (sorted.length === 0) return NaN;
    const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[i];
}

/** Connections for a target rate: enough that one slow response does not stall the schedule, few enough to stay cheap. */
export function connectionsFor(rps: number): number {
    return Math.max(10, Math.round(rps / 200));
}

/** Pids of nginx processes holding a socket that listens on 127.0.0.1:<port> (master and workers inherit it). */
export function nginxPidsOnPort(port: number): { master?: number; workers: number[] } {
    const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
    const inodes = new Set<string>();
    for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
        if (!fs.existsSync(table)) continue;
        for (const line of fs.readFileSync(table, "utf8").split("\n").slice(1)) {
            const cols = line.trim().split(/\s+/);
            // local_address is HEXIP:HEXPORT; st 0A is LISTEN.
            if (cols.length > 9 && cols[1].endsWith(`:${hexPort}`) && cols[3] === "0A") inodes.add(cols[9]);
        }
    }
    const holders: { pid: number; ppid: number; worker: boolean }[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const comm = fs.readFileSync(`/proc/${entry}/comm`, "utf8").trim();
            if (comm !== "nginx") continue;
            const fds = fs.readdirSync(`/proc/${entry}/fd`).map((fd) => {
                try {
                    return fs.readlinkSync(`/proc/${entry}/fd/${fd}`);
                } catch {
                    return "";
                }
            });
            if (!fds.some((l) => inodes.has(/^socket:\[(\d+)\]$/.exec(l)?.[1] ?? ""))) continue;
            const status = fs.readFileSync(`/proc/${entry}/status`, "utf8");
            const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
            const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
            holders.push({ pid: Number(entry), ppid, worker: cmdline.startsWith("nginx: worker") });
        } catch {
            // process went away while we looked
        }
    }
    return { master: holders.find((h) => !h.worker)?.pid, workers: holders.filter((h) => h.worker).map((h) => h.pid) };
}

export function vmRssKiB(pid: number): number {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
}

export async function benchServing(customer: Customer, rates: readonly number[], durationS: number): Promise<ServeResult[]> {
    if (!fs.existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} is missing; install the Debian package: apt-get install -y nginx`);
    const autocannon = require("autocannon") as Autocannon; // eslint-disable-line @typescript-eslint/no-require-imports -- no bundled types
    const content = renderSiteContent(customer);
    // Unchanged config: access_log to stdout stays on (startNginx points stdout at a file, as a container runtime would).
    const nginx = await startNginx({ nginxConf: content.nginxConf, files: { "index.html": content.indexHtml } });
    try {
        const results: ServeResult[] = [];
        for (const rate of rates) {
            const { workers } = nginxPidsOnPort(nginx.port);
            if (workers.length === 0) throw new Error(`no nginx worker found listening on 127.0.0.1:${nginx.port} (bench/serve.ts nginxPidsOnPort)`);
            const samples: number[] = [];
            let rssMax = 0;
            const poll = setInterval(() => {
                for (const w of workers) rssMax = Math.max(rssMax, vmRssKiB(w));
            }, 250);
            const connections = connectionsFor(rate);
            const res = await new Promise<AutocannonResult>((resolve, reject) => {
                const inst = autocannon({ url: `${nginx.baseUrl}/`, connections, duration: durationS, overallRate: rate, pipelining: 1 }, (err, r) =>
                    err ? reject(err) : resolve(r),
                );
                inst.on("response", (_c, _s, _b, ms) => samples.push(ms));
            });
            clearInterval(poll);
            samples.sort((a, b) => a - b);
            const rss = workers.reduce((acc, w) => acc + vmRssKiB(w), 0);
            results.push({
                targetRps: rate,
                connections,
                achievedRps: res.requests.average,
                p50Ms: res.latency.p50,
                p99Ms: res.latency.p99,
                rawP50Ms: percentile(samples, 50),
                rawP99Ms: percentile(samples, 99),
                requests: res.requests.total,
                errors: res.errors,
                non2xx: res.non2xx,
                timeouts: res.timeouts,
                workerRssKiB: rss,
                workerRssMaxKiB: Math.max(rssMax, rss),
            });
        }
        return results;
    } finally {
        await nginx.stop();
    }
}
