/**
 * Runs a Pulumi program (a function, or a module's top-level code wrapped in one) inside a root
 * stack resource under Pulumi's runtime mocks, with the semantics of a first `pulumi preview` of a
 * new stack: inputs are what the program declares, provider-computed outputs (ids, ARNs) stay
 * unknown, and invokes get the provider's answer where the plan can compute it offline
 * (cli/invokes), unknown values where it cannot.
 *
 * What the SDK sends the engine is captured per resource: URN, parent, dependencies, property
 * dependencies, wire-form inputs, options, and the source position of the code that declared it
 * (`RegisterResourceRequest.sourcePosition` and `stackTrace`, which the SDK fills from the stack
 * trace it parses in `Resource.callsites`; the mock monitor ignores them, this capture does not).
 *
 * How a result is unknown, as the SDK itself marks it during a preview: a field the mocks answer
 * with `rpc.unknownValue` reaches the program as the SDK's `unknown` (rpc.deserializeProperty keeps
 * it in a dry run), which makes an Output unknown (OutputImpl: `containsUnknowns`) while the known
 * fields stay readable through lifted property access; a result the plan has no answer for at all
 * becomes an Output constructed unknown (`isKnown` false) in the Output forms, and an object whose
 * every field is `unknown` in the plain forms. Either serializes back to `rpc.unknownValue` in the
 * inputs of the resources that use it.
 *
 * Invokes without a known result are traced to the resources they feed: every Output-form invoke
 * result carries a marker dependency (a `DependencyResource` with a URN of our own), which the SDK
 * records in the dependencies of whatever consumes it; the marker is removed from what is captured
 * and reported instead as "this property came from an invoke with no known answer".
 */
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime";
import { answerInvoke, InvokeContext } from "../invokes";

/** A source position as the SDK sends it (`uri` is a file: URL). */
export interface SourcePosition {
  uri: string;
  line: number;
  column: number;
}

export interface CapturedOptions {
  protect: boolean;
  ignoreChanges: string[];
  /** Set only when the program set `deleteBeforeReplace`. */
  deleteBeforeReplace?: boolean;
  additionalSecretOutputs: string[];
  /** Aliases given as URNs. */
  aliases: string[];
  /** Custom timeouts as Pulumi duration strings ("5m", "1h30m"); empty when not set. */
  customTimeouts: { create: string; update: string; delete: string };
  /** Set only when the program set `retainOnDelete: true` (the engine forgets it instead of deleting it). */
  retainOnDelete?: true;
}

/** One RegisterResource request, as the engine would receive it. */
export interface Registration {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** URN of the parent resource; the stack itself for top-level resources. */
  parent?: string;
  /** URNs this resource depends on (dependsOn and inputs). */
  dependencies: string[];
  /** Per input property, the URNs its value came from (as the engine records them). */
  propertyDependencies: Record<string, string[]>;
  /** Inputs exactly as sent to the engine (wire form, with sentinels). */
  wireInputs: Record<string, unknown>;
  /** Provider reference (`<provider urn>::<id>`) when the resource names an explicit provider. */
  provider?: string;
  /** Resource options the engine hands to analyzers. */
  options: CapturedOptions;
  /** Version of the resource's package (the SDK sends it so the engine picks a default provider). */
  version?: string;
  /** Where the program declared it (the SDK's sourcePosition; see `sourceOf`). */
  source?: SourcePosition;
  /** Invoke ids (see `UnresolvedInvoke`) whose unknown results reached this resource, per property ("" = dependsOn). */
  fromInvokes: Record<string, number[]>;
}

export interface CapturedInvoke {
  token: string;
  args: Record<string, unknown>;
}

/** An invoke whose result the program received as unknown (or, in the plain form, empty). */
export interface UnresolvedInvoke {
  id: number;
  token: string;
  form: "output" | "plain";
  /** no-answer: the plan cannot compute it offline; unknown-inputs: the SDK skipped it (a preview does too). */
  kind: "no-answer" | "unknown-inputs";
  reason: string;
  /** Where the program called it. */
  site?: SourcePosition;
  /** URNs of the resources its inputs came from (unknown-inputs). */
  inputsFrom: string[];
}

export interface PreviewOptions {
  project: string;
  stack: string;
  /** Flat config, `namespace:key` -> string (objects as JSON text), as in Pulumi.<stack>.yaml. */
  config?: Record<string, string>;
  /** Keys of `config` that are secrets. */
  secretKeys?: string[];
  /** Organization name for URNs and `pulumi.getOrganization()`. Default `organization`. */
  organization?: string;
  /** The account export that answers account look-ups (getRole, ...). */
  inventory?: InvokeContext["inventory"];
  /** What S3 listings find (cli/invokes/s3-objects.ts); default: the data is uploaded, nothing is trained. */
  s3?: InvokeContext["s3"];
  /** Called with warnings about invoke answers (what the provider drops, ...). */
  onWarning?: (text: string) => void;
  /** Aborting ends the run at once with the signal's reason (a timeout, process.exit, a stray error). */
  signal?: AbortSignal;
  /**
   * Whether a file belongs to an installed package rather than to the program (see `sourceOf`).
   * Default: its path has a node_modules folder. The program loader adds the real folders of
   * packages linked into node_modules (npm link, workspaces, `file:` folders).
   */
  isLibraryFile?: (file: string) => boolean;
}

const inNodeModules = (file: string): boolean => file.includes("/node_modules/");

export interface PreviewRun<T> {
  resources: Registration[];
  /** Invokes that reached the provider (the mocks), with their arguments. */
  invokes: CapturedInvoke[];
  /** Invokes whose result was unknown. */
  unresolved: UnresolvedInvoke[];
  result: T;
}

/** How the plan marks an invoke result it has no answer for, between the mock and the SDK wrapper. */
const NO_ANSWER_KEY = "planUnknownInvokeResult";
const NO_ANSWER_PREFIX = "\u0000plan:no-answer:";
/** URNs of the marker dependencies that trace an invoke's result into the resources that use it. */
export const INVOKE_MARKER_PREFIX = "urn:plan:invoke:";

const markerId = (urn: string) => Number(urn.slice(INVOKE_MARKER_PREFIX.length));
const isMarker = (urn: string) => urn.startsWith(INVOKE_MARKER_PREFIX);

function noAnswerId(value: unknown): number | undefined {
  const text =
    typeof value === "string"
      ? value
      : value && typeof value === "object"
        ? (value as Record<string, unknown>)[NO_ANSWER_KEY]
        : undefined;
  return typeof text === "string" && text.startsWith(NO_ANSWER_PREFIX)
    ? Number(text.slice(NO_ANSWER_PREFIX.length))
    : undefined;
}

function propertyDependenciesOf(req: any): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
    out[key] = deps.getUrnsList();
  });
  return out;
}

function optionsOf(req: any): CapturedOptions {
  const timeouts = req.getCustomtimeouts();
  const aliasUrns: string[] = [
    ...req.getAliasurnsList(),
    ...req
      .getAliasesList()
      .map((a: any) => (a.hasUrn?.() ? a.getUrn() : ""))
      .filter((u: string) => u !== ""),
  ];
  return {
    protect: req.getProtect() ?? false,
    ignoreChanges: req.getIgnorechangesList(),
    deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    aliases: aliasUrns,
    customTimeouts: {
      create: timeouts?.getCreate() ?? "",
      update: timeouts?.getUpdate() ?? "",
      delete: timeouts?.getDelete() ?? "",
    },
    ...(req.getRetainondelete?.() ? { retainOnDelete: true as const } : {}),
  };
}

const positionOf = (pos: any): SourcePosition | undefined =>
  pos && pos.getUri() ? { uri: pos.getUri(), line: pos.getLine(), column: pos.getColumn() } : undefined;

/**
 * The position that declared a resource: the SDK's sourcePosition (the caller of the resource's
 * constructor), or, when that is inside an installed package (a component library creating
 * children), the first frame of the SDK's stack trace outside installed packages.
 */
function sourceOf(req: any, isLibraryFile: (file: string) => boolean): SourcePosition | undefined {
  const library = (p: SourcePosition) => {
    try {
      return isLibraryFile(p.uri.startsWith("file:") ? fileURLToPath(p.uri) : p.uri);
    } catch {
      return inNodeModules(p.uri);
    }
  };
  const first = positionOf(req.getSourceposition());
  if (!first || !library(first)) return first;
  const frames: SourcePosition[] = (req.getStacktrace()?.getFramesList() ?? [])
    .map((f: any) => positionOf(f.getPc()))
    .filter((p: SourcePosition | undefined): p is SourcePosition => p !== undefined);
  return frames.find((p) => !library(p)) ?? first;
}

// One run at a time: the Pulumi runtime keeps its state in process-wide globals.
let running: Promise<unknown> = Promise.resolve();

export function runPreview<T>(
  program: () => T | Promise<T>,
  options: PreviewOptions,
): Promise<PreviewRun<Awaited<T>>> {
  const run = running.then(() => runExclusive(program, options));
  running = run.catch(() => undefined);
  return run;
}

async function runExclusive<T>(
  program: () => T | Promise<T>,
  options: PreviewOptions,
): Promise<PreviewRun<Awaited<T>>> {
  const config = options.config ?? {};
  const ctx: InvokeContext = {
    region: config["aws:region"] ?? "us-east-1",
    inventory: options.inventory,
    s3: options.s3,
  };
  const invokes: CapturedInvoke[] = [];
  const resources: Registration[] = [];
  const unresolved: UnresolvedInvoke[] = [];
  const noAnswers = new Map<number, string>();
  let nextNoAnswer = 0;

  const mocks: pulumi.runtime.Mocks = {
    newResource(args: MockResourceArgs) {
      // First preview: providers have computed nothing yet, so state echoes the inputs and the id is unknown.
      return { id: undefined, state: args.inputs };
    },
    call(args: MockCallArgs) {
      invokes.push({ token: args.token, args: args.inputs });
      const outcome = answerInvoke(args.token, args.inputs, ctx);
      if ("answer" in outcome) {
        for (const w of outcome.warnings ?? []) options.onWarning?.(`invoke ${args.token}: ${w}`);
        return outcome.answer;
      }
      const id = nextNoAnswer++;
      noAnswers.set(id, outcome.unknown);
      return { [NO_ANSWER_KEY]: `${NO_ANSWER_PREFIX}${id}` };
    },
  };
  pulumi.runtime.setAllConfig(config, options.secretKeys);
  await pulumi.runtime.setMocks(
    mocks,
    options.project,
    options.stack,
    true,
    options.organization ?? "organization",
  );

  // Capture what the SDK sends to the monitor: URN, parent, dependencies and source are only there.
  const settings = require("@pulumi/pulumi/runtime/settings");
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) => {
    register(req, (err: unknown, resp: any) => {
      if (!err && resp) {
        const fromInvokes: Record<string, number[]> = {};
        const propertyDependencies: Record<string, string[]> = {};
        for (const [prop, urns] of Object.entries(propertyDependenciesOf(req))) {
          const markers = urns.filter(isMarker);
          if (markers.length > 0) fromInvokes[prop] = markers.map(markerId);
          propertyDependencies[prop] = urns.filter((u) => !isMarker(u));
        }
        const all: string[] = req.getDependenciesList();
        const viaProperties = new Set(Object.values(fromInvokes).flat());
        const direct = all
          .filter(isMarker)
          .map(markerId)
          .filter((id) => !viaProperties.has(id));
        if (direct.length > 0) fromInvokes[""] = direct;
        resources.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          parent: req.getParent() || undefined,
          dependencies: all.filter((u) => !isMarker(u)),
          propertyDependencies,
          wireInputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
          provider: req.getProvider() || undefined,
          options: optionsOf(req),
          version: req.getVersion() || undefined,
          source: sourceOf(req, options.isLibraryFile ?? inNodeModules),
          fromInvokes,
        });
      }
      callback(err, resp);
    });
  };

  const pending: Promise<unknown>[] = [];
  const restoreInvokes = traceInvokes(unresolved, noAnswers, pending);
  const restoreStacks = sourceMappedStacks();
  // Run inside a root stack resource, as the Pulumi language host does. The stack swallows
  // nothing: a program error is kept here and rethrown once pending registrations are done.
  let result: Awaited<T> | undefined;
  let failure: { error: unknown } | undefined;
  const signal = options.signal;
  const aborted = new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  aborted.catch(() => undefined);
  try {
    await Promise.race([
      (async () => {
        await pulumi.runtime.runInPulumiStack(async () => {
          try {
            result = await program();
          } catch (error) {
            failure = { error };
          }
          return undefined;
        });
        await settings.waitForRPCs();
        await Promise.allSettled(pending);
      })(),
      aborted,
    ]);
  } finally {
    restoreStacks();
    restoreInvokes();
  }
  if (failure) throw failure.error;
  unresolved.sort((a, b) => a.id - b.id);
  // Only invokes without a known result are worth naming on the resources they reached.
  const unknownIds = new Set(unresolved.map((u) => u.id));
  for (const r of resources)
    for (const [prop, ids] of Object.entries(r.fromInvokes)) {
      const kept = ids.filter((id) => unknownIds.has(id));
      if (kept.length > 0) r.fromInvokes[prop] = kept;
      else delete r.fromInvokes[prop];
    }
  return { resources, invokes, unresolved, result: result as Awaited<T> };
}

/**
 * While the program runs, stack traces are short and, for the frames anyone reads, source-mapped:
 *   - the SDK formats a stack for every promise it makes (debuggablePromise, for leak reports):
 *     through ts-node's source maps that dominated large programs (250 resources: 7.3 s -> 2.4 s),
 *     so those stay unmapped and two frames long;
 *   - `Resource.callsites` (the source position of every resource) and real errors are formatted by
 *     the source-map support that is installed (ts-node's, or jest's), so lines are the .ts lines.
 *     A frame without a function name is written "<anonymous> (file:line:col)": the SDK's parser
 *     needs the parentheses, so resources declared in callbacks get a position too.
 */
export function sourceMappedStacks(): () => void {
  const { prepareStackTrace, stackTraceLimit } = Error;
  const mapped = prepareStackTrace;
  Error.stackTraceLimit = 4;
  Error.prepareStackTrace = (error, frames) => {
    const head = frames[0];
    if (head?.getFunctionName() === "debuggablePromise")
      return [String(error), ...frames.slice(0, 2).map((f) => `    at ${f}`)].join("\n");
    const kept = frames.slice(0, head?.getFunctionName() === "callsites" ? 16 : 8);
    let lines: string[];
    if (mapped) {
      const text = String(mapped(error, kept));
      lines = text.split("\n").slice(-kept.length);
      if (lines.length !== kept.length || !lines.every((l) => /^\s+at /.test(l)))
        lines = kept.map((f) => `    at ${f}`);
    } else {
      lines = kept.map((f) => `    at ${f}`);
    }
    const named = lines.map((l) =>
      l.replace(/^(\s+at )((?:file:\/\/)?\/[^()]*:\d+:\d+)$/, "$1<anonymous> ($2)"),
    );
    return [String(error), ...named].join("\n");
  };
  return () => {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  };
}

type InvokeFn = (tok: string, props: any, opts?: any, packageRef?: any) => any;

/**
 * Wraps the SDK's invoke functions for one run: Output forms get their marker dependency and turn
 * "no answer" into an unknown Output; plain forms turn it into an object whose every field is
 * unknown. Invokes the SDK itself skipped (inputs unknown at preview) are recorded too.
 */
function traceInvokes(
  unresolved: UnresolvedInvoke[],
  noAnswers: Map<number, string>,
  pending: Promise<unknown>[],
): () => void {
  const invokeModule = require("@pulumi/pulumi/runtime/invoke") as Record<string, InvokeFn>;
  const rpc = require("@pulumi/pulumi/runtime/rpc");
  const { containsUnknowns } = require("@pulumi/pulumi/output");
  const { DependencyResource } = require("@pulumi/pulumi/resource");
  const OutputImpl = pulumi.Output as unknown as new (...args: unknown[]) => pulumi.Output<unknown>;
  const saved = { ...invokeModule };
  let next = 0;

  const record = (entry: Omit<UnresolvedInvoke, "inputsFrom">, props: unknown) => {
    const item: UnresolvedInvoke = { ...entry, inputsFrom: [] };
    unresolved.push(item);
    if (item.kind === "unknown-inputs")
      pending.push(
        rpc
          .serializePropertiesReturnDeps(`invoke:${entry.token}`, props)
          .then(async ([, deps]: [unknown, Map<string, Set<pulumi.Resource>>]) => {
            const urns = new Set<string>();
            for (const set of deps.values()) for (const r of set) urns.add(await (r.urn as any).promise());
            item.inputsFrom = [...urns].filter((u) => !isMarker(u)).sort();
          })
          .catch(() => undefined),
      );
  };
  const noAnswerReason = (id: number) => noAnswers.get(id) ?? "no offline answer";

  const outputForm =
    (original: InvokeFn): InvokeFn =>
    (tok, props, opts, packageRef) => {
      const id = next++;
      const site = callSite();
      const out = original(tok, props, opts, packageRef) as any;
      const marker = new DependencyResource(`${INVOKE_MARKER_PREFIX}${id}`);
      const value: Promise<unknown> = out.promise(true);
      const answered = value.then((v) => noAnswerId(v) === undefined);
      pending.push(
        Promise.all([out.isKnown, value]).then(
          ([known, v]) => {
            const missing = noAnswerId(v);
            if (missing !== undefined)
              record(
                { id, token: tok, form: "output", kind: "no-answer", reason: noAnswerReason(missing), site },
                props,
              );
            else if (!known && !containsUnknowns(v))
              // The SDK did not call the provider: an input was unknown, or came from a resource not yet created.
              record(
                { id, token: tok, form: "output", kind: "unknown-inputs", reason: unknownInputsReason, site },
                props,
              );
          },
          () => undefined,
        ),
      );
      return new OutputImpl(
        [...out.resources(), marker],
        value.then((v) => (noAnswerId(v) === undefined ? v : undefined)),
        Promise.all([out.isKnown, answered]).then(([k, a]) => k && a),
        out.isSecret,
        out.allResources().then((r: pulumi.Resource[]) => [...r, marker]),
      );
    };

  const plainForm =
    (original: InvokeFn, single: boolean): InvokeFn =>
    async (tok, props, opts, packageRef) => {
      const id = next++;
      const site = callSite();
      const result = await original(tok, props, opts, packageRef);
      const missing = noAnswerId(result);
      if (missing !== undefined) {
        record(
          { id, token: tok, form: "plain", kind: "no-answer", reason: noAnswerReason(missing), site },
          props,
        );
        return single ? pulumi.unknown : unknownFields();
      }
      if (!single && result && typeof result === "object" && Object.keys(result).length === 0) {
        const serialized = await rpc.serializeProperties(`invoke:${tok}`, props).catch(() => ({}));
        if (rpc.containsUnknownValues(serialized))
          record(
            { id, token: tok, form: "plain", kind: "unknown-inputs", reason: plainUnknownInputsReason, site },
            props,
          );
      }
      return result;
    };

  const wrapped = {
    invokeOutput: outputForm(saved.invokeOutput),
    invokeSingleOutput: outputForm(saved.invokeSingleOutput),
    invoke: plainForm(saved.invoke, false),
    invokeSingle: plainForm(saved.invokeSingle, true),
  };
  // `pulumi.runtime` copies the invoke module's functions (runtime/index.js `__export`), and
  // packages call them through it: both are patched.
  const runtimeIndex = require("@pulumi/pulumi/runtime") as Record<string, InvokeFn>;
  const savedIndex = Object.fromEntries(Object.keys(wrapped).map((k) => [k, runtimeIndex[k]]));
  Object.assign(invokeModule, wrapped);
  Object.assign(runtimeIndex, wrapped);
  return () => {
    Object.assign(invokeModule, saved);
    Object.assign(runtimeIndex, savedIndex);
  };
}

const unknownInputsReason =
  "its inputs are unknown at preview (they come from resources not yet created), so the SDK does not " +
  "call the provider and the result is unknown, as in a real preview";
const plainUnknownInputsReason =
  "the plain (Promise) form was given inputs unknown at preview: the SDK hands the program an empty " +
  "result without calling the provider, as in a real preview; use the Output form (…Output) so the " +
  "result is unknown rather than empty";

/** A plain invoke result without an answer: every field the program reads is unknown. */
function unknownFields(): Record<string, unknown> {
  return new Proxy(
    {},
    {
      get: (_, key) =>
        typeof key === "string" && key !== "then" && key !== "toJSON" ? pulumi.unknown : undefined,
    },
  );
}

/** The program's line that called an invoke: the first frame outside @pulumi's own packages. */
function callSite(): SourcePosition | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 12;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  for (const line of stack.split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?$/.exec(line.trim());
    if (!m || /node_modules[\\/]@pulumi[\\/]/.test(m[1]) || m[1].endsWith("preview-runtime.ts")) continue;
    const file = m[1].startsWith("file://") ? m[1] : require("node:url").pathToFileURL(m[1]).toString();
    return { uri: file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
