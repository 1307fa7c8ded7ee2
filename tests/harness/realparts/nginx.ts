// Runs a rendered welcome-site nginx.conf (SITE_LAYOUT contract) as a real nginx outside a pod, as an unprivileged
// user, so tests exercise the exact config the pods get. Paths and the port are rewritten the way AGENTS.md documents.
import { freePort } from "../processes";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";

export const NGINX_BIN = "/usr/sbin/nginx";

export interface StartNginxOptions {
  /** A COMPLETE nginx.conf as rendered for the pod (daemon off; listen 8080; /etc/sas/ and /tmp/ paths). */
  nginxConf: string;
  /** Files written under the doc root (<tmp>/etc-sas/site/), keyed by relative path, e.g. "index.html". */
  files: Record<string, string>;
  /** Unprivileged user nginx runs as when we are root (the pod never runs as root either). Default "nobody". */
  user?: string;
  /**
   * Files of the pod's basic-auth Secret mount (/etc/sas-auth/, SITE_LAYOUT.authDir), keyed by name, e.g.
   * "htpasswd"; written under <tmp>/etc-sas-auth/, world-readable like the mount. Given, the config runs exactly as
   * rendered, basic auth included. Not given (callers that test the page itself: browser, screenshots, XSS corpus), a
   * config with basic auth (tenancy.basicAuth) runs with `auth_basic off` instead, as those pages were served before
   * basic auth moved into the page's nginx; basic auth itself is tested with authFiles (tests/realparts/page-basic-auth).
   */
  authFiles?: Record<string, string>;
}

export interface RunningNginx {
  port: number;
  baseUrl: string;
  /** The temporary root: /etc/sas/ is <dir>/etc-sas/, /etc/sas-auth/ is <dir>/etc-sas-auth/ (tests may change files there). */
  dir: string;
  logs(): string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;

export function rewriteNginxConf(conf: string, tmp: string, port: number): string {
  if (!conf.includes("listen 8080")) {
    throw new Error("startNginx: nginxConf has no 'listen 8080' (SITE_LAYOUT.port); cannot move it to a free port");
  }
  // One pass: the temp dir itself usually lives under /tmp/, so sequential replaces would rewrite it twice.
  const to: Record<string, string> = {
    "/etc/sas/": `${tmp}/etc-sas/`,
    "/etc/sas-auth/": `${tmp}/etc-sas-auth/`,
    "/tmp/": `${tmp}/run/`,
    "listen 8080": `listen 127.0.0.1:${port}`,
  };
  return conf.replace(/\/etc\/sas\/|\/etc\/sas-auth\/|\/tmp\/|listen 8080/g, (m) => to[m]);
}

/** The config with its basic auth turned off (see StartNginxOptions.authFiles); unchanged when it has none. */
export function withoutBasicAuth(conf: string): string {
  return conf.replace(/^(\s*)auth_basic "[^"\n]*";$/gm, "$1auth_basic off;").replace(/^\s*auth_basic_user_file [^;\n]*;\n/gm, "");
}

export async function startNginx(opts: StartNginxOptions): Promise<RunningNginx> {
  if (!fs.existsSync(NGINX_BIN)) {
    throw new Error(`startNginx: ${NGINX_BIN} is missing; install the Debian package: apt-get install -y nginx`);
  }
  const user = opts.user ?? "nobody";
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const ids = asRoot ? lookupIds(user) : undefined;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sas-nginx-"));
  let child: ChildProcess | undefined;
  try {
    // mkdtemp gives 0700; the unprivileged nginx must traverse it and read the config and pages.
    fs.chmodSync(tmp, 0o755);
    const etc = path.join(tmp, "etc-sas");
    const site = path.join(etc, "site");
    const run = path.join(tmp, "run");
    fs.mkdirSync(site, { recursive: true, mode: 0o755 });
    fs.mkdirSync(run, { mode: 0o755 });
    for (const [rel, content] of Object.entries(opts.files)) {
      const target = path.resolve(site, rel);
      if (!target.startsWith(site + path.sep)) {
        throw new Error(`startNginx: files key "${rel}" escapes the doc root; use a relative path like "index.html"`);
      }
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
      fs.writeFileSync(target, content, { mode: 0o644 });
    }
    if (opts.authFiles) {
      const auth = path.join(tmp, "etc-sas-auth");
      fs.mkdirSync(auth, { mode: 0o755 });
      for (const [name, content] of Object.entries(opts.authFiles)) {
        if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`startNginx: authFiles key "${name}" must be a plain file name like "htpasswd"`);
        fs.writeFileSync(path.join(auth, name), content, { mode: 0o444 });
      }
    }
    // nginx reopens /dev/stdout and /dev/stderr by path; a socket (Node's stdio "pipe") cannot be reopened and a
    // root-owned fd cannot be reopened by nobody, so its stdio is a log file owned by the nginx user.
    const logFile = path.join(run, "nginx-output.log");
    fs.writeFileSync(logFile, "", { mode: 0o644 });
    if (ids) {
      fs.chownSync(run, ids.uid, ids.gid);
      fs.chownSync(logFile, ids.uid, ids.gid);
    }
    const readLogs = (): string => {
      try {
        return fs.readFileSync(logFile, "utf8");
      } catch {
        return "";
      }
    };

    const port = await freePort();
    const confPath = path.join(etc, "nginx.conf");
    const conf = opts.authFiles ? opts.nginxConf : withoutBasicAuth(opts.nginxConf);
    fs.writeFileSync(confPath, rewriteNginxConf(conf, tmp, port), { mode: 0o644 });

    // -e stderr: otherwise nginx first tries the compiled-in /var/log/nginx/error.log, which nobody cannot open.
    const nginxArgs = ["-e", "stderr", "-p", run + "/", "-c", confPath];
    const [cmd, args] = ids
      ? ["setpriv", [`--reuid=${ids.uid}`, `--regid=${ids.gid}`, "--clear-groups", NGINX_BIN, ...nginxArgs]]
      : [NGINX_BIN, nginxArgs];
    const out = fs.openSync(logFile, "a");
    try {
      // detached: own process group, so stop() can also reach the workers if the master hangs.
      child = spawn(cmd, args, { stdio: ["ignore", out, out], detached: true });
    } finally {
      fs.closeSync(out);
    }
    const proc = child;
    let exited: string | undefined;
    const exitPromise = new Promise<void>((resolve) => {
      proc.once("exit", (code, signal) => {
        exited = `exit code ${code} signal ${signal}`;
        resolve();
      });
      proc.once("error", (err) => {
        exited = `spawn error ${err.message}`;
        resolve();
      });
    });

    await waitHealthy(port, () => exited, readLogs);

    let stopped = false;
    return {
      port,
      baseUrl: `http://127.0.0.1:${port}`,
      dir: tmp,
      logs: readLogs,
      async stop() {
        if (stopped) return;
        stopped = true;
        if (exited === undefined) {
          killGroup(proc, "SIGTERM");
          const timer = setTimeout(() => killGroup(proc, "SIGKILL"), STOP_GRACE_MS);
          await exitPromise;
          clearTimeout(timer);
        }
        // Workers may outlive a master that died hard; the group kill reaches them.
        killGroup(proc, "SIGKILL");
        fs.rmSync(tmp, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (child && child.exitCode === null) killGroup(child, "SIGKILL");
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

function lookupIds(user: string): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    throw new Error(`startNginx: user "${user}" does not exist on this machine (opts.user); use an existing unprivileged user`);
  }
}

function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // already gone
  }
}


function probe(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/healthz", timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });
}

async function waitHealthy(port: number, exited: () => string | undefined, logs: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = 0;
  while (Date.now() < deadline) {
    const why = exited();
    if (why !== undefined) {
      throw new Error(`startNginx: nginx stopped before serving /healthz (${why}); nginx output:\n${logs()}`);
    }
    last = await probe(port);
    if (last === 200) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `startNginx: http://127.0.0.1:${port}/healthz did not answer 200 within ${START_TIMEOUT_MS} ms ` +
      `(last status ${last || "no connection"}); nginx output:\n${logs()}`,
  );
}
