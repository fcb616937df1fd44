/**
 * sagemaker-no-wildcard-permissions: no IAM carrier may grant SageMaker actions by wildcard.
 * Carriers are every type in lib/iam-carriers.ts: policies (managed and inline, on roles, users,
 * groups and IAM Identity Center permission sets) and every kind of attachment, which is judged by
 * what it attaches: an AWS-managed policy from the reviewed list, a policy created in this stack
 * (judged as its own resource), or a customer-managed policy that already exists in the account
 * (its default version, from the authorization-details export).
 *
 * A stack policy, because two verdicts need the whole stack: a customer-managed policy that the
 * stack uses only as a permissions boundary grants nothing (a boundary only limits; see
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html), and an ARN
 * attached by value is only "this stack's policy" when the stack creates it. Findings point at the
 * resource that carries the grant. Certain findings are reported whatever else is unknown; what
 * depends on an unknown value is reported as `not checked: ` for that resource.
 */
import { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { awsManagedPolicyPath } from "../lib/arn";
import { IAM_CARRIERS, PERMISSIONS_BOUNDARIES } from "../lib/iam-carriers";
import { parsePolicyDocument } from "../lib/iam-document";
import { AccountInventory, InventoryOptions, chooseInventory } from "../lib/inventory";
import { wildcardManagedPolicy } from "../lib/managed-policies";
import {
  accountFactsSchemaProps,
  configOf,
  exemptResourcesSchema,
  isExempt,
  reportNotChecked,
  schemaProp,
  stringListSchema,
  unknownReason,
} from "../lib/policy-kit";
import { Found, Unknown, readOrUndefined, walkPath } from "../lib/props";
import { T } from "../lib/resource-types";
import { findSageMakerWildcards } from "../lib/sagemaker-permissions";
import { Keys, keysOfReference, keysOfResource, meets } from "../lib/stack-refs";

export interface SageMakerWildcardConfig extends InventoryOptions {
  /** Accept `endpoint/<literal-prefix>*` style names (a bare `*` name is never accepted). */
  allowNamePrefixWildcards: boolean;
  /** Policy ARNs accepted even though they grant SageMaker wildcards (e.g. a reviewed break-glass role). */
  exemptPolicyArns: string[];
}

export const sageMakerWildcardDefaults: SageMakerWildcardConfig = {
  allowNamePrefixWildcards: true,
  exemptPolicyArns: [],
  inventoryFile: "",
  liveTimeoutSeconds: 10,
};

const FIX_MANAGED =
  "attach a customer-managed policy that lists exactly the SageMaker actions needed on the exact resource ARNs " +
  "(for example sagemaker:InvokeEndpoint on arn:<partition>:sagemaker:<region>:<account>:endpoint/<endpoint-name>)";

const FIX_INVALID =
  "pass a valid IAM policy document (a JSON string or an object with Version and Statement)";

const accountFacts = accountFactsSchemaProps(sageMakerWildcardDefaults.liveTimeoutSeconds);

export const sagemakerNoWildcardPermissions: StackValidationPolicy = {
  name: "sagemaker-no-wildcard-permissions",
  description:
    "IAM policies must not grant SageMaker actions by wildcard (*, sagemaker:*, sagemaker:Invoke*, NotAction) or on wildcard resources, nor attach managed policies that do.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Grant the exact SageMaker actions the workload calls (e.g. sagemaker:InvokeEndpoint) on the exact ARNs (e.g. the one endpoint), instead of AmazonSageMakerFullAccess or sagemaker:*.",
  configSchema: {
    properties: {
      allowNamePrefixWildcards: schemaProp(
        "boolean",
        "Accept resource names with a literal prefix and a trailing wildcard, e.g. endpoint/ml-platform-prod-*.",
        sageMakerWildcardDefaults.allowNamePrefixWildcards,
      ),
      exemptPolicyArns: stringListSchema(
        "Policy ARNs to accept even though they grant SageMaker wildcards (document why).",
        sageMakerWildcardDefaults.exemptPolicyArns,
      ),
      exemptResources: exemptResourcesSchema,
      inventoryFile: {
        ...accountFacts.inventoryFile,
        description:
          "Path to `aws iam get-account-authorization-details` JSON, to judge customer-managed policies the stack attaches by ARN (else $ML_PLATFORM_IAM_INVENTORY).",
      },
      liveTimeoutSeconds: accountFacts.liveTimeoutSeconds,
    },
  },
  validateStack: async (args, report) => validate(args, report),
};

/** A finding or a could-not-check, for one resource. */
interface Outcome {
  readonly urn: string;
  readonly message: string;
  readonly notChecked?: boolean;
}

async function validate(args: StackValidationArgs, report: ReportViolation): Promise<void> {
  const cfg = configOf(args, sageMakerWildcardDefaults);
  // Read the export now if one is configured: a file that cannot be parsed is an error (it throws).
  const choice = await chooseInventory(cfg);
  const stack = new StackPolicies(args.resources);
  const outcomes: Outcome[] = [];
  let judged = 0;
  for (const r of args.resources) {
    const spec = IAM_CARRIERS[r.type];
    if (!spec || isExempt(args, r.name, r.urn)) {
      continue;
    }
    judged++;
    const judge = new CarrierJudge(r, cfg, stack, choice, outcomes);
    if (r.type === T.iamPolicy && stack.isBoundaryOnly(r)) {
      continue; // used only as a permissions boundary: it limits, it grants nothing
    }
    for (const path of spec.documents ?? []) {
      for (const f of walkPath(r.props, path)) {
        judge.document(f);
      }
    }
    for (const path of spec.managedArns ?? []) {
      await judge.managedArns(path[0], walkPath(r.props, path));
    }
    for (const path of spec.customerRefs ?? []) {
      for (const f of walkPath(r.props, path)) {
        await judge.customerRef(f);
      }
    }
  }
  if (judged === 0) {
    args.notApplicable("the stack has no IAM policy, inline policy or policy attachment");
  }
  for (const o of outcomes) {
    if (o.notChecked) {
      reportNotChecked(report, o.message, o.urn);
    } else {
      report(o.message, o.urn);
    }
  }
}

/** The stack's `aws.iam.Policy` resources and how the stack uses each: as a grant or as a boundary. */
class StackPolicies {
  readonly policies: { resource: PolicyResource; keys: Keys }[];
  private readonly grantUses: Keys[] = [];
  private readonly boundaryUses: Keys[] = [];

  constructor(readonly resources: PolicyResource[]) {
    this.policies = resources
      .filter((r) => r.type === T.iamPolicy)
      .map((r) => ({ resource: r, keys: keysOfResource(r, ["name", "arn"]) }));
    for (const r of resources) {
      for (const [table, uses] of [
        [IAM_CARRIERS, this.grantUses],
        [PERMISSIONS_BOUNDARIES, this.boundaryUses],
      ] as const) {
        const spec = table[r.type];
        for (const path of [...(spec?.managedArns ?? []), ...(spec?.customerRefs ?? [])]) {
          uses.push(referenceKeys(r, path, resources));
        }
      }
    }
  }

  /** True when the stack uses this policy as a permissions boundary and never attaches it. */
  isBoundaryOnly(policy: PolicyResource): boolean {
    const keys = keysOfResource(policy, ["name", "arn"]);
    return this.boundaryUses.some((u) => meets(u, keys)) && !this.grantUses.some((u) => meets(u, keys));
  }

  /** The stack's policy a known ARN or name names, if any. */
  byReference(ref: string): PolicyResource | undefined {
    const keys = new Set([`name:${ref.toLowerCase()}`, `name:${ref.split("/").pop()!.toLowerCase()}`]);
    return this.policies.find((p) => meets(p.keys, keys))?.resource;
  }

  /** The stack's policies a property's value came from (its dependencies). */
  dependencies(r: PolicyResource, property: string): PolicyResource[] {
    const deps = readOrUndefined(() => r.propertyDependencies[property]) ?? [];
    const urns = new Set(deps.map((d) => d.urn));
    return this.policies.filter((p) => urns.has(p.resource.urn)).map((p) => p.resource);
  }
}

/** Keys of what a reference property names: known ARNs and names, and the resources it came from. */
function referenceKeys(r: PolicyResource, path: readonly string[], resources: PolicyResource[]): Keys {
  const keys: Keys = keysOfReference(r, path[0], resources).keys;
  for (const f of walkPath(r.props, path)) {
    const v = f.value;
    const name =
      v !== null && typeof v === "object" && !(v instanceof Unknown)
        ? (v as Record<string, unknown>)["name"]
        : v;
    if (typeof name === "string" && name !== "") {
      keys.add(`name:${name.toLowerCase()}`);
      keys.add(`name:${name.split("/").pop()!.toLowerCase()}`);
    }
  }
  return keys;
}

type Choice = Awaited<ReturnType<typeof chooseInventory>>;

/** Judges the carriers of one resource, collecting its findings and could-not-checks. */
class CarrierJudge {
  private readonly label: string;

  constructor(
    private readonly r: PolicyResource,
    private readonly cfg: SageMakerWildcardConfig,
    private readonly stack: StackPolicies,
    private readonly choice: Choice,
    private readonly outcomes: Outcome[],
  ) {
    this.label = `${r.type.split(":").pop()} "${r.name}"`;
  }

  private violation(message: string): void {
    this.outcomes.push({ urn: this.r.urn, message });
  }

  private notChecked(message: string): void {
    this.outcomes.push({ urn: this.r.urn, message: `${this.label} ${message}`, notChecked: true });
  }

  /** A policy document at `f.where`. */
  document(f: Found, what = this.documentKind()): void {
    if (f.value === "") {
      return; // an inline policy without a document (the provider's way to remove one)
    }
    if (f.value instanceof Unknown) {
      this.notChecked(`${f.where}: ${unknownReason("the policy document")}.`);
      return;
    }
    this.judgeDocument(f.value, this.placeOf(f.where), what, (text) => text);
  }

  /** `inlinePolicies[0].policy` of a Role reads `inlinePolicies[0] ("name")`, as people name it. */
  private placeOf(where: string): string {
    const m = /^inlinePolicies\[(\d+)\]\.policy$/.exec(where);
    if (!m) {
      return where;
    }
    const name = walkPath(this.r.props, ["inlinePolicies", "[]", "name"]).find((f) =>
      f.where.startsWith(`inlinePolicies[${m[1]}]`),
    )?.value;
    return `inlinePolicies[${m[1]}]${typeof name === "string" ? ` ("${name}")` : ""}`;
  }

  private judgeDocument(
    doc: unknown,
    where: string,
    what: string,
    phrase: (finding: string) => string,
    fixSuffix = "",
  ): void {
    const parsed = parsePolicyDocument(doc);
    if (parsed.kind === "unknown") {
      this.notChecked(`${where}: ${unknownReason("the policy's Statement list")}.`);
      return;
    }
    if (parsed.kind === "invalid") {
      this.violation(
        `${where}: ${phrase(`${what}: ${parsed.error}`)}. AWS rejects such a document and the pack cannot vouch for it. Fix: ${FIX_INVALID}.`,
      );
      return;
    }
    const result = findSageMakerWildcards(parsed.statements, this.cfg, parsed.unknownStatements);
    for (const f of result.findings) {
      this.violation(
        `${where}: ${phrase(`${what} ${f.statement}: ${f.offending} ${f.problem}`)}. Fix: ${f.fix}${fixSuffix}.`,
      );
    }
    if (result.unknowns.length > 0) {
      const parts = result.unknowns.map((u) => `${u.statement} ${u.part}`).join(", ");
      this.notChecked(
        `${where}: ${unknownReason(`${parts} of ${what}`)}; whether ${result.unknowns.length === 1 ? "it grants" : "they grant"} SageMaker by wildcard depends on ${result.unknowns.length === 1 ? "it" : "them"}.`,
      );
    }
  }

  private documentKind(): string {
    switch (this.r.type) {
      case T.iamPolicy:
        return "this IAM policy";
      case T.iamRolePolicy:
        return "this inline role policy";
      case T.iamUserPolicy:
        return "this inline user policy";
      case T.iamGroupPolicy:
        return "this inline group policy";
      case T.ssoadminPermissionSetInlinePolicy:
        return "this permission set's inline policy";
      default:
        return "inline policy";
    }
  }

  /** Managed policy ARNs of `property`, one by one. */
  async managedArns(property: string, found: Found[]): Promise<void> {
    const fromStack = this.stack.dependencies(this.r, property);
    const unknowns = found.filter((f) => f.value instanceof Unknown);
    // Unknown ARNs that come from policies this stack creates are those policies (judged on their own).
    const untraced = unknowns.length > fromStack.length ? unknowns : [];
    for (const f of untraced) {
      this.notChecked(
        `${f.where}: ${unknownReason("the policy ARN")}, and it does not come from a policy this stack creates, so what it attaches cannot be judged.`,
      );
    }
    for (const f of found) {
      if (typeof f.value === "string") {
        await this.managedArn(f.value, f.where);
      }
    }
  }

  private async managedArn(arn: string, where: string): Promise<void> {
    const a = arn.trim();
    if (this.cfg.exemptPolicyArns.includes(a)) {
      return;
    }
    if (awsManagedPolicyPath(a)) {
      const hit = wildcardManagedPolicy(a);
      if (hit) {
        this.violation(
          `${where}: attaches the AWS-managed policy ${hit.name} (${a}), which grants SageMaker by wildcard (${hit.grants}). Fix: ${FIX_MANAGED}.`,
        );
      }
      return;
    }
    if (!/^arn:aws[a-z-]*:iam::\d{12}:policy\//.test(a) || this.stack.byReference(a)) {
      return; // not a managed policy ARN (AWS rejects it), or a policy this stack creates
    }
    const inventory = this.inventoryFor(`the customer-managed policy ${a} (${where})`);
    if (!inventory) {
      return;
    }
    const found = await inventory.getPolicy(a);
    if ("missing" in found) {
      this.notChecked(
        `${where}: the customer-managed policy ${a} is neither created by this stack nor in ${inventory.description}, so what it grants cannot be judged. Fix the ARN, or give a current export.`,
      );
      return;
    }
    this.accountPolicy(found.found, where, inventory);
  }

  /** An IAM Identity Center reference `{name, path}` to a customer-managed policy in each account. */
  async customerRef(f: Found): Promise<void> {
    if (f.value instanceof Unknown) {
      this.notChecked(`${f.where}: ${unknownReason("the customer-managed policy reference")}.`);
      return;
    }
    const ref = f.value as Record<string, unknown>;
    const name = ref["name"];
    const path = typeof ref["path"] === "string" && ref["path"] !== "" ? (ref["path"] as string) : "/";
    if (name instanceof Unknown || typeof name !== "string") {
      this.notChecked(`${f.where}.name: ${unknownReason("the policy name")}.`);
      return;
    }
    if (this.stack.byReference(name)) {
      return; // the stack creates it: judged as its own resource
    }
    const inventory = this.inventoryFor(`the customer-managed policy "${path}${name}" (${f.where})`);
    if (!inventory) {
      return;
    }
    const found = await inventory.findPolicyByName(name, path);
    if ("missing" in found) {
      this.notChecked(
        `${f.where}: the customer-managed policy "${path}${name}" is neither created by this stack nor in ${inventory.description}; IAM Identity Center looks it up in each account the permission set is provisioned to, so judge it there.`,
      );
      return;
    }
    this.accountPolicy(found.found, f.where, inventory);
  }

  private accountPolicy(
    policy: { name: string; arn: string; defaultVersionId: string; document: unknown },
    where: string,
    inventory: AccountInventory,
  ): void {
    if (policy.document === undefined) {
      this.notChecked(
        `${where}: ${inventory.description} lists the customer-managed policy ${policy.arn} without its versions, so what it grants cannot be judged. Give a complete export.`,
      );
      return;
    }
    this.judgeDocument(
      policy.document,
      where,
      `the default version ${policy.defaultVersionId}`,
      (finding) =>
        `attaches the customer-managed policy ${policy.name} (${policy.arn}) from the account (source: ${inventory.description}), whose ${finding}`,
      ` (in a new default version of ${policy.name}), or attach a policy scoped that way instead`,
    );
  }

  private inventoryFor(subject: string): AccountInventory | undefined {
    if ("unavailable" in this.choice) {
      this.notChecked(`attaches ${subject}, which this stack does not create; ${this.choice.unavailable}.`);
      return undefined;
    }
    if (!this.choice.inventory.hasPolicies) {
      this.notChecked(
        `attaches ${subject}, which this stack does not create; ${this.choice.inventory.description} has no managed policies (give an authorization-details export).`,
      );
      return undefined;
    }
    return this.choice.inventory;
  }
}
