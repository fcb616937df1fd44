/**
 * The creation order of a plan, as a first `pulumi up` would create it: a resource is created after
 * everything it waits for — its dependencies (explicit `dependsOn` and the resources its inputs
 * come from, whose outputs the SDK awaits before it registers the resource), its parent, and its
 * provider — and resources that do not wait on each other are created in parallel. A wave is such a
 * set: wave 1 waits on nothing, wave n on something in wave n-1 (its longest chain of waits).
 */
import { PlannedResource } from "./resources";

export function creationWaves<T extends PlannedResource>(resources: T[]): T[][] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (r: T): number => {
    const known = depth.get(r.urn);
    if (known !== undefined) return known;
    // A cycle cannot be registered (the SDK awaits its dependencies' URNs); guard all the same.
    if (visiting.has(r.urn)) return 0;
    visiting.add(r.urn);
    const waitsOn = [
      ...r.dependencies,
      ...(r.parent ? [r.parent] : []),
      ...(r.providerUrn ? [r.providerUrn] : []),
    ]
      .map((u) => byUrn.get(u))
      .filter((d): d is T => d !== undefined && d.urn !== r.urn);
    const d = waitsOn.length === 0 ? 0 : 1 + Math.max(...waitsOn.map(depthOf));
    visiting.delete(r.urn);
    depth.set(r.urn, d);
    return d;
  };
  const waves: T[][] = [];
  for (const r of resources) (waves[depthOf(r)] ??= []).push(r);
  return waves.filter((w) => w !== undefined);
}
