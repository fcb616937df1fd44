/**
 * Generates docs/config.md from the config schema (stacks/config.ts) through its JSON Schema:
 * every key with its type, allowed values and default. `npm run docs:config` rewrites the file;
 * a test checks that it is current.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { NAMESPACE, platformConfigSchema } from "../stacks/config";

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  default?: unknown;
  additionalProperties?: JsonSchema | boolean;
  pattern?: string;
  /** What a field accepts, when a type alone does not say it (instance types). */
  allowed?: string;
  /** A default the component applies itself; the config leaves the key unset. */
  componentDefault?: unknown;
}

function typeOf(s: JsonSchema): string {
  if (s.allowed) return s.allowed;
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" \\| ");
  if (s.type === "array") return `list of ${s.items ? typeOf(s.items) : "values"}`;
  if (s.type === "object") return "map of string to string";
  if (s.type === "number" || s.type === "integer") {
    const low =
      s.exclusiveMinimum !== undefined
        ? `> ${s.exclusiveMinimum}`
        : s.minimum !== undefined
          ? `>= ${s.minimum}`
          : "";
    // zod's int() bounds every integer to the safe range; that is no limit worth printing.
    const high = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? `<= ${s.maximum}` : "";
    return [s.type === "integer" ? "whole number" : "number", [low, high].filter(Boolean).join(", ")]
      .filter(Boolean)
      .join(" ");
  }
  return String(s.type ?? "any");
}

export function configReference(): string {
  const root = z.toJSONSchema(platformConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const rows: string[] = [];
  // A section's own default (e.g. tuning.ranges.lr) supplies its children's defaults.
  const walk = (s: JsonSchema, keys: string[], required: boolean, inherited?: unknown) => {
    const fallback = s.default ?? inherited;
    if (s.properties && keys.length < 4) {
      for (const [k, child] of Object.entries(s.properties)) {
        const childDefault =
          fallback && typeof fallback === "object" ? (fallback as Record<string, unknown>)[k] : undefined;
        walk(child, [...keys, k], (s.required ?? []).includes(k) && s.default === undefined, childDefault);
      }
      return;
    }
    const shown =
      fallback !== undefined
        ? `\`${JSON.stringify(fallback)}\``
        : s.componentDefault !== undefined
          ? `unset: the component's ${typeof s.componentDefault === "string" ? s.componentDefault : `\`${JSON.stringify(s.componentDefault)}\``}`
          : required && keys.length === 1
            ? "**required**"
            : "(unset)";
    rows.push(`| \`${NAMESPACE}:${keys.join(".")}\` | ${typeOf(s)} | ${shown} |`);
  };
  walk(root, [], true);
  return [
    "# Stack configuration reference",
    "",
    "<!-- Generated from stacks/config.ts by `npm run docs:config`; do not edit by hand. -->",
    "",
    `Every key lives in the \`${NAMESPACE}\` namespace of \`Pulumi.<stack>.yaml\`. Sections are YAML maps`,
    "(`ml-platform:notebook: { idleStopMinutes: 30 }`), or set one value with",
    "`pulumi config set --path 'ml-platform:notebook.idleStopMinutes' 30`. Unknown keys are errors.",
    "Cross-field rules (min <= initial <= max capacity, provisioned <= reserved concurrency, and so on)",
    "are checked too; every problem is reported at once, each with its key.",
    "",
    "Each section composes the schema of the component it configures (`components/<name>/args.ts`):",
    "what a key accepts, its default and the rules between keys are the component's own, so a stack",
    "and a program that uses the component directly get the same values. Instance types must be ones",
    "AWS offers for that use (generated from the AWS SDK's lists; a misspelt type lists close ones).",
    "",
    "A setting that does nothing in the chosen mode is an error naming the key and why (for example",
    "`endpoint.serverless.*` with `endpoint.mode: instance`, autoscaling settings on a serverless",
    "endpoint or while `endpoint.autoscaling.enabled` is false, `network.cidr` with",
    "`network.mode: existing`, `tuning.*` while tuning is off): a silently ignored setting is one you",
    "would believe in force. A section switched off with an explicit `enabled: false` keeps its",
    "settings for when it is switched back on.",
    "",
    "Defaults worth knowing: `endpoint.mode` is `instance` (the component's default: network",
    "isolation, data capture and autoscaling work there; dev chooses `serverless`), and the",
    "autoscaling cooldowns are 300 s in and 60 s out (scale in slowly, out quickly; AWS's default",
    "cooldown for SageMaker variants is 300 s; prod sets 30/30 for its short bursts).",
    "",
    "Interface endpoints follow from what is switched on: each component declares the ones it calls",
    "from inside the VPC (the notebook without direct internet: `sagemaker.api`, `sts`, `logs`; the",
    "EC2 trainer with `ec2Trainer.sessionManager`: `ssm`, `ssmmessages`; training jobs, the endpoint",
    "and the function: none), and the network creates their union. `network.interfaceEndpoints.add`",
    "adds services nothing declares; `.drop` removes one with a warning naming what stops working.",
    "Either is an error where it would change nothing. The S3 gateway endpoint is always there.",
    "",
    "`parked: true` keeps what holds data and identity (the key, the bucket and its objects, the",
    "roles, log groups, the VPC and its free parts) and leaves out what bills by the hour or holds",
    "capacity (the notebook instance, the endpoint with its model, configuration and scaling,",
    "provisioned concurrency, interface endpoints, training and tuning jobs, the EC2 trainer's",
    "instance). `false` declares them again under the same names. The notebook's home folder is",
    "backed up to the store every `notebook.homeBackupMinutes` and before each idle stop, and a new",
    "instance gets it back (components/README.md, NotebookInstance).",
    "",
    "| key | type | default |",
    "|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}

if (require.main === module) {
  const out = path.resolve(__dirname, "..", "docs", "config.md");
  fs.writeFileSync(out, configReference());
  console.log(`wrote ${out}`);
}
