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
