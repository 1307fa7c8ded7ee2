import * as path from "node:path";

/**
 * Facts about the project itself, written once. `PROJECT` must equal `name:` in Pulumi.yaml (a test holds them
 * together): it prefixes every setting (`sas-onboarding:<key>`) and appears in every URN.
 */
export const PROJECT = "sas-onboarding";

/** The checkout's root: where Pulumi.yaml, customers/ and the stack files live, wherever a command was started. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
