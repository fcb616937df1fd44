import { createHash } from "node:crypto";

/**
 * Deterministic physical names: `<project>-<stack>-<part>`, lower-case, shortened with a stable
 * hash suffix when a service limit is shorter. Deterministic names let ARNs be assembled before
 * the resource exists, which keeps IAM documents known at preview.
 */
export interface Naming {
  readonly project: string;
  readonly stack: string;
  /** `<project>-<stack>-<parts...>` within `maxLength` characters. */
  name(parts: string | string[], maxLength?: number): string;
}

export function shortHash(text: string, length = 8): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

export function fitName(full: string, maxLength: number): string {
  const clean = full
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  if (clean.length <= maxLength) return clean;
  const hash = shortHash(clean);
  return `${clean.slice(0, maxLength - hash.length - 1).replace(/-$/, "")}-${hash}`;
}

export function naming(project: string, stack: string): Naming {
  return {
    project,
    stack,
    name(parts, maxLength = 63) {
      const list = Array.isArray(parts) ? parts : [parts];
      return fitName([project, stack, ...list].join("-"), maxLength);
    },
  };
}

/** Service limits on names used across components. */
export const NAME_LIMITS = {
  iamRole: 64,
  s3Bucket: 63,
  sagemaker: 63,
  lambda: 64,
  kmsAlias: 250,
} as const;

/** JSON with object keys sorted at every level, so equal values always serialise (and hash) equally. */
export function stableStringify(value: unknown): string {
  if (value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * `<prefix>-<hash of spec>`: a name that changes exactly when the spec changes. For resources
 * whose every field forces replacement under a unique name (SageMaker jobs), so a changed spec is
 * a new resource and an unchanged one is a no-op. Throws if the prefix leaves no room for the hash.
 */
export function hashedName(prefix: string, spec: unknown, maxLength: number, hashLength = 12): string {
  const stem = prefix.replace(/-+$/, "");
  const name = `${stem}-${shortHash(stableStringify(spec), hashLength)}`;
  if (name.length > maxLength)
    throw new Error(
      `name prefix "${prefix}" is too long: "${name}" exceeds ${maxLength} characters (keep the prefix to ${maxLength - hashLength - 1})`,
    );
  return name;
}
