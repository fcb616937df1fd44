/**
 * A plan always ends with the right code. A program that fails to finish (an error inside an
 * apply, an unhandled rejection, an uncaught exception, process.exit, a promise that never
 * settles) is exit 2 with one line on stderr that names what happened and the program's file and
 * line, never exit 1 (which means "a mandatory violation"), the program's own exit code, a raw
 * stack trace, or a plan that hangs. These run the real CLI as a process: exit codes and what
 * reaches stderr are what is under test.
 */
import * as path from "node:path";
import { FIXTURES, planProcess, TAGS_PACK } from "./support";

const PROGRAM = path.join(FIXTURES, "failing-program");

const run = (stack: string, extra: string[] = []) =>
  planProcess(["--program", PROGRAM, "--stack", stack, "--policy-pack", TAGS_PACK, ...extra]);

const where = (stack: string) => `plan: stack ${stack} of failing-demo: `;

test.each([
  [
    "apply-error",
    'an error was thrown inside an apply callback at index.ts:17: error serializing property "content": the data bucket has no team tag',
  ],
  ["exit", "the program called process.exit(3) at index.ts:23"],
  [
    "unhandled-rejection",
    "a promise was rejected and nothing handled it at index.ts:26: the lookup failed and nobody awaited it",
  ],
  ["uncaught", "an exception was thrown and nothing caught it at index.ts:30: a timer callback threw"],
])(
  "%s: exit 2 and one line naming it, with the program's file and line",
  async (stack, message) => {
    const { code, stdout, stderr } = await run(stack);
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: "", stderr: `${where(stack)}${message}\n` });
  },
  90_000,
);

test("a program that never settles: --timeout ends the plan with exit 2", async () => {
  const started = Date.now();
  const { code, stdout, stderr } = await run("never-settles", ["--timeout", "2"]);
  expect({ code, stdout, stderr }).toEqual({
    code: 2,
    stdout: "",
    stderr:
      `${where("never-settles")}the program did not finish within 2 s (--timeout 2); ` +
      "it may wait on a promise that never settles\n",
  });
  // The CLI's own start (ts-node) is included; the program itself is cut at 2 s.
  expect(Date.now() - started).toBeLessThan(60_000);
}, 90_000);

test("--verbose adds the stack trace of an error inside an apply, source-mapped to the .ts line", async () => {
  const { code, stderr } = await run("apply-error", ["--verbose"]);
  expect(code).toBe(2);
  expect(stderr).toContain(
    `${where("apply-error")}an error was thrown inside an apply callback at index.ts:17`,
  );
  expect(stderr).toMatch(/failing-program\/index\.ts:17:\d+/);
}, 90_000);
