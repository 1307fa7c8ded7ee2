// The stack outputs verify depends on, validated up front: a missing or malformed key is reported by name here,
// not discovered as a confusing network error later.
import { z } from "zod";

const SECRET_PLACEHOLDER = "[secret]";

const nonEmpty = (key: string) =>
    z.string({
        error: (i) =>
            i.input === undefined
                ? `${key} is missing`
                : i.input === SECRET_PLACEHOLDER
                  ? `${key} is "[secret]": read outputs with --show-secrets`
                  : `${key} must be a string`,
    }).min(1, { error: `${key} must not be empty` });

const customerUrl = z.string({ error: "must be a URL string like https://<id>.<baseDomain>" }).superRefine((raw, ctx) => {
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        ctx.addIssue({ code: "custom", message: `"${raw}" is not a URL; expected https://<id>.<baseDomain>` });
        return;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
        ctx.addIssue({ code: "custom", message: `"${raw}" must be http(s), not ${url.protocol}` });
    }
    if (url.username || url.password) {
        ctx.addIssue({ code: "custom", message: `"${raw}" must not embed credentials; they come from basicAuth` });
    }
});

export const stackOutputsSchema = z
    .object(
        {
            customers: z.record(z.string(), customerUrl, {
                error: (i) => (i.input === undefined ? "customers is missing" : "customers must be an object of id -> URL"),
            }),
            environment: nonEmpty("environment"),
            registryTableName: nonEmpty("registryTableName"),
            basicAuth: z
                .object(
                    { username: nonEmpty("basicAuth.username"), password: nonEmpty("basicAuth.password") },
                    {
                        error: (i) =>
                            i.input === SECRET_PLACEHOLDER
                                ? 'basicAuth is "[secret]": read outputs with --show-secrets'
                                : "basicAuth must be an object { username, password }",
                    },
                )
                .optional(),
            registryEndpoint: z.url({ protocol: /^https?$/, error: "registryEndpoint must be an http(s) URL" }).optional(),
        },
        { error: "stack outputs must be a JSON object" },
    )
    .superRefine((o, ctx) => {
        for (const [id, raw] of Object.entries(o.customers)) {
            let host: string;
            try {
                host = new URL(raw).hostname;
            } catch {
                continue; // already reported by customerUrl
            }
            if (!host.startsWith(`${id}.`)) {
                ctx.addIssue({ code: "custom", path: ["customers", id], message: `host "${host}" must be ${id}.<baseDomain>` });
            }
        }
        if (o.environment !== "prod" && o.basicAuth === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["basicAuth"],
                message: `basicAuth is missing; non-prod stack "${o.environment}" pages are behind basic auth`,
            });
        }
    });

export type StackOutputs = z.infer<typeof stackOutputsSchema>;

export class StackOutputsError extends Error {
    constructor(source: string, problems: string[]) {
        super(`invalid stack outputs from ${source}:\n${problems.map((p) => `  ${p}`).join("\n")}`);
        this.name = "StackOutputsError";
    }
}

/** `source` names where the JSON came from (a file path or `pulumi stack output --stack dev`) for the message. */
export function parseStackOutputs(source: string, text: string): StackOutputs {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (err) {
        throw new StackOutputsError(source, [`not valid JSON: ${(err as Error).message}`]);
    }
    const parsed = stackOutputsSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues.map((issue) => {
        const at = issue.path.map(String).join(".");
        // Top-level messages already start with the key's name; nested ones get the path in front.
        return at && !issue.message.startsWith(at) ? `${at}: ${issue.message}` : issue.message;
    });
    throw new StackOutputsError(source, [...new Set(problems)].sort());
}
