/**
 * The plan's resources seen as plain values for estimating (unknowns are undefined), and how one
 * resource finds another it refers to: through the property's recorded dependencies (works when the
 * reference is an unknown output such as `config.name`), else by a known name.
 */
import { PlannedResource, plainValue } from "../plan/resources";

export interface CostResource {
  urn: string;
  type: string;
  name: string;
  inputs: Record<string, any>;
  propertyDependencies: Record<string, string[]>;
}

export class ResourceIndex {
  readonly all: CostResource[];
  private readonly byUrn: Map<string, CostResource>;

  constructor(resources: PlannedResource[]) {
    this.all = resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      inputs: (plainValue(r.properties) ?? {}) as Record<string, any>,
      propertyDependencies: r.propertyDependencies,
    }));
    this.byUrn = new Map(this.all.map((r) => [r.urn, r]));
  }

  ofType(type: string): CostResource[] {
    return this.all.filter((r) => r.type === type);
  }

  /**
   * The resource of `type` that `from.inputs[prop]` names: a recorded dependency of that property,
   * else the one whose `nameProp` input equals the value (or the value is an ARN ending in it).
   */
  referenced(from: CostResource, prop: string, type: string, nameProp: string): CostResource | undefined {
    for (const urn of from.propertyDependencies[prop] ?? []) {
      const r = this.byUrn.get(urn);
      if (r?.type === type) return r;
    }
    const value = from.inputs[prop];
    if (typeof value !== "string" || value === "") return undefined;
    return this.ofType(type).find((r) => {
      const name = r.inputs[nameProp];
      return (
        typeof name === "string" &&
        (name === value || value.endsWith(`:${name}`) || value.endsWith(`/${name}`))
      );
    });
  }

  /** Resources of `type` whose `prop` refers to `to` (the inverse of `referenced`). */
  referencing(to: CostResource, type: string, prop: string, nameProp: string): CostResource[] {
    return this.ofType(type).filter((r) => this.referenced(r, prop, to.type, nameProp)?.urn === to.urn);
  }
}

export const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : undefined;
export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
