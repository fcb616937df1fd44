/**
 * The policy pack's entry point: constructing PolicyPack starts the analyzer server, which prints its
 * port for the Pulumi CLI. Policies live in policies/ so tests can import them without this.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, allPolicies } from "./policies";

new PolicyPack(PACK_NAME, {
  description:
    "Guardrails for the ML platform: no wildcard SageMaker permissions, no stale roles, MFA, and secure, cost-aware defaults.",
  displayName: "ML platform guardrails",
  provider: "aws",
  policies: allPolicies(),
});
