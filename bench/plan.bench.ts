/**
 * `npm run bench:plan`: how the offline plan grows with the size of a program, and how long
 * `npm start` takes.
 *
 * Generates a Pulumi TypeScript program (in a temp dir) that declares N resources in units of ten
 * (IAM role + role policy, S3 bucket with public access block, SSE-KMS and a TLS-only policy,
 * security group, Lambda function, KMS key, log group: all inputs the guardrails read, known at
 * preview), then runs the real CLI (dist/cli/plan.js) with our full policy pack on it for each N
 * and reads its phase timings (--verbose). Budget: 2,000 resources in under 30 s, wall clock.
 * `BENCH_CLI=<bundle>` measures another build of the CLI against the same program and pack.
 * Results go to bench/results/plan.json.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
/** BENCH_CLI: another bundle of the CLI to measure (e.g. one built from main, for a before/after). */
const CLI = process.env.BENCH_CLI
  ? path.resolve(process.env.BENCH_CLI)
  : path.join(ROOT, "dist", "cli", "plan.js");
const SIZES = (process.env.BENCH_SIZES ?? "250,500,1000,2000").split(",").map(Number);
const BUDGET_SECONDS = 30;
const START_RUNS = Number(process.env.BENCH_START_RUNS ?? 3);

const PROGRAM = `import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// Ten resources per unit; the stack's bench:units says how many units.
export = () => {
  const units = new pulumi.Config("bench").requireNumber("units");
  const account = "123456789012";
  for (let i = 0; i < units; i++) {
    const name = \`bench-\${i}\`;
    const tags = { owner: "bench", unit: String(i) };
    const role = new aws.iam.Role(name, {
      name,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags,
    });
    const bucket = new aws.s3.Bucket(name, { bucket: name, tags });
    new aws.iam.RolePolicy(name, {
      role: role.name,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: \`arn:aws:s3:::\${name}/*\` }],
      }),
    });
    new aws.s3.BucketPublicAccessBlock(name, {
      bucket: name,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }, { dependsOn: bucket });
    new aws.s3.BucketServerSideEncryptionConfiguration(name, {
      bucket: name,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: \`arn:aws:kms:us-east-1:\${account}:alias/bench\` } }],
    }, { dependsOn: bucket });
    new aws.s3.BucketPolicy(name, {
      bucket: name,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
          Effect: "Deny", Principal: "*", Action: "s3:*",
          Resource: [\`arn:aws:s3:::\${name}\`, \`arn:aws:s3:::\${name}/*\`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }],
      }),
    }, { dependsOn: bucket });
    new aws.ec2.SecurityGroup(name, {
      description: "bench",
      ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] }],
      tags,
    });
    new aws.lambda.Function(name, {
      name,
      role: \`arn:aws:iam::\${account}:role/\${name}\`,
      runtime: "nodejs20.x",
      handler: "index.handler",
      s3Bucket: name,
      s3Key: "fn.zip",
      architectures: ["arm64"],
      reservedConcurrentExecutions: 2,
      tags,
    }, { dependsOn: role });
    new aws.kms.Key(name, { enableKeyRotation: true, deletionWindowInDays: 7, tags });
    new aws.cloudwatch.LogGroup(name, { name: \`/bench/\${name}\`, retentionInDays: 14, tags });
  }
};
`;

interface Row {
  resources: number;
  wallSeconds: number;
  exitCode: number;
  violations: number;
  timings: Record<string, number>;
}

export function writeProgram(dir: string): void {
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: plan-bench\nruntime: nodejs\nmain: index.ts\n");
  fs.writeFileSync(path.join(dir, "index.ts"), PROGRAM);
  for (const n of SIZES)
    fs.writeFileSync(
      path.join(dir, `Pulumi.n${n}.yaml`),
      `config:\n  aws:region: us-east-1\n  bench:units: ${n / 10}\n`,
    );
}

function planOnce(dir: string, n: number): Row {
  const out = path.join(dir, `plan-${n}.json`);
  const started = process.hrtime.bigint();
  const run = spawnSync(
    process.execPath,
    [CLI, "--program", dir, "--stack", `n${n}`, "--format", "json", "--out", out, "--verbose"],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const line = run.stderr.split("\n").find((l) => l.startsWith("plan: timings:")) ?? "";
  const timings = Object.fromEntries(
    [...line.matchAll(/([\w:.-]+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]),
  ) as Record<string, number>;
  if (run.status === 2 || !fs.existsSync(out))
    throw new Error(`plan of ${n} resources failed: ${run.stderr.trim()}`);
  const report = JSON.parse(fs.readFileSync(out, "utf8"));
  return {
    resources: report.resources.length,
    wallSeconds,
    exitCode: run.status ?? -1,
    violations: report.violations.length,
    timings,
  };
}

function npmStartSeconds(): number[] {
  const times: number[] = [];
  for (let i = 0; i < START_RUNS; i++) {
    const started = process.hrtime.bigint();
    const run = spawnSync("npm", ["start", "--silent"], { cwd: ROOT, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`npm start failed: ${run.stderr}`);
    times.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  return times;
}

const s = (ms: number | undefined) => (ms === undefined ? "-" : (ms / 1000).toFixed(1));

function main(): void {
  if (!fs.existsSync(CLI)) throw new Error("dist/cli/plan.js is missing: run node scripts/build-cli.mjs");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-bench-"));
  writeProgram(dir);
  console.log(
    `machine: ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log("resources  wall s  program s  pack start s  analyze s  analyzeStack s  findings  exit");
  const rows: Row[] = [];
  for (const n of SIZES) {
    const row = planOnce(dir, n);
    rows.push(row);
    const t = row.timings;
    console.log(
      `${String(row.resources).padStart(9)}  ${row.wallSeconds.toFixed(1).padStart(6)}  ${s(t.programMs).padStart(9)}  ` +
        `${s(t["packStart:policyMs"]).padStart(12)}  ${s(t.analyzeMs).padStart(9)}  ${s(t.analyzeStackMs).padStart(14)}  ` +
        `${String(row.violations).padStart(8)}  ${row.exitCode}`,
    );
  }
  const starts = npmStartSeconds();
  const median = [...starts].sort((a, b) => a - b)[Math.floor(starts.length / 2)];
  console.log(
    `npm start (dev, text): ${starts.map((x) => x.toFixed(1)).join(" s, ")} s; median ${median.toFixed(1)} s`,
  );

  const biggest = rows.find((r) => r.resources >= 2000);
  const verdict = biggest
    ? `${biggest.resources} resources in ${biggest.wallSeconds.toFixed(1)} s (budget ${BUDGET_SECONDS} s): ${biggest.wallSeconds < BUDGET_SECONDS ? "OK" : "OVER BUDGET"}`
    : "no 2,000-resource run in BENCH_SIZES";
  console.log(verdict);

  const results = path.join(ROOT, "bench", "results");
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(
    path.join(results, "plan.json"),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        cores: os.cpus().length,
        loadavg: os.loadavg(),
        rows,
        npmStartSeconds: starts,
      },
      null,
      2,
    ),
  );
  fs.rmSync(dir, { recursive: true, force: true });
  if (biggest && biggest.wallSeconds >= BUDGET_SECONDS) process.exitCode = 1;
}

if (require.main === module) main();
