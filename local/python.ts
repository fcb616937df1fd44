/**
 * The Python that runs training and the endpoint: the first of `$PYTHON`, `/usr/bin/python3`,
 * `python3` that can import torch, torchvision and PIL (Debian's python3-torch lives in
 * /usr/bin/python3). The same rule as scripts/test-python.sh; a test pins the two lists equal.
 */
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export const INSTALL_HINT = "sudo apt-get install -y python3-torch python3-torchvision python3-pil";

export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...(env.PYTHON ? [env.PYTHON] : []), "/usr/bin/python3", "python3"];
}

export class PythonNotFoundError extends Error {
  override readonly name = "PythonNotFoundError";
}

/** Resolves with the interpreter to use, or rejects naming what was tried and how to install. */
export async function findPython(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const tried = pythonCandidates(env);
  for (const candidate of tried) {
    try {
      await run(candidate, ["-c", "import torch, torchvision, PIL"], { env, timeout: 60_000 });
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new PythonNotFoundError(
    `no Python with torch, torchvision and PIL (tried ${tried.join(", ")}); install them with: ${INSTALL_HINT}, ` +
      "or point PYTHON at an interpreter that has them",
  );
}

/**
 * For tests: the interpreter, found synchronously at load. Without one the tests fail with the
 * install hint, unless ML_PLATFORM_SKIP_PYTHON=1 asks to skip them (as scripts/test-python.sh
 * does), in which case this warns that nothing ran and returns undefined.
 */
export function pythonForTests(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const candidate of pythonCandidates(env)) {
    const probe = spawnSync(candidate, ["-c", "import torch, torchvision, PIL"], { env, timeout: 60_000 });
    if (probe.status === 0) return candidate;
  }
  if (env.ML_PLATFORM_SKIP_PYTHON === "1") {
    process.stderr.write(
      `WARNING: ML_PLATFORM_SKIP_PYTHON=1 and no Python with torch: the local-mode tests were NOT run (${INSTALL_HINT})\n`,
    );
    return undefined;
  }
  throw new PythonNotFoundError(
    `no Python with torch, torchvision and PIL for the local-mode tests; install them with: ${INSTALL_HINT}`,
  );
}
