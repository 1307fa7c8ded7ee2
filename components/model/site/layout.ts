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
    healthPath: "/healthz",
} as const;

/** ConfigMap data keys and where each lands under configDir. */
export const SITE_FILES = {
    page: { key: "index.html", path: "site/index.html" },
    nginxConf: { key: "nginx.conf", path: "nginx.conf" },
} as const;
