/**
 * Matching references between resources of one stack, known or not. A property like `user`,
 * `bucket` or `policyArn` refers to another resource either by a value known at preview (a name or
 * ARN) or, when the value is computed, through the property's dependencies on that resource's URN.
 * Both become "keys"; two references match when their keys meet.
 */
import { PolicyResource } from "@pulumi/policy";
import { Unknown, prop, readOrUndefined, snapshot } from "./props";

export type Keys = Set<string>;

/** Keys a resource is known by: its URN, and its name/ARN-like properties when known. */
export function keysOfResource(r: PolicyResource, nameProps: string[] = ["name"]): Keys {
  const keys: Keys = new Set([`urn:${r.urn}`]);
  for (const p of nameProps) {
    const v = prop(r.props, p);
    if (typeof v === "string" && v !== "") {
      keys.add(nameKey(v));
    }
  }
  return keys;
}

/** Keys a property's value refers to: each known string (and the name at the end of an ARN), plus its dependencies. */
export function keysOfReference(
  r: PolicyResource,
  property: string,
  resources?: PolicyResource[],
): { keys: Keys; unknown?: Unknown } {
  const keys: Keys = new Set();
  const raw = prop(r.props, property);
  let unknown: Unknown | undefined;
  const values = raw instanceof Unknown ? raw : snapshot(raw);
  const list = values instanceof Unknown ? [values] : Array.isArray(values) ? values : [values];
  for (const v of list) {
    if (v instanceof Unknown) {
      unknown ??= v;
    } else if (typeof v === "string" && v !== "") {
      keys.add(nameKey(v));
      const tail = arnTail(v);
      if (tail) {
        keys.add(nameKey(tail));
      }
    }
  }
  const deps = readOrUndefined(() => r.propertyDependencies[property]) ?? [];
  for (const d of deps) {
    keys.add(`urn:${d.urn}`);
    const target = resources?.find((x) => x.urn === d.urn) ?? d;
    for (const k of keysOfResource(target)) {
      keys.add(k);
    }
  }
  return { keys, unknown };
}

export function meets(a: Keys, b: Keys): boolean {
  for (const k of a) {
    if (b.has(k)) {
      return true;
    }
  }
  return false;
}

function nameKey(v: string): string {
  return `name:${v.toLowerCase()}`;
}

/** The last path segment of an ARN's resource part (`arn:aws:iam::1:policy/path/name` -> `name`). */
function arnTail(v: string): string | undefined {
  if (!v.startsWith("arn:")) {
    return undefined;
  }
  const resource = v.split(":").slice(5).join(":");
  const tail = resource.split("/").pop();
  return tail && tail !== resource ? tail : undefined;
}
