// `npm run screenshots -- --stack <name>`: photographs every page of a rendered stack (run `npm run render` first)
// the way a customer sees it: served by real Debian nginx with exactly its rendered config, opened in real Chromium.
// Writes out/<stack>/screenshots/<id>.png; PR builds upload them with the rendered manifests.
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../tests/harness/run-stack";
import { isStackName, STACKS } from "../tests/harness/stack-config";
import type { K8sObject } from "../tests/harness/manifests";
import { objectGroup } from "../tests/harness/manifests";
import { chromiumMissing, launchBrowser } from "../tests/harness/realparts/browser";
import { NGINX_BIN, startNginx } from "../tests/harness/realparts/nginx";
import { SITE_FILES } from "../components/model/site/layout";

export interface Shot {
    customer: string;
    file: string;
    /** What the browser saw: the checks a reviewer would make by eye. */
    problems: string[];
}

export async function screenshotStack(stack: string, outRoot = path.join(PROJECT_ROOT, "out")): Promise<Shot[]> {
    const objectsFile = path.join(outRoot, stack, "objects.json");
    if (!fs.existsSync(objectsFile)) throw new Error(`${path.relative(process.cwd(), objectsFile)} not found: run \`npm run render -- --stack ${stack}\` first`);
    const missing = chromiumMissing() ?? (fs.existsSync(NGINX_BIN) ? undefined : `${NGINX_BIN} is missing; apt-get install -y nginx-light`);
    if (missing) throw new Error(missing);
    const objects = JSON.parse(fs.readFileSync(objectsFile, "utf8")) as K8sObject[];
    const sites = objects.filter((o) => o.kind === "ConfigMap" && (o.data as Record<string, string> | undefined)?.[SITE_FILES.page.key]);
    const dir = path.join(outRoot, stack, "screenshots");
    fs.mkdirSync(dir, { recursive: true });
    const browser = await launchBrowser();
    const shots: Shot[] = [];
    try {
        for (const cm of sites) {
            const data = cm.data as Record<string, string>;
            const customer = objectGroup(cm);
            const nginx = await startNginx({ nginxConf: data[SITE_FILES.nginxConf.key], files: { [SITE_FILES.page.key]: data[SITE_FILES.page.key] } });
            try {
                const file = path.join(dir, `${customer}.png`);
                const visit = await browser.visit(`${nginx.baseUrl}/`, { screenshotPath: file });
                const problems = [
                    ...(visit.status === 200 ? [] : [`HTTP ${visit.status}`]),
                    ...(visit.visibleText.includes("Welcome to SAS") ? [] : ["no 'Welcome to SAS'"]),
                    ...visit.consoleErrors.map((e) => `console: ${e}`),
                    ...visit.cspViolations.map((e) => `CSP: ${e}`),
                ];
                shots.push({ customer, file, problems });
            } finally {
                await nginx.stop();
            }
        }
    } finally {
        await browser.close();
    }
    return shots;
}

if (require.main === module) {
    const argv = process.argv.slice(2);
    const i = argv.indexOf("--stack");
    const stack = i >= 0 ? argv[i + 1] : "local";
    if (!isStackName(stack)) {
        console.error(`unknown stack "${stack}" (stacks: ${STACKS.join(", ")})`);
        process.exit(2);
    }
    screenshotStack(stack).then(
        (shots) => {
            for (const s of shots) console.log(`${s.problems.length ? "FAIL" : "ok  "} ${s.customer} -> ${path.relative(process.cwd(), s.file)}${s.problems.length ? `: ${s.problems.join("; ")}` : ""}`);
            process.exit(shots.some((s) => s.problems.length) ? 1 : 0);
        },
        (e) => {
            console.error((e as Error).message);
            process.exit(1);
        },
    );
}
