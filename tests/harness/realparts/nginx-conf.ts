// A hand-written nginx.conf with the SITE_LAYOUT shape (AGENTS.md), for tests that must not depend on the lead's
// renderSiteContent. Kept deliberately close to what a pod runs: daemon off, pid and temp paths under /tmp,
// listen 8080, root /etc/sas/site, /healthz, logs to /dev/stderr and /dev/stdout.
export function podShapedNginxConf(extraServer = ""): string {
  return `worker_processes 1;
daemon off;
pid /tmp/nginx.pid;
error_log /dev/stderr warn;
events { worker_connections 64; }
http {
  access_log /dev/stdout;
  client_body_temp_path /tmp/client_body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  default_type text/html;
  server {
    listen 8080;
    root /etc/sas/site;
    index index.html;
    location = /healthz { default_type text/plain; return 200 "ok\\n"; }
${extraServer}  }
}
`;
}
