/**
 * Errors that end a plan with exit code 2: bad flags, unreadable files, a program that throws or has
 * invalid config, a policy pack that cannot start or rejects its config. Each carries the one line
 * the user sees on stderr; `detail` (a stack trace, a pack's stderr) is shown only with --verbose.
 */
export class PlanError extends Error {
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(oneLine(message));
    this.name = "PlanError";
  }
}

/** A usage mistake (unknown flag, missing value): the message is followed by a pointer to --help. */
export class UsageError extends PlanError {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Folds a multi-line message into one line: the first line, then each following non-empty line
 * (bullets such as "  - " dropped), joined with "; ".
 */
export function oneLine(message: string): string {
  const lines = message
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/^[-*•]\s+/, ""))
    .filter((l) => l !== "");
  if (lines.length <= 1) return lines[0] ?? "";
  const [first, ...rest] = lines;
  return `${first.replace(/:$/, "")}: ${rest.join("; ")}`;
}
