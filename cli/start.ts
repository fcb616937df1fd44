/**
 * `npm start`: what the dev stack would create, from the offline harness (no cloud, no Pulumi CLI).
 * The offline plan (policy findings and cost) replaces this printout when it lands.
 */
import * as path from "node:path";
import { ConfigError } from "../stacks/config";
import { CapturedResource, runUnderMocks } from "./mock-runtime";
import { loadStackSettings, StackSettingsError } from "./stack-config";

function tree(resources: CapturedResource[]): string[] {
  const children = new Map<string | undefined, CapturedResource[]>();
  for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const lines: string[] = [];
  const walk = (parent: string | undefined, indent: string) => {
    for (const r of children.get(parent) ?? []) {
      lines.push(`${indent}${r.type}  ${r.name}`);
      walk(r.urn, `${indent}  `);
    }
  };
  walk(undefined, "");
  return lines;
}

async function main(): Promise<void> {
  const stack = process.argv[2] ?? "dev";
  const settings = loadStackSettings(path.resolve(__dirname, ".."), stack);
  const program = require(settings.main);
  const run = await runUnderMocks(program, {
    project: settings.project,
    stack,
    config: settings.config,
    secretKeys: settings.secretKeys,
    strictInvokes: true,
  });
  const lines = tree(run.resources);
  console.log(`Stack ${stack} of ${settings.project}: ${run.resources.length} resources (offline preview)\n`);
  console.log(lines.join("\n"));
}

main().catch((err: unknown) => {
  const known =
    err instanceof ConfigError ||
    err instanceof StackSettingsError ||
    (err as { __pulumiRunError?: boolean })?.__pulumiRunError;
  console.error(known ? (err as Error).message : err);
  process.exit(2);
});
