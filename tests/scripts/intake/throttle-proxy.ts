// A real HTTP proxy in front of dynalite that answers the first `throttle` requests the way DynamoDB does when a
// table is over its capacity (HTTP 400, ProvisionedThroughputExceededException), then forwards everything.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface ThrottleProxy {
    endpoint: string;
    /** Requests answered with a throttling error so far, and forwarded. */
    stats: { throttled: number; forwarded: number };
    setThrottle(n: number): void;
    stop(): Promise<void>;
}

export async function startThrottleProxy(target: string, throttle: number): Promise<ThrottleProxy> {
    const upstream = new URL(target);
    let remaining = throttle;
    const stats = { throttled: 0, forwarded: 0 };
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            if (remaining > 0) {
                remaining--;
                stats.throttled++;
                const body = JSON.stringify({
                    __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                    message: "The level of configured provisioned throughput for the table was exceeded.",
                });
                res.writeHead(400, { "content-type": "application/x-amz-json-1.0", "content-length": Buffer.byteLength(body) });
                res.end(body);
                return;
            }
            stats.forwarded++;
            const fwd = http.request(
                { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
                (up) => {
                    res.writeHead(up.statusCode ?? 502, up.headers);
                    up.pipe(res);
                },
            );
            fwd.on("error", () => {
                res.writeHead(502);
                res.end();
            });
            fwd.end(Buffer.concat(chunks));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    return {
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        stats,
        setThrottle: (n) => {
            remaining = n;
        },
        stop: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
