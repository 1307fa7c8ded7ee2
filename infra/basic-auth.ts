import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { BASIC_AUTH_USER, htpasswdLine } from "../components/model/htpasswd";

/**
 * One basic-auth password per stack, generated once by @pulumi/random and then stable in state (rotate it with
 * `pulumi up --replace` on the password, see docs/RUNBOOK.md). `credentials` is exported as a secret for
 * `npm run verify`; `htpasswd` is the line every tenant's basic-auth Secret carries.
 */
export class BasicAuth extends pulumi.ComponentResource {
    readonly htpasswd: pulumi.Output<string>;
    readonly credentials: pulumi.Output<{ username: string; password: string }>;

    constructor(name: string, args: Record<string, never> = {}, opts: pulumi.ComponentResourceOptions = {}) {
        super("sas:platform:BasicAuth", name, args, opts);
        const password = new random.RandomPassword(`${name}-password`, { length: 24, special: false }, { parent: this });
        this.htpasswd = pulumi.secret(password.result.apply((pw) => htpasswdLine(BASIC_AUTH_USER, pw)));
        this.credentials = pulumi.secret(password.result.apply((pw) => ({ username: BASIC_AUTH_USER, password: pw })));
        this.registerOutputs({ htpasswd: this.htpasswd, credentials: this.credentials });
    }
}
