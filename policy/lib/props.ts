/**
 * Reading resource properties the way a preview hands them over.
 *
 * The analyzer wraps every property bag in a proxy that throws `UnknownValueError` when a policy
 * touches a value that is not known yet (a computed ARN during `pulumi preview`). A throw turns into
 * the analyzer's own "can't run policy during preview" advisory. Policies here read the values that
 * decide the verdict directly (so an unknown one yields that advisory, exactly as in a preview) and
 * read everything else through these helpers, so an unrelated unknown never trips a policy.
 */
import { UnknownValueError } from "@pulumi/policy";

/** A value that was unknown when the policy read it; `error` is the analyzer's own error, for rethrowing. */
export class Unknown {
  constructor(readonly error: Error) {}
}

export function isUnknownError(e: unknown): e is Error {
  return (
    e instanceof UnknownValueError || (e instanceof Error && e.constructor?.name === "UnknownValueError")
  );
}

/** Reads `read()`; an unknown value becomes an `Unknown` marker instead of a throw. */
export function tryRead<T>(read: () => T): T | Unknown {
  try {
    return read();
  } catch (e) {
    if (isUnknownError(e)) {
      return new Unknown(e);
    }
    throw e;
  }
}

/** Reads `read()`; an unknown value reads as `undefined`. For values that only shape a message. */
export function readOrUndefined<T>(read: () => T): T | undefined {
  const v = tryRead(read);
  return v instanceof Unknown ? undefined : v;
}

/** Reads a property by name from a (proxied) property bag; unknown becomes an `Unknown` marker. */
export function prop(props: unknown, name: string): unknown {
  if (props === null || typeof props !== "object") {
    return undefined;
  }
  return tryRead(() => (props as Record<string, unknown>)[name]);
}

/** A string property, or undefined when absent, not a string, or unknown. */
export function stringProp(props: unknown, name: string): string | undefined {
  const v = prop(props, name);
  return typeof v === "string" ? v : undefined;
}

/**
 * Copies a proxied value into plain data. Unknown leaves become `Unknown` markers, so analysis can
 * decide later whether an unknown part matters.
 */
export function snapshot(value: unknown, depth = 0): unknown {
  if (depth > 64) {
    return undefined;
  }
  if (value === null || typeof value !== "object") {
    return value;
  }
  if (value instanceof Unknown) {
    return value;
  }
  if (Array.isArray(value)) {
    const len = tryRead(() => value.length);
    if (len instanceof Unknown) {
      return len;
    }
    const out: unknown[] = [];
    for (let i = 0; i < len; i++) {
      const item = tryRead(() => value[i]);
      out.push(item instanceof Unknown ? item : snapshot(item, depth + 1));
    }
    return out;
  }
  const keys = tryRead(() => Object.keys(value));
  if (keys instanceof Unknown) {
    return keys;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const item = tryRead(() => (value as Record<string, unknown>)[k]);
    out[k] = item instanceof Unknown ? item : snapshot(item, depth + 1);
  }
  return out;
}

/** Throws the analyzer's unknown-value error held by the first `Unknown` found in `values`. */
export function throwIfUnknown(...values: unknown[]): void {
  for (const v of values) {
    if (v instanceof Unknown) {
      throw v.error;
    }
  }
}

/** A value found at a property path, and where (`inlinePolicies[0].policy`). */
export interface Found {
  readonly where: string;
  /** The value; an `Unknown` marker when it (or the list or object holding it) is unknown. */
  readonly value: unknown;
}

/**
 * Every value at `path` in a property bag ("[]" walks a list), each with its place. An unknown
 * list or object on the way is returned once, at the place where it stands, so a caller can say
 * exactly what it could not read; absent values are left out.
 */
export function walkPath(props: unknown, path: readonly string[]): Found[] {
  let current: Found[] = [{ where: "", value: snapshot(props) }];
  for (const step of path) {
    const next: Found[] = [];
    for (const c of current) {
      if (c.value instanceof Unknown) {
        next.push(c);
        continue;
      }
      if (c.value === null || typeof c.value !== "object") {
        continue;
      }
      if (step === "[]") {
        if (Array.isArray(c.value)) {
          c.value.forEach((v, i) => next.push({ where: `${c.where}[${i}]`, value: v }));
        }
      } else if (!Array.isArray(c.value)) {
        const v = (c.value as Record<string, unknown>)[step];
        if (v !== undefined && v !== null) {
          next.push({ where: c.where ? `${c.where}.${step}` : step, value: v });
        }
      }
    }
    current = next;
  }
  return current;
}
