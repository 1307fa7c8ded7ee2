import { createHash } from "node:crypto";

export const BASIC_AUTH_USER = "sas-preview";

/**
 * One htpasswd line in the `{SHA}` scheme, which nginx's auth_basic_user_file accepts (each page's own nginx checks
 * it, from the tenant's Secret). Chosen over bcrypt/apr1 because
 * those embed a random salt, which would change the Secret's input on every run; the password itself is a
 * 24-character random string from @pulumi/random (~140 bits), so a fast hash does not make it guessable.
 */
export function htpasswdLine(user: string, password: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(user)) throw new Error(`basic-auth user must be letters, digits, '.', '_' or '-': "${user}"`);
    return `${user}:{SHA}${createHash("sha1").update(password, "utf8").digest("base64")}`;
}
