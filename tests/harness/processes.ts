// Loopback ports and detached processes, for every real part the harness starts (control planes, the embedded
// cluster, a real node, Traefik): one place for the small helpers each of them needs.
import * as fs from "node:fs";
import * as net from "node:net";

/** Ports the OS hands out on 127.0.0.1 right now, all held at once so that none is given twice. */
export async function freePorts(n: number): Promise<number[]> {
    const servers = await Promise.all(
        Array.from({ length: n }, () =>
            new Promise<net.Server>((resolve, reject) => {
                const srv = net.createServer();
                srv.once("error", reject);
                srv.listen(0, "127.0.0.1", () => resolve(srv));
            }),
        ),
    );
    const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    return ports;
}

export async function freePort(): Promise<number> {
    return (await freePorts(1))[0];
}

/** Whether 127.0.0.1:port can be listened on now. */
export function portFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const s = net.createServer();
        s.once("error", () => resolve(false));
        s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
}

/**
 * Alive and still the program we started: its executable (argv[0]) is `binary`, or ends with `/<binary>` when a bare
 * name is given. A pid alone is not enough: after a restart of the machine it may belong to anything.
 */
export function runningAs(pid: number | undefined, binary: string): boolean {
    if (!pid) return false;
    try {
        const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0];
        return binary.includes("/") ? argv0 === binary : argv0 === binary || argv0.endsWith(`/${binary}`);
    } catch {
        return false;
    }
}
