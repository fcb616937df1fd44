/**
 * What every package-facing component shares: its resource token, the AWS context it looks up when
 * none is given, and how arguments that arrive from another language's SDK reach the TypeScript
 * component.
 *
 * Through the engine, a value another resource produced arrives as an Output, even when it is
 * known (the engine sends it with its dependencies; @pulumi/pulumi's provider server wraps such
 * inputs: deserializeInputs in provider/server.ts). The TypeScript components need some arguments
 * as plain values (names, sizes, modes: they decide which resources exist and what they are
 * called), so `adapt` waits for those (an `apply`) and passes the Input-typed ones through
 * untouched, so their values may stay unknown during a preview. When every plain argument already
 * is plain, the component is built at once, exactly as a TypeScript program would build it.
 */
import * as pulumi from "@pulumi/pulumi";
import { ARTIFACT_PREFIXES, ARTIFACT_STORE_DEFAULTS, AwsContext, lookupAwsContext } from "../../components";

/** The Pulumi package's name, from provider/package.json: tokens are `<name>:index:<Class>`. */
export const PACKAGE_NAME: string = require("../package.json").name;

/** The resource token of a package-facing component (componentProviderHost serves module `index`). */
export const token = (component: string): string => `${PACKAGE_NAME}:index:${component}`;

/** The context given, else looked up (partition, region, account) with the component as parent. */
export function awsContext(
  given: pulumi.Input<AwsContext> | undefined,
  parent: pulumi.Resource,
): pulumi.Input<AwsContext> {
  return given ?? pulumi.output(lookupAwsContext({ parent }));
}

type Path = readonly string[];
const split = (p: string): Path => p.split(".");

function take(value: unknown, path: Path): { rest: unknown; taken?: unknown; found: boolean } {
  if (!value || typeof value !== "object" || Array.isArray(value) || pulumi.Output.isInstance(value))
    return { rest: value, found: false };
  const [head, ...tail] = path;
  const record = value as Record<string, unknown>;
  if (!(head in record)) return { rest: value, found: false };
  if (tail.length === 0) {
    const { [head]: taken, ...rest } = record;
    return { rest, taken, found: true };
  }
  const inner = take(record[head], tail);
  return { rest: { ...record, [head]: inner.rest }, taken: inner.taken, found: inner.found };
}

function put(value: Record<string, unknown>, path: Path, item: unknown): Record<string, unknown> {
  const [head, ...tail] = path;
  if (tail.length === 0) return { ...value, [head]: item };
  const inner = (value[head] ?? {}) as Record<string, unknown>;
  return { ...value, [head]: put(inner, tail, item) };
}

/** Paths of the Outputs inside a value (`a.b`), not looking into Outputs or resources. */
function outputPaths(value: unknown, at: string[] = []): string[] {
  if (pulumi.Output.isInstance(value)) return [at.join(".")];
  if (!value || typeof value !== "object" || pulumi.Resource.isInstance(value)) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => outputPaths(v, [...at, k]));
}

/**
 * Builds the TypeScript component from package-facing arguments. `inputs` are the argument paths
 * the component accepts as `pulumi.Input` (passed through as they are); every other argument is
 * made plain first, waiting for it if it arrived as an Output. `build` gets the options of the
 * TypeScript component (this one as parent, the arguments' resources as dependencies). Returns the
 * component's outputs.
 */
export function adapt<A extends object, O>(
  self: pulumi.ComponentResource,
  what: string,
  args: A,
  inputs: readonly string[],
  build: (args: A, opts: pulumi.ComponentResourceOptions) => O,
): pulumi.Output<pulumi.Unwrap<O>> {
  // The TypeScript component waits for the resources the engine says an argument came from, as it
  // waits for collaborators that are resources in a TypeScript program: it may name them by literal
  // (a bucket name, an endpoint ARN), and the engine orders only what it is told
  // (components/shared/dependencies.ts).
  const opts: pulumi.ComponentResourceOptions = { parent: self, dependsOn: dependenciesOf(args) };
  let plain: unknown = args ?? {};
  const passed: [Path, unknown][] = [];
  for (const input of inputs) {
    const { rest, taken, found } = take(plain, split(input));
    plain = rest;
    if (found) passed.push([split(input), taken]);
  }
  const rebuild = (resolved: unknown) =>
    build(
      passed.reduce((acc, [path, v]) => put(acc, path, v), resolved as Record<string, unknown>) as A,
      opts,
    );
  const waiting = outputPaths(plain);
  if (waiting.length === 0) return pulumi.output(rebuild(plain));
  const resolved = pulumi.output(plain as Record<string, unknown>);
  // An apply does not run while a value is unknown (a preview, before the resource that makes it
  // exists): the component's resources are then declared by `pulumi up` only. Say so.
  const known = (resolved as unknown as { isKnown?: Promise<boolean> }).isKnown;
  void known?.then((isKnown) => {
    if (!isKnown && pulumi.runtime.isDryRun())
      pulumi.log.warn(
        `${what}: ${waiting.map((p) => `args.${p}`).join(", ")} not known during this preview, so the ` +
          "component's resources are not shown or checked by policies until `pulumi up`; pass plain values " +
          "(e.g. the names you gave those resources) to see them in previews",
        self,
      );
  });
  return resolved.apply((value) => pulumi.output(rebuild(value)));
}

/**
 * Compile-time check that a package-facing args interface has exactly the TypeScript component's
 * argument names, less `Omitted` and plus `Added`: a new or renamed argument fails `npm run typecheck`.
 */
export type SameArgNames<
  Real,
  Package,
  Omitted extends keyof Real = never,
  Added extends keyof Package = never,
> = [Exclude<keyof Real, Omitted>] extends [Exclude<keyof Package, Added>]
  ? [Exclude<keyof Package, Added>] extends [Exclude<keyof Real, Omitted>]
    ? true
    : { missingInTypeScript: Exclude<Exclude<keyof Package, Added>, keyof Real> }
  : { missingInPackage: Exclude<Exclude<keyof Real, Omitted>, keyof Package> };

/** Fails to compile unless `T` is `true`. */
export type Expect<T extends true> = T;

/**
 * The resources the Outputs in `value` came from (the engine's dependencies of a remote input),
 * so a component built from them can wait for them. Uses Output's `resources()`, which
 * @pulumi/pulumi keeps internal; without it, nothing (the engine still orders by inputs).
 */
export function dependenciesOf(value: unknown): pulumi.Resource[] {
  const found = new Set<pulumi.Resource>();
  const visit = (v: unknown) => {
    if (pulumi.Output.isInstance(v)) {
      const resources = (v as unknown as { resources?: () => Set<pulumi.Resource> }).resources?.();
      for (const r of resources ?? []) found.add(r);
    } else if (v && typeof v === "object" && !pulumi.Resource.isInstance(v)) Object.values(v).forEach(visit);
  };
  visit(value);
  return [...found];
}

/**
 * A store the training and notebook components use, by name: `ArtifactStore`'s bucket and dataset
 * prefix (its other prefixes are fixed: code/, models/, checkpoints/, notebooks/, data-capture/).
 */
export interface ArtifactStoreRef {
  /** The artifact store's bucket name. Required. */
  bucketName: string;
  /** The dataset prefix (train/, valid/, test/ below it). Default `datasets/dog-images`. */
  datasetPrefix?: string;
}

/** An uploaded `sourcedir.tar.gz`: `SourceBundle`'s `bucketName`, `key` and `sha256` outputs. */
export interface SourceBundleRefArgs {
  /** Bucket of the bundle (the artifact store's). Required. */
  bucketName: string;
  /** Object key, e.g. `code/0123456789abcdef/sourcedir.tar.gz`. Required. */
  key: string;
  /** Hex sha256 of the archive (part of the job names). Required. */
  sha256: string;
}

/** The store shape the TypeScript components take, from a reference by name. */
export function storeOf(ref: ArtifactStoreRef) {
  return {
    bucketName: ref.bucketName,
    datasetPrefix: ref.datasetPrefix ?? ARTIFACT_STORE_DEFAULTS.datasetPrefix,
    prefixes: { ...ARTIFACT_PREFIXES },
  };
}
