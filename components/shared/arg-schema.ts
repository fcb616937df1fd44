/**
 * Zod building blocks for component arguments, and `resolveArgs`, which applies a component's
 * schema before `super()` and reports every problem at once, each naming its argument.
 *
 * Messages that mention another argument write it as `ref("autoscaling.minCapacity")`; the
 * reference is rendered as `args.autoscaling.minCapacity` when a component reports it, and as the
 * stack config key (`endpoint.autoscaling.minCapacity`) when the stack program reports it, so the
 * same rule reads right in both places.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { AwsContext } from "./aws-context";
import { isIpv4Cidr } from "./cidr";

const REF = /\{\{([\w.[\]-]+)\}\}/g;

/** A reference to another argument inside a message (see the header). */
export const ref = (path: string): string => `{{${path}}}`;

/** One problem with one argument: `path` is the argument (`["autoscaling", "maxCapacity"]`). */
export interface ArgProblem {
  path: string[];
  /** What is wrong, what is allowed and the value given, without the argument's own name. */
  message: string;
  /** Where the `ref(...)`s of the message are relative to: the object the rule ran on. */
  refBase: string[];
}

/** How argument paths are shown: `args.x.y` for a component, a config key for the stack. */
export type ArgNamer = (path: string[]) => string;

export const argName: ArgNamer = (path) => (path.length ? `args.${path.join(".")}` : "args");

/** Renders the `{{path}}` references of a problem's message with the namer. */
export function renderMessage(p: Pick<ArgProblem, "message" | "refBase">, name: ArgNamer): string {
  return p.message.replace(REF, (_m, path: string) => name([...p.refBase, ...path.split(".")]));
}

/** Every problem with a component's arguments; `message` has one line per problem. */
export class ComponentArgsError extends Error {
  constructor(
    readonly component: string,
    readonly resourceName: string,
    readonly problems: ArgProblem[],
  ) {
    super(
      problems
        .map((p) => `${component} ${resourceName}: ${argName(p.path)} ${renderMessage(p, argName)}`)
        .join("\n"),
    );
    this.name = "ComponentArgsError";
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** A value as a message quotes it: JSON, shortened; Outputs and resources are not shown. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (pulumi.Output.isInstance(value)) return "an Output";
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) return typeof value;
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** The keys a strict object schema at `path` accepts, for "did you mean" help. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let cur: z.ZodType = schema;
  for (const key of path) {
    const shape = objectShape(cur);
    if (!shape || typeof key !== "string" || !(key in shape)) return undefined;
    cur = shape[key];
  }
  const shape = objectShape(cur);
  return shape ? Object.keys(shape) : undefined;
}

/** The shape of an object schema, looking through defaults, optionals, pipes and refinements. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let cur: z.ZodType = schema;
  for (let i = 0; i < 10; i++) {
    if (cur instanceof z.ZodObject) return cur.shape as Record<string, z.ZodType>;
    const def = (cur as unknown as { _zod: { def: { innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
    const inner = def.innerType ?? def.in;
    if (!inner) return undefined;
    cur = inner;
  }
  return undefined;
}

/**
 * Turns zod issues into problems that name their argument, quote the value given and, for an
 * unknown key, list the known ones. `raw` is what the caller passed (values are quoted from it).
 */
export function problemsOf(
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
): ArgProblem[] {
  const problems: ArgProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, issue.path);
      for (const k of issue.keys)
        problems.push({
          path: [...path, k],
          message: `is not a known setting${known ? ` (known: ${known.join(", ")})` : ""}`,
          refBase: path,
        });
      continue;
    }
    const got = valueAt(raw, issue.path);
    let message = issue.message;
    if (issue.code === "invalid_type" && got === undefined) message = "is required";
    else if (issue.code === "invalid_type" && issue.expected === "object")
      message = `must be a map of settings (known: ${(knownKeysAt(schema, issue.path) ?? []).join(", ")})`;
    // Cross-field messages already quote the values they compare.
    // Objects (a store, an endpoint, a settings map) are not quoted: their JSON says nothing useful.
    const quotable = got !== undefined && (got === null || typeof got !== "object" || Array.isArray(got));
    const suffix = message.includes("(got ") || !quotable ? "" : ` (got ${show(got)})`;
    // A rule's references are relative to the object it ran on (see `problem`).
    const depth = (issue as { params?: { refDepth?: number } }).params?.refDepth;
    const refBase = depth === undefined ? [] : path.slice(0, path.length - depth);
    problems.push({ path, message: `${message}${suffix}`, refBase });
  }
  return problems;
}

/**
 * Validates and resolves a component's arguments (defaults applied) before the component
 * registers anything; throws a ComponentArgsError naming every problem.
 */
export function resolveArgs<S extends z.ZodType>(
  component: string,
  name: string,
  schema: S,
  args: unknown,
): z.output<S> {
  const result = schema.safeParse(args ?? {});
  if (result.success) return result.data;
  throw new ComponentArgsError(component, name, problemsOf(schema, result.error.issues, args));
}

// ---- field builders that carry their own "what is allowed" message ----

export const int = (min: number, max?: number) => {
  const allowed =
    max === undefined
      ? `must be a whole number >= ${min}`
      : `must be a whole number between ${min} and ${max}`;
  const base = z.number({ error: allowed }).int({ error: allowed }).min(min, { error: allowed });
  return max === undefined ? base : base.max(max, { error: allowed });
};

export const num = (min: number, max: number, exclusiveMin = false) => {
  const allowed = `must be a number ${exclusiveMin ? ">" : ">="} ${min} and <= ${max}`;
  const base = z.number({ error: allowed });
  return (exclusiveMin ? base.gt(min, { error: allowed }) : base.min(min, { error: allowed })).max(max, {
    error: allowed,
  });
};

export const bool = () => z.boolean({ error: "must be true or false" });

export const text = (what = "a non-empty string") =>
  z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });

export const pattern = (re: RegExp, what: string) =>
  z.string({ error: `must be ${what}` }).regex(re, { error: `must be ${what}` });

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.map((v) => JSON.stringify(v)).join(", ")}` });

export const cidr = (what = "an IPv4 CIDR such as 10.40.0.0/16") =>
  // abort: a value that is no CIDR at all gets no further (range) checks.
  z.string({ error: `must be ${what}` }).refine(isIpv4Cidr, { error: `must be ${what}`, abort: true });

export const tagsSchema = z.record(
  z.string().regex(/^[\w.:/=+@ -]{1,128}$/, { error: "tag keys must be 1-128 characters" }),
  z.string({ error: "tag values must be strings" }).max(256, { error: "must be at most 256 characters" }),
  { error: "must be a map of tag names to string values" },
);

/** A required `pulumi.Input` (a plain value, an Output or a Promise): only its presence is checked. */
export const input = <T>(what: string) =>
  z.custom<pulumi.Input<T>>((v) => v !== undefined && v !== null, { error: `is required (${what})` });

/** An optional `pulumi.Input`. */
export const optionalInput = <T>() => z.custom<pulumi.Input<T> | undefined>(() => true).optional();

/** A required object the component reads fields from (an `ArtifactStore`, a `SourceBundle`, ...). */
export const collaborator = <T>(what: string, has: string[]) =>
  z.custom<T>(
    (v) =>
      v !== null &&
      typeof v === "object" &&
      has.every((k) => (v as Record<string, unknown>)[k] !== undefined),
    { error: `must be ${what} (with ${has.join(", ")})` },
  );

type Defaulted<F extends Record<string, z.ZodType>, D extends Partial<Record<keyof F, unknown>>> = {
  [K in keyof F]: K extends keyof D ? z.ZodDefault<F[K]> : F[K];
};

/** The fields with the defaults given (a component's DEFAULTS), for schemas that fill them in. */
export function withDefaults<
  F extends Record<string, z.ZodType>,
  D extends Partial<Record<keyof F, unknown>>,
>(fields: F, defaults: D): Defaulted<F, D> {
  const out: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(fields))
    out[key] =
      key in defaults
        ? (field as z.ZodType).default(
            () => structuredClone((defaults as Record<string, unknown>)[key]) as never,
          )
        : field;
  return out as Defaulted<F, D>;
}

/** The fields, each optional: for component schemas that must see whether an argument was given. */
export function optionalFields<F extends Record<string, z.ZodType>>(
  fields: F,
): { [K in keyof F]: z.ZodOptional<F[K]> } {
  const out: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(fields)) out[key] = (field as z.ZodType).optional();
  return out as { [K in keyof F]: z.ZodOptional<F[K]> };
}

/** Adds a problem at `path` (relative to the object being refined). */
export function problem(ctx: z.RefinementCtx, path: (string | number)[], message: string): void {
  ctx.addIssue({ code: "custom", path, message, params: { refDepth: path.length } });
}

/** The entries whose value is not undefined: spreading them over defaults never wipes a default. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Options for a cross-argument rule (`.superRefine(rule, whenValid("a", "b"))`): it runs even when
 * other arguments are invalid, so every problem is reported at once, but only when the top-level
 * arguments it reads are valid (it never judges a value that is already reported as malformed).
 */
export function whenValid(...reads: string[]) {
  return {
    when: (payload: { value: unknown; issues: readonly { path?: PropertyKey[] }[] }) =>
      payload.value !== null &&
      typeof payload.value === "object" &&
      !payload.issues.some((i) => reads.includes(String(i.path?.[0]))),
  };
}

/** The `context` argument every component takes (see `lookupAwsContext`). */
export const awsContextArg = () => input<AwsContext>("the AWS context, see lookupAwsContext");

/** A `storage` argument: the artifact store, or any object of the same shape. */
export const artifactStoreArg = <T>() =>
  collaborator<T>("the artifact store (an ArtifactStore or the same shape)", [
    "bucketName",
    "datasetPrefix",
    "prefixes",
  ]);
