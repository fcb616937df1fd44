/**
 * Test conveniences on top of the plan's preview runtime (cli/plan/preview-runtime.ts): runs a
 * program or a component under the mocks and returns each resource with its inputs as plain
 * values (unknowns as "[unknown]", secrets unwrapped and listed in `secretPaths`), for assertions.
 *
 * `strictInvokes: true` fails the run on any invoke without a known answer, so a test never passes
 * on an unknown it did not expect.
 */
import {
  PreviewOptions,
  Registration,
  runPreview,
  UnresolvedInvoke,
  CapturedInvoke,
} from "../../cli/plan/preview-runtime";
import { WIRE } from "../../cli/wire";

export type { CapturedOptions, CapturedInvoke } from "../../cli/plan/preview-runtime";
export { MOCK_ACCOUNT_ID } from "../../cli/invokes";

/** How an unknown-at-preview value appears in captured inputs. */
export const UNKNOWN = "[unknown]";

export interface CapturedResource extends Registration {
  /** Inputs with unknowns as `"[unknown]"` and secrets unwrapped. */
  inputs: Record<string, unknown>;
  /** Property paths (dotted) whose values are secret. */
  secretPaths: string[];
}

export interface MockRunOptions extends PreviewOptions {
  /** Fail the run when an invoke has no known answer. */
  strictInvokes?: boolean;
}

export interface MockRunResult<T> {
  resources: CapturedResource[];
  invokes: CapturedInvoke[];
  unresolved: UnresolvedInvoke[];
  result: T;
}

export async function runUnderMocks<T>(
  program: () => T | Promise<T>,
  options: MockRunOptions,
): Promise<MockRunResult<Awaited<T>>> {
  const run = await runPreview(program, options);
  const missing = run.unresolved.filter((u) => u.kind === "no-answer");
  if (options.strictInvokes && missing.length > 0)
    throw new Error(
      `no mocked answer for invoke ${missing.map((u) => `${u.token} (${u.reason})`).join(", ")}`,
    );
  return {
    ...run,
    resources: run.resources.map((r) => {
      const secretPaths: string[] = [];
      return {
        ...r,
        inputs: fromWire(r.wireInputs, "", secretPaths) as Record<string, unknown>,
        secretPaths,
      };
    }),
  };
}

/** Converts wire-form properties to plain values: unknowns to "[unknown]", secrets unwrapped. */
export function fromWire(value: unknown, path: string, secretPaths: string[]): unknown {
  if (value === WIRE.unknown) return UNKNOWN;
  if (Array.isArray(value)) return value.map((v, i) => fromWire(v, `${path}[${i}]`, secretPaths));
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[WIRE.sigKey] === WIRE.secretSig) {
      secretPaths.push(path);
      return fromWire(obj.value, path, []);
    }
    if (obj[WIRE.sigKey] === WIRE.resourceSig) return obj.urn;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = fromWire(v, path ? `${path}.${k}` : k, secretPaths);
    return out;
  }
  return value;
}
