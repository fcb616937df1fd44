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
}

function typeOf(s: JsonSchema): string {
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
    const high = s.maximum !== undefined ? `<= ${s.maximum}` : "";
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
    "are checked too; every problem is reported at once, each with its key. Defaults live in",
    "`DEFAULTS` in stacks/config.ts.",
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
