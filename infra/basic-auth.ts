import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { BASIC_AUTH_USER, htpasswdLine } from "../components/model/htpasswd";

/**
 * One basic-auth password per stack, generated once by @pulumi/random and then stable in state (rotate it with
 * `pulumi up --replace` on this resource, see docs/RUNBOOK.md). Exported as a secret for `npm run verify`.
 */
export function basicAuth() {
    const password = new random.RandomPassword("basic-auth-password", { length: 24, special: false });
    return {
        htpasswd: pulumi.secret(password.result.apply((pw) => htpasswdLine(BASIC_AUTH_USER, pw))),
        credentials: pulumi.secret(password.result.apply((pw) => ({ username: BASIC_AUTH_USER, password: pw }))),
    };
}
