import { PolicyPack } from "@pulumi/policy";
import { policies } from "./all-policies";

new PolicyPack("sas-guardrails", { policies, enforcementLevel: "mandatory" });
