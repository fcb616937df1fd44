/**
 * `npm run bench:pack`: how long the policy pack takes to start as the Pulumi CLI starts it, and the
 * wall time of `npm start`.
 *
 * - pack start: cli/plan/pack-process.ts spawns `node <run-policy-pack> <engine> .` in policy/ (as the
 *   CLI and the offline plan do) and times spawn -> the port line, i.e. until the analyzer answers.
 *   The plan's own `--verbose` timings report the same figure as `packStart:policyMs`.
 * - npm start: the whole `npm start --silent` (prestart bundle, program under mocks, pack, analysis).
 * - `--baseline <dir>`: a second checkout of this repository (say `git worktree add /tmp/before main`,
 *   with its node_modules) measured in the same run, alternating this, baseline, this, ... so drift
 *   on a shared machine hits both; prints both medians and the median of the pairwise ratios.
 * - `--runs N` (default 7) after one warm-up each; `--once`: print one pack start in ms and exit
 *   (for an external whole-process timer).
 *
 * Prints medians with min and max and the load average; results go to bench/results/pack.json.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readPackProject, startPack } from "../cli/plan/pack-process";
import { median, summarize } from "./stats";

const ROOT = path.resolve(__dirname, "..");

interface Options {
  runs: number;
  baseline?: string;
  once: boolean;
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { runs: 7, once: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--once") opts.once = true;
    else if (a === "--runs" && /^\d+$/.test(argv[i + 1] ?? "") && Number(argv[i + 1]) > 0)
      opts.runs = Number(argv[++i]);
    else if (a === "--baseline" && argv[i + 1]) opts.baseline = path.resolve(argv[++i]);
    else
      throw new Error(
        `bench:pack: unknown or incomplete option "${a}" (use --runs N, --baseline <dir>, --once)`,
      );
  }
  if (opts.baseline && !fs.existsSync(path.join(opts.baseline, "policy", "PulumiPolicy.yaml")))
    throw new Error(
      `bench:pack: --baseline ${opts.baseline} is not a checkout of this repository (no policy/PulumiPolicy.yaml)`,
    );
  return opts;
}

/** Milliseconds from spawning the pack to its port line, launched exactly as the plan launches it. */
async function packStartMs(root: string): Promise<number> {
  const starting = startPack(readPackProject(path.join(root, "policy")), {
    project: "ml-platform",
    stack: "dev",
    organization: "organization",
    config: {},
    secretKeys: [],
    env: {},
    timeoutMs: 120_000,
  });
  try {
    return (await starting.ready).startMs;
  } finally {
    const exited = starting.child && new Promise((resolve) => starting.child!.once("exit", resolve));
    starting.stop();
    await exited;
  }
}

function npmStartSeconds(root: string): number {
  const started = process.hrtime.bigint();
  const run = spawnSync("npm", ["start", "--silent"], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`npm start in ${root} exited ${run.status}: ${run.stderr.trim()}`);
  return seconds;
}

interface Series {
  root: string;
  packStartMs: number[];
  npmStartSeconds: number[];
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

function line(label: string, samples: number[], unit: string, digits: number): string {
  const s = summarize(samples);
  const f = (x: number) => x.toFixed(digits);
  return `${label}: median ${f(s.p50)} ${unit} (min ${f(s.min)}, max ${f(s.max)}, ${s.count} runs)`;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.once) {
    console.log(String(await packStartMs(ROOT)));
    return;
  }
  const series: Series[] = [ROOT, ...(opts.baseline ? [opts.baseline] : [])].map((root) => ({
    root,
    packStartMs: [],
    npmStartSeconds: [],
  }));
  console.log(`machine: ${os.cpus().length} cores, load average ${load()} (1, 5, 15 min) at start`);
  // Warm-up (file cache, dist/ bundles), not counted.
  for (const s of series) {
    await packStartMs(s.root);
    npmStartSeconds(s.root);
  }
  for (let i = 0; i < opts.runs; i++) for (const s of series) s.packStartMs.push(await packStartMs(s.root));
  for (let i = 0; i < opts.runs; i++) for (const s of series) s.npmStartSeconds.push(npmStartSeconds(s.root));

  for (const s of series) {
    console.log(s.root === ROOT ? "this checkout:" : `baseline ${s.root}:`);
    console.log(`  ${line("pack start as the CLI starts it", s.packStartMs, "ms", 0)}`);
    console.log(`  ${line("npm start wall time", s.npmStartSeconds, "s", 2)}`);
  }
  if (series.length === 2) {
    const ratio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]!));
    console.log(
      `this / baseline (median of pairwise ratios): pack start ${ratio(series[0]!.packStartMs, series[1]!.packStartMs).toFixed(2)}, ` +
        `npm start ${ratio(series[0]!.npmStartSeconds, series[1]!.npmStartSeconds).toFixed(2)}`,
    );
  }
  console.log(`load average ${load()} at the end`);

  const results = path.join(ROOT, "bench", "results");
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(
    path.join(results, "pack.json"),
    JSON.stringify(
      { date: new Date().toISOString(), cores: os.cpus().length, loadavg: os.loadavg(), series },
      null,
      2,
    ),
  );
}

main().catch((err: unknown) => {
  console.error((err as Error).message ?? err);
  process.exitCode = 1;
});
