/**
 * `npm run bench:provider`: how long the Pulumi package's provider (provider/) takes to start as
 * the Pulumi CLI starts it, and to answer its first GetSchema and Construct: what every `pulumi
 * preview` or `up` of a Python, Go, .NET or YAML program using the package waits for.
 *
 * - start: test/provider/support.ts spawns `node <run-plugin> provider/ <engine>` as the language
 *   host's RunPlugin does (PULUMI_NODEJS_TYPESCRIPT as PulumiPlugin.yaml's `typescript` option
 *   says) and times spawn -> the port line.
 * - GetSchema: the first call (the schema is inferred from the TypeScript sources then, with the
 *   TypeScript compiler); Construct: the first one (a PlatformKey against a mock engine that
 *   answers like a first preview).
 * - `--baseline <dir>`: a second checkout of this repository (say `git worktree add /tmp/before
 *   main`, with its node_modules) measured in the same run, alternating this, baseline, this, ...
 *   so drift on a shared machine hits both; prints both medians and the median of the pairwise
 *   ratios. `--runs N` (default 5) after one warm-up each.
 *
 * Prints medians with min and max and the load average; results go to bench/results/provider.json.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ProviderClient, startEngine, startProvider } from "../test/provider/support";
import { median, summarize } from "./stats";

const ROOT = path.resolve(__dirname, "..");

interface Options {
  runs: number;
  baseline?: string;
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { runs: 5 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--runs" && /^\d+$/.test(argv[i + 1] ?? "") && Number(argv[i + 1]) > 0)
      opts.runs = Number(argv[++i]);
    else if (a === "--baseline" && argv[i + 1]) opts.baseline = path.resolve(argv[++i]);
    else
      throw new Error(`bench:provider: unknown or incomplete option "${a}" (use --runs N, --baseline <dir>)`);
  }
  if (opts.baseline && !fs.existsSync(path.join(opts.baseline, "provider", "PulumiPlugin.yaml")))
    throw new Error(
      `bench:provider: --baseline ${opts.baseline} is not a checkout of this repository (no provider/PulumiPlugin.yaml)`,
    );
  return opts;
}

interface Sample {
  startMs: number;
  /** Undefined when the call failed (`error` says why): a checkout whose schema cannot be inferred. */
  getSchemaMs?: number;
  constructMs?: number;
  error?: string;
}

async function measure(root: string): Promise<Sample> {
  const engine = await startEngine("dev", "consumer");
  const provider = await startProvider(engine.address, root, 600_000, path.join(root, "provider"));
  const client = new ProviderClient(provider.port);
  const sample: Sample = { startMs: provider.startMs };
  try {
    let t = Date.now();
    await client.getSchema();
    sample.getSchemaMs = Date.now() - t;
    await client.configure();
    t = Date.now();
    await client.construct({
      type: "mlplatform:index:PlatformKey",
      name: "key",
      inputs: { aliasName: "team-x-data" },
      monitor: engine.address,
      project: "consumer",
      stack: "dev",
    });
    sample.constructMs = Date.now() - t;
  } catch (err) {
    sample.error = ((err as Error).message ?? String(err)).split("\n")[0];
  } finally {
    client.close();
    const exited = new Promise((resolve) => provider.child.once("exit", resolve));
    provider.stop();
    await exited;
    await engine.stop();
  }
  return sample;
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

function line(label: string, values: (number | undefined)[], errors: string[]): string {
  const samples = values.filter((v): v is number => v !== undefined);
  if (samples.length === 0) return `${label}: failed (${[...new Set(errors)].join("; ")})`;
  const s = summarize(samples);
  return `${label}: median ${s.p50.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}, ${s.count} runs)`;
}

const FIGURES: [keyof Sample, string][] = [
  ["startMs", "start to port, as the CLI starts it"],
  ["getSchemaMs", "first GetSchema"],
  ["constructMs", "first Construct (PlatformKey)"],
];

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const series = [ROOT, ...(opts.baseline ? [opts.baseline] : [])].map((root) => ({
    root,
    samples: [] as Sample[],
  }));
  console.log(`machine: ${os.cpus().length} cores, load average ${load()} (1, 5, 15 min) at start`);
  for (const s of series) await measure(s.root); // warm-up (file cache), not counted
  for (let i = 0; i < opts.runs; i++) for (const s of series) s.samples.push(await measure(s.root));

  for (const s of series) {
    console.log(s.root === ROOT ? "this checkout:" : `baseline ${s.root}:`);
    const errors = s.samples.flatMap((x) => (x.error ? [x.error] : []));
    for (const [key, label] of FIGURES)
      console.log(
        `  ${line(
          label,
          s.samples.map((x) => x[key] as number | undefined),
          errors,
        )}`,
      );
  }
  if (series.length === 2) {
    const [a, b] = [series[0]!.samples, series[1]!.samples];
    const ratios = FIGURES.flatMap(([key, label]) => {
      const pairs = a
        .map((x, i) => [x[key], b[i]![key]] as const)
        .filter((p): p is readonly [number, number] => typeof p[0] === "number" && typeof p[1] === "number");
      return pairs.length ? [`${label} ${median(pairs.map(([x, y]) => x / y)).toFixed(2)}`] : [];
    });
    console.log(`this / baseline (median of pairwise ratios): ${ratios.join(", ")}`);
  }
  console.log(`load average ${load()} at the end`);

  const results = path.join(ROOT, "bench", "results");
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(
    path.join(results, "provider.json"),
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
