/**
 * `npm run plan -- [options]`: the offline plan of a Pulumi program (see cli/README.md).
 * Policy pack processes die with this one, whatever ends it.
 */
import { killAll } from "./plan/pack-process";
import { main } from "./plan/run";

// The program under plan may not end the process (its process.exit is intercepted while it runs);
// the plan's own exits use the real one.
const exit = process.exit.bind(process);

for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const)
  process.on(signal, () => {
    killAll();
    exit(code);
  });

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
    // Pack processes and gRPC channels are closed; exit once stdout has drained rather than
    // wait on stray handles.
    killAll();
    process.stdout.write("", () => exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`plan: internal error: ${(err as Error)?.message ?? err}\n`);
    killAll();
    exit(2);
  },
);
