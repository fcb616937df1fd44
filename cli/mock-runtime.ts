/**
 * Deprecated location. The test helpers that lived here are in test/support/mock-run.ts; the
 * plan's own runtime is cli/plan/preview-runtime.ts. This re-export remains only because tests in
 * components/ and test/training/ still import `runUnderMocks` from here; the plan never loads it.
 * Import from test/support/mock-run.ts instead, then delete this file.
 */
export * from "../test/support/mock-run";
