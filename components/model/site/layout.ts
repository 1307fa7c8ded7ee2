/**
 * Where things live inside a welcome-page pod. One definition shared by the nginx config, the Deployment's mounts and
 * the tests that run the rendered config in a real nginx (which map these paths to temporary directories).
 */
export const SITE_LAYOUT = {
    /** Unprivileged port: the container runs as a non-root user and cannot bind below 1024. */
    port: 8080,
    /** The ConfigMap is mounted here read-only. */
    configDir: "/etc/sas",
    nginxConfPath: "/etc/sas/nginx.conf",
    docRoot: "/etc/sas/site",
    /** The only writable path (an emptyDir): pid file and nginx temp directories; the root filesystem is read-only. */
    tmpDir: "/tmp",
    /** Liveness: nginx itself answers, touching no file. Never behind basic auth. */
    healthPath: "/healthz",
    /** Readiness: the page file itself is served (503 when it cannot be), never behind basic auth. */
    readyPath: "/readyz",
    /**
     * The basic-auth Secret is mounted here read-only (its own volume, beside the ConfigMap's, never under the doc
     * root): nginx reads the htpasswd file on every request, so a rotated password needs no restart.
     */
    authDir: "/etc/sas-auth",
    htpasswdPath: "/etc/sas-auth/htpasswd",
} as const;

/** ConfigMap data keys and where each lands under configDir. */
export const SITE_FILES = {
    page: { key: "index.html", path: "site/index.html" },
    nginxConf: { key: "nginx.conf", path: "nginx.conf" },
} as const;

/** The basic-auth Secret's data key and where it lands under authDir (SITE_LAYOUT.htpasswdPath). */
export const AUTH_FILE = { key: "htpasswd", path: "htpasswd" } as const;

/** The realm browsers show in their password prompt (`WWW-Authenticate: Basic realm="SAS preview"`). */
export const BASIC_AUTH_REALM = "SAS preview";
