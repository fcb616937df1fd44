import * as path from "node:path";
import {
  DEFAULT_PACK_TIMEOUT_SECONDS,
  DEFAULT_TIMEOUT_SECONDS,
  MAX_TIMER_SECONDS,
  parsePlanArgs,
  PROJECT_DIR,
} from "./args";
import { UsageError } from "./errors";

const cwd = "/work/somewhere";

test("defaults: dev stack of this project, ./policy of this project, text to stdout", () => {
  expect(parsePlanArgs([], cwd)).toEqual({
    help: false,
    stack: "dev",
    programDir: PROJECT_DIR,
    policyPacks: [path.join(PROJECT_DIR, "policy")],
    policyConfigs: [],
    inventory: undefined,
    credentialReport: undefined,
    format: "text",
    out: undefined,
    verbose: false,
    packTimeoutSeconds: DEFAULT_PACK_TIMEOUT_SECONDS,
    timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
    failOnUnchecked: false,
    order: false,
  });
  expect(DEFAULT_TIMEOUT_SECONDS).toBe(300);
});

test("every flag, paths resolved against the working directory, --policy-pack repeatable", () => {
  const args = parsePlanArgs(
    [
      "--stack=prod",
      "--program",
      "prog",
      "--policy-pack",
      "a",
      "--policy-pack",
      "/abs/b",
      "--policy-config",
      "a.json",
      "--policy-config",
      "b.json",
      "--inventory",
      "auth.json",
      "--credential-report",
      "report.csv",
      "--format",
      "sarif",
      "--out",
      "out/plan.sarif",
      "--pack-timeout",
      "30",
      "--timeout",
      "45.5",
      "--fail-on-unchecked",
      "--order",
      "--verbose",
    ],
    cwd,
  );
  expect(args).toMatchObject({
    stack: "prod",
    programDir: "/work/somewhere/prog",
    policyPacks: ["/work/somewhere/a", "/abs/b"],
    policyConfigs: ["/work/somewhere/a.json", "/work/somewhere/b.json"],
    inventory: "/work/somewhere/auth.json",
    credentialReport: "/work/somewhere/report.csv",
    format: "sarif",
    out: "/work/somewhere/out/plan.sarif",
    packTimeoutSeconds: 30,
    timeoutSeconds: 45.5,
    failOnUnchecked: true,
    order: true,
    verbose: true,
  });
});

test("--help and -h ask for the usage text", () => {
  expect(parsePlanArgs(["--help"], cwd)).toEqual({ help: true });
  expect(parsePlanArgs(["-h", "--stack", "x"], cwd)).toEqual({ help: true });
});

test.each([
  [["--stak", "prod"], "unknown flag --stak"],
  [["-x"], "unknown flag -x"],
  [["--stack"], "--stack needs a value"],
  [["--stack", "--verbose"], "--stack needs a value"],
  [["--verbose=yes"], "--verbose does not take a value"],
  [["prod"], "unexpected argument prod (flags start with --)"],
  [["--format", "yaml"], '--format must be one of text, json, sarif (got "yaml")'],
  [["--stack", "a", "--stack", "b"], "--stack given more than once"],
  [["--stack="], "--stack needs a value"],
  [["--pack-timeout", "soon"], '--pack-timeout must be a number of seconds > 0 (got "soon")'],
  [["--timeout", "0"], '--timeout must be a number of seconds > 0 (got "0")'],
  [["--timeout=-5"], '--timeout must be a number of seconds > 0 (got "-5")'],
  [["--timeout", "Infinity"], '--timeout must be a number of seconds > 0 (got "Infinity")'],
  // Node.js fires a timer longer than 2^31-1 ms at once (TimeoutOverflowWarning): a usage error, not a 1 ms timeout.
  [
    ["--timeout", "2147484"],
    "--timeout 2147484 is longer than a Node.js timer can wait (at most 2147483 s, about 24.8 days)",
  ],
  [
    ["--pack-timeout", "1e10"],
    "--pack-timeout 1e10 is longer than a Node.js timer can wait (at most 2147483 s, about 24.8 days)",
  ],
  [["--fail-on-unchecked=yes"], "--fail-on-unchecked does not take a value"],
  [
    [
      "--policy-pack",
      "a",
      "--policy-pack",
      "b",
      "--policy-pack",
      "c",
      "--policy-config",
      "x",
      "--policy-config",
      "y",
    ],
    "--policy-config given 2 times for 3 policy pack(s): give one file for all packs, or one per --policy-pack in the same order",
  ],
])("%j is a usage error: %s", (argv, message) => {
  let error: unknown;
  try {
    parsePlanArgs(argv as string[], cwd);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(UsageError);
  expect((error as Error).message).toBe(message);
});

test("the longest timeout a Node.js timer can hold is accepted", () => {
  expect(MAX_TIMER_SECONDS).toBe(2147483);
  expect(parsePlanArgs(["--timeout", String(MAX_TIMER_SECONDS)], cwd)).toMatchObject({
    timeoutSeconds: MAX_TIMER_SECONDS,
  });
});
