/**
 * The resources of a plan as the Pulumi engine would hold them in a first preview: what the program
 * registered, plus the default provider the engine creates for each package a custom resource uses
 * without an explicit provider. Properties stay in wire form (unknown and secret sentinels), with
 * the engine's own marshalling for analyzers applied: resource references become their id (custom)
 * or URN (component), output values become their value or an unknown, internal `__` keys are dropped.
 */
import { WIRE } from "../wire";
import type { CapturedOptions, Registration, SourcePosition } from "./preview-runtime";

export { WIRE } from "../wire";

/** How values are shown to people and in `--format json`. */
export const SHOWN_UNKNOWN = "[unknown]";
export const SHOWN_SECRET = "[secret]";

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** Properties as the engine sends them to analyzers (wire form). */
  properties: Record<string, unknown>;
  options: CapturedOptions;
  /** URN of the provider resource this custom resource uses (explicit or default). */
  providerUrn?: string;
  /** True for a default provider the engine would create (the program did not register it). */
  defaultProvider?: boolean;
  /** Where the program declared it, as the SDK reported it (absolute file: URL). */
  sourcePosition?: SourcePosition;
  /** Invokes with unknown results that reached this resource, per property ("" = dependsOn). */
  fromInvokes?: Record<string, number[]>;
}

export interface PlanContext {
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
}

const NO_OPTIONS: CapturedOptions = {
  protect: false,
  ignoreChanges: [],
  additionalSecretOutputs: [],
  aliases: [],
  customTimeouts: { create: "", update: "", delete: "" },
};

export function isProviderType(type: string): boolean {
  return type.startsWith("pulumi:providers:");
}

/** `<urn>::<id>` -> `<urn>` (URNs contain `::` themselves, so split at the last one). */
export function providerUrnOf(reference: string): string {
  const at = reference.lastIndexOf("::");
  return at > 0 ? reference.slice(0, at) : reference;
}

/** The engine's default provider for a package: `default` or `default_<version with _>`. */
export function defaultProviderName(version: string | undefined): string {
  return version ? `default_${version.replace(/[.+-]/g, "_")}` : "default";
}

/** Resources in registration order, each default provider just before its first user. */
export function planResources(captured: Registration[], ctx: PlanContext): PlannedResource[] {
  const planned: PlannedResource[] = [];
  const defaults = new Map<string, PlannedResource>();
  for (const r of captured) {
    let providerUrn = r.provider ? providerUrnOf(r.provider) : undefined;
    if (r.custom && !providerUrn && !isProviderType(r.type)) {
      const pkg = r.type.split(":")[0];
      const name = defaultProviderName(r.version);
      const key = `${pkg}::${name}`;
      let provider = defaults.get(key);
      if (!provider) {
        provider = defaultProvider(pkg, name, r.version, ctx);
        defaults.set(key, provider);
        planned.push(provider);
      }
      providerUrn = provider.urn;
    }
    planned.push({
      urn: r.urn,
      type: r.type,
      name: r.name,
      custom: r.custom,
      parent: r.parent,
      dependencies: r.dependencies,
      propertyDependencies: r.propertyDependencies ?? {},
      properties: forAnalyzers(r.wireInputs) as Record<string, unknown>,
      options: r.options ?? NO_OPTIONS,
      providerUrn,
      sourcePosition: r.source,
      fromInvokes: r.fromInvokes,
    });
  }
  return planned;
}

/** A default provider is configured from the stack config of its package's namespace. */
function defaultProvider(
  pkg: string,
  name: string,
  version: string | undefined,
  ctx: PlanContext,
): PlannedResource {
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(ctx.config)) {
    if (!key.startsWith(`${pkg}:`)) continue;
    const prop = key.slice(pkg.length + 1);
    // Encrypted values cannot be read offline: the analyzer sees a secret it cannot know.
    properties[prop] = ctx.secretKeys.includes(key)
      ? { [WIRE.sigKey]: WIRE.secretSig, value: WIRE.unknown }
      : value;
  }
  if (version) properties.version = version;
  const type = `pulumi:providers:${pkg}`;
  return {
    urn: `urn:pulumi:${ctx.stack}::${ctx.project}::${type}::${name}`,
    type,
    name,
    custom: true,
    dependencies: [],
    propertyDependencies: {},
    properties,
    options: NO_OPTIONS,
    defaultProvider: true,
  };
}

/** The engine's MarshalProperties for analyzers: keep unknowns and secrets, flatten the rest. */
export function forAnalyzers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(forAnalyzers);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  switch (obj[WIRE.sigKey]) {
    case WIRE.secretSig:
      return { [WIRE.sigKey]: WIRE.secretSig, value: forAnalyzers(obj.value) };
    case WIRE.resourceSig:
      // Custom resources are referred to by id (unknown until created), components by URN.
      return "id" in obj ? (obj.id === "" ? WIRE.unknown : obj.id) : obj.urn;
    case WIRE.outputSig: {
      const inner = "value" in obj ? forAnalyzers(obj.value) : WIRE.unknown;
      return obj.secret ? { [WIRE.sigKey]: WIRE.secretSig, value: inner } : inner;
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!k.startsWith("__")) out[k] = forAnalyzers(v);
  return out;
}

/** Wire form -> what people see: unknowns as "[unknown]", secrets as "[secret]". */
export function shownValue(value: unknown): unknown {
  if (value === WIRE.unknown) return SHOWN_UNKNOWN;
  if (Array.isArray(value)) return value.map(shownValue);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (obj[WIRE.sigKey] === WIRE.secretSig) return SHOWN_SECRET;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = shownValue(v);
  return out;
}

/** Wire form -> plain values for computing (cost): unknowns become undefined, secrets unwrapped. */
export function plainValue(value: unknown): unknown {
  if (value === WIRE.unknown) return undefined;
  if (Array.isArray(value)) return value.map(plainValue);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (obj[WIRE.sigKey] === WIRE.secretSig) return plainValue(obj.value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = plainValue(v);
  return out;
}
