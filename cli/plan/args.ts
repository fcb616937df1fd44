/**
 * Command-line flags of `npm run plan` (contract 2 in docs/design), parsed with node's
 * util.parseArgs in strict mode: unknown flags, missing values, positionals and repeated
 * single-value flags are usage errors (exit 2).
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "./errors";

export const FORMATS = ["text", "json", "sarif"] as const;
export type OutputFormat = (typeof FORMATS)[number];

/** The project this CLI belongs to: the default program and the home of the default policy pack. */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

export interface PlanArgs {
  stack: string;
  programDir: string;
  policyPacks: string[];
  policyConfigs: string[];
  inventory?: string;
  credentialReport?: string;
  format: OutputFormat;
  out?: string;
  verbose: boolean;
  /** Seconds to wait for a policy pack to print its port. */
  packTimeoutSeconds: number;
  /** Seconds the program may run under the mocks. */
  timeoutSeconds: number;
  /** Any check that could not run makes the exit code 1. */
  failOnUnchecked: boolean;
  /** The text report prints the creation order (waves). */
  order: boolean;
  /** Answer S3 listings as an account where nothing exists yet (the first `pulumi up`); set only when given. */
  emptyAccount?: true;
}

export type ParsedArgs = { help: true } | ({ help: false } & PlanArgs);

export const DEFAULT_PACK_TIMEOUT_SECONDS = 120;
export const DEFAULT_TIMEOUT_SECONDS = 300;

/** Node.js timers hold a signed 32-bit count of milliseconds; a longer delay fires at once. */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

export const USAGE = `Usage: npm run plan -- [options]

Plans a Pulumi TypeScript program offline: runs it under Pulumi's runtime mocks as a first
\`pulumi preview\` of a new stack, hands every resource to each policy pack's real analyzer
server, and estimates the monthly cost. No cloud account, no Pulumi CLI, no network.

Options:
  --stack <name>              stack to plan; reads Pulumi.<name>.yaml beside Pulumi.yaml (default: dev)
  --program <dir>             Pulumi TypeScript program directory (default: this project)
  --policy-pack <dir>         policy pack directory; repeatable (default: ./policy of this project)
  --policy-config <file>      policy config JSON, as for \`pulumi preview --policy-pack-config\`;
                              repeatable: one per --policy-pack in order, or one for all packs
  --inventory <file>          output of \`aws iam get-account-authorization-details\` (JSON)
  --credential-report <file>  the IAM credential report (decoded CSV)
  --format <text|json|sarif>  output format (default: text)
  --out <file>                write the output to a file instead of stdout
  --fail-on-unchecked         exit 1 when any check could not run (see "Not checked" in the report)
  --order                     print the creation order (waves of resources created in parallel)
  --timeout <seconds>         how long the program may run under the mocks (default: ${DEFAULT_TIMEOUT_SECONDS})
  --pack-timeout <seconds>    how long a policy pack may take to start (default: ${DEFAULT_PACK_TIMEOUT_SECONDS})
  --empty-account             plan the first \`pulumi up\` on an empty account: S3 listings find no
                              bucket (default: the data is uploaded and nothing is trained yet)
  --verbose                   timings, pack and program output, and stack traces on stderr
  -h, --help                  show this help

Exit codes: 0 no mandatory violation and nothing mandatory left unchecked;
            1 at least one mandatory violation, or a mandatory check that could not run
              (any check with --fail-on-unchecked);
            2 usage, config, export-file, program, timeout or policy pack error (one line on stderr).`;

const OPTIONS = {
  stack: { type: "string" },
  program: { type: "string" },
  "policy-pack": { type: "string", multiple: true },
  "policy-config": { type: "string", multiple: true },
  inventory: { type: "string" },
  "credential-report": { type: "string" },
  format: { type: "string" },
  out: { type: "string" },
  "pack-timeout": { type: "string" },
  timeout: { type: "string" },
  "fail-on-unchecked": { type: "boolean" },
  order: { type: "boolean" },
  verbose: { type: "boolean" },
  "empty-account": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Parses argv (without node and script); relative paths resolve against `cwd`. */
export function parsePlanArgs(argv: string[], cwd = process.cwd()): ParsedArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError(describeParseError(err as Error & { code?: string }));
  }
  const { values, tokens } = parsed;
  if (values.help) return { help: true };

  // util.parseArgs keeps the last of a repeated flag; a repeated single-value flag is a mistake.
  const seen = new Set<string>();
  for (const token of tokens ?? []) {
    if (token.kind !== "option") continue;
    const spec = OPTIONS[token.name as keyof typeof OPTIONS] as { multiple?: boolean } | undefined;
    const boolean = (spec as { type?: string } | undefined)?.type === "boolean";
    if (spec && !spec.multiple && !boolean && seen.has(token.name))
      throw new UsageError(`--${token.name} given more than once`);
    seen.add(token.name);
  }

  for (const [name, value] of Object.entries(values))
    if (typeof value === "string" && value.trim() === "") throw new UsageError(`--${name} needs a value`);

  const format = values.format ?? "text";
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")} (got "${format}")`);

  const packTimeoutSeconds = seconds("pack-timeout", values["pack-timeout"], DEFAULT_PACK_TIMEOUT_SECONDS);
  const timeoutSeconds = seconds("timeout", values.timeout, DEFAULT_TIMEOUT_SECONDS);

  const resolve = (p: string) => path.resolve(cwd, p);
  const policyPacks = (values["policy-pack"] ?? [path.join(PROJECT_DIR, "policy")]).map(resolve);
  const policyConfigs = (values["policy-config"] ?? []).map(resolve);
  if (policyConfigs.length > 1 && policyConfigs.length !== policyPacks.length)
    throw new UsageError(
      `--policy-config given ${policyConfigs.length} times for ${policyPacks.length} policy pack(s): ` +
        "give one file for all packs, or one per --policy-pack in the same order",
    );

  return {
    help: false,
    stack: values.stack ?? "dev",
    programDir: values.program ? resolve(values.program) : PROJECT_DIR,
    policyPacks,
    policyConfigs,
    inventory: values.inventory ? resolve(values.inventory) : undefined,
    credentialReport: values["credential-report"] ? resolve(values["credential-report"]) : undefined,
    format: format as OutputFormat,
    out: values.out ? resolve(values.out) : undefined,
    verbose: values.verbose ?? false,
    packTimeoutSeconds,
    timeoutSeconds,
    failOnUnchecked: values["fail-on-unchecked"] ?? false,
    order: values.order ?? false,
    ...(values["empty-account"] ? { emptyAccount: true as const } : {}),
  };
}

/** A timeout flag: seconds > 0 that a Node.js timer can wait (a larger one would fire at once). */
function seconds(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${flag} must be a number of seconds > 0 (got "${value}")`);
  if (n > MAX_TIMER_SECONDS)
    throw new UsageError(
      `--${flag} ${value} is longer than a Node.js timer can wait (at most ${MAX_TIMER_SECONDS} s, about 24.8 days)`,
    );
  return n;
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false, tokens: true });
}

/** Node's parseArgs messages mention internals ("place it at the end ... after '--'"); say it plainly. */
function describeParseError(err: Error & { code?: string }): string {
  const flag = /'(-{1,2}[^' ]+)/.exec(err.message)?.[1];
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown flag ${flag ?? err.message}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /argument missing|ambiguous/.test(err.message)
        ? `${flag ?? "a flag"} needs a value`
        : `${flag ?? "a flag"} does not take a value`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${/'([^']*)'/.exec(err.message)?.[1] ?? ""} (flags start with --)`.replace(
        /  +/,
        " ",
      );
    default:
      return err.message;
  }
}
