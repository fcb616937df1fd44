/**
 * resource-references-have-dependencies: a stack policy that reports every resource whose inputs
 * name another resource of the same stack by a literal (name, ARN, id, S3 URI) without a dependency
 * that orders the two, so that the engine may create the referrer first. The matching and the
 * creation order live in lib/physical-identifiers.ts and lib/resource-references.ts.
 *
 * It reads only what AnalyzeStack carries in a real `pulumi preview` too: each resource's type, name,
 * properties, parent, `dependencies`, `propertyDependencies` and provider (for its region).
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { labelOf, outputHintOf } from "../lib/physical-identifiers";
import { configOf, exemptResourcesSchema, isExempt, stringListSchema } from "../lib/policy-kit";
import { readOrUndefined, snapshot } from "../lib/props";
import { StackNode, UnorderedReference, unorderedReferences } from "../lib/resource-references";

export interface ResourceReferencesConfig {
  ignoreProperties: string[];
  accountIds: string[];
}

export const resourceReferencesDefaults: ResourceReferencesConfig = {
  ignoreProperties: ["tags", "tagsAll", "description"],
  accountIds: [],
};

/** How many property paths a message lists before "and N more". */
const PATHS_SHOWN = 3;

/** The engine's view of one resource, read defensively (an unknown value is simply not a reference). */
function nodeOf(r: PolicyResource, hasProviders: boolean): StackNode {
  const propertyDependencies: Record<string, string[]> = {};
  for (const [k, deps] of Object.entries(readOrUndefined(() => r.propertyDependencies) ?? {})) {
    propertyDependencies[k] = (deps ?? []).map((d) => d.urn);
  }
  const region = readOrUndefined(() => r.provider?.props?.["region"]);
  const special = r.type === "pulumi:pulumi:Stack" || r.type.startsWith("pulumi:providers:");
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    props: snapshot(r.props),
    parent: r.parent?.urn,
    dependencies: (r.dependencies ?? []).map((d) => d.urn),
    propertyDependencies,
    // The engine sends a provider reference with every custom resource; a stack without any (a
    // hand-built test stack) is read as all custom.
    custom: !special && (r.provider !== undefined || !hasProviders),
    region: typeof region === "string" && region !== "" ? region : undefined,
  };
}

/** `S3 bucket "artifacts"`, or for types without a label the class name: `RolePolicy "notebook-policy"`. */
function describe(n: StackNode): string {
  const label = labelOf(n.type);
  return `${label === n.type ? (n.type.split(":").pop() ?? n.type) : label} "${n.name}"`;
}

/** The output to pass instead of the literal: the ARN output for an ARN, else the name output. */
function outputHint(target: StackNode, literal: string): string {
  const hint = outputHintOf(target.type);
  if (!hint) return "its name or ARN output";
  return `e.g. ${literal.startsWith("arn:") ? `${hint.split(".")[0]}.arn` : hint}`;
}

export function messageOf(f: UnorderedReference): string {
  const target = f.targets[0];
  const shown = f.paths.slice(0, PATHS_SHOWN).join(", ");
  const more = f.paths.length > PATHS_SHOWN ? ` and ${f.paths.length - PATHS_SHOWN} more` : "";
  const others =
    f.targets.length > 1 ? ` (the value also names ${f.targets.slice(1).map(describe).join(", ")})` : "";
  return (
    `${describe(f.referrer)} refers to ${describe(target)}${others} by the literal ${JSON.stringify(f.value)} ` +
    `in ${shown}${more}, with no dependency on it, direct or transitive, so the engine may create ` +
    `"${f.referrer.name}" before "${target.name}" exists. ` +
    `Fix: add dependsOn: [${target.name}] to "${f.referrer.name}", or pass the resource's output ` +
    `(${outputHint(target, f.value)}) instead of the literal.`
  );
}

export const resourceReferencesHaveDependencies: StackValidationPolicy = {
  name: "resource-references-have-dependencies",
  description:
    "A resource that names another resource of the stack by a literal name, ARN, id or URI must depend on it, so the engine creates them in order.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Add dependsOn: [<referenced resource>] to the referring resource, or pass the referenced resource's output instead of the literal value.",
  configSchema: {
    properties: {
      ignoreProperties: stringListSchema(
        "Property names (at any depth) that are free text about a resource, never references.",
        resourceReferencesDefaults.ignoreProperties,
      ),
      accountIds: stringListSchema(
        "Accounts an ARN may name to refer to this stack's resources (empty: any account).",
        resourceReferencesDefaults.accountIds,
      ),
      exemptResources: exemptResourcesSchema,
    },
  },
  validateStack: (args, report) => {
    const cfg = configOf(args, resourceReferencesDefaults);
    for (const key of ["ignoreProperties", "accountIds"] as const) {
      const v: unknown = cfg[key];
      if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
        // The CLI validates config against the schema first; a client that does not gets a clear error.
        throw new Error(
          `policy config ${resourceReferencesHaveDependencies.name}.${key} must be a list of strings (got ${JSON.stringify(v)})`,
        );
      }
    }
    const hasProviders = args.resources.some((r) => r.provider !== undefined);
    const nodes = args.resources.map((r) => nodeOf(r, hasProviders));
    const findings = unorderedReferences(nodes, {
      ignoreProperties: cfg.ignoreProperties,
      accountIds: cfg.accountIds,
      isExempt: (n) => isExempt(args, n.name, n.urn),
    });
    for (const f of findings) {
      report(messageOf(f), f.referrer.urn);
    }
  },
};
