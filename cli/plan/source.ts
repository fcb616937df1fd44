/**
 * Where findings point in the code: the file and line that declared each resource (the source
 * position the SDK sends with its registration), relative to the repository root (the nearest
 * directory above the program holding `.git`; the program directory when there is none), as
 * GitHub code scanning resolves SARIF locations. The stack itself and the engine's default
 * providers come from `Pulumi.<stack>.yaml`, so findings about them point at that file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { SourcePosition } from "./preview-runtime";

export interface SourceLocation {
  /** Relative to the root, with "/" separators (absolute when outside the root). */
  file: string;
  line: number;
  column?: number;
}

/** The repository root above `dir`, else `dir`. */
export function sourceRoot(dir: string): string {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, ".git"))) return at;
    if (path.dirname(at) === at) return path.resolve(dir);
  }
}

export function relativeTo(root: string, file: string): string {
  const rel = path.relative(root, file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel.split(path.sep).join("/");
}

export function locationOf(root: string, position: SourcePosition | undefined): SourceLocation | undefined {
  if (!position) return undefined;
  let file: string;
  try {
    file = position.uri.startsWith("file:") ? fileURLToPath(position.uri) : position.uri;
  } catch {
    return undefined;
  }
  return { file: relativeTo(root, file), line: position.line, column: position.column || undefined };
}

/** The line of `Pulumi.<stack>.yaml` where a config key is set (1 when it is not there). */
export function stackFileLocation(root: string, stackFile: string, key?: string): SourceLocation {
  let line = 1;
  if (key)
    try {
      const [namespace, name] = key.split(":");
      const lines = fs.readFileSync(stackFile, "utf8").split(/\r?\n/);
      const at = lines.findIndex((l) => new RegExp(`^\\s+(?:${namespace}:)?${name}\\s*:`).test(l));
      if (at >= 0) line = at + 1;
    } catch {
      // the file was read before the plan started; a race here only costs the line number
    }
  return { file: relativeTo(root, stackFile), line };
}
