/**
 * InferenceFunction declares the bundle's shape itself (so the package's types never reference
 * esbuild); functions/bundle.ts returns the same shape. Pinned both ways at compile time
 * (`npm run typecheck`), and at run time on a real bundle.
 */
import type { FunctionBundle as FromFunctions } from "../../functions";
import { bundleFunction, inferenceFunctionEntry } from "../../functions";
import type { FunctionBundle as FromComponents } from "../../components/inference-function";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<FromFunctions, FromComponents> = true;
const sameKeys: Same<keyof FromFunctions, keyof FromComponents> = true;

test("the component's FunctionBundle is the shape bundleFunction returns", () => {
  expect([sameShape, sameKeys]).toEqual([true, true]);
  const bundle: FromComponents = bundleFunction(inferenceFunctionEntry);
  expect(Object.keys(bundle).sort()).toEqual(["bytes", "code", "sha256"]);
  expect(bundle.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(bundle.bytes).toBe(Buffer.byteLength(bundle.code));
});
