/**
 * A package-lock.json for a workspace package on its own, cut from the repository's lockfile: the
 * package's declared dependencies (and devDependencies) and everything they need, resolved the way
 * Node resolves them from the package's folder, at exactly the versions and integrities the root
 * `npm ci` installed. With it, `npm ci --offline` installs the package outside the repository from
 * npm's cache alone (no registry metadata needed), and only from what the package itself declares:
 * a dependency it uses but does not declare is simply not installed.
 */

export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

export interface Lockfile {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

export interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** Flags that describe a package's role in the root project, not in the standalone one. */
const ROOT_ROLE_FLAGS = ["dev", "optional", "devOptional", "peer"];

/**
 * `workspace` is the package's folder relative to the root ("policy"). Throws, naming the package,
 * when a dependency is missing from the root lockfile or is a link (another workspace package,
 * which a standalone install cannot fetch).
 */
export function standaloneLockfile(root: Lockfile, workspace: string, manifest: Manifest): Lockfile {
  if (root.lockfileVersion < 2)
    throw new Error(`the root lockfile is version ${root.lockfileVersion}; version 2 or 3 is needed`);
  const packages = root.packages;
  const resolveFrom = (from: string, name: string): string | undefined => {
    let base = from;
    for (;;) {
      const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
      if (packages[candidate]) return candidate;
      if (!base) return undefined;
      const at = base.lastIndexOf("node_modules/");
      base = at <= 0 ? "" : base.slice(0, at - 1);
    }
  };

  const picked = new Map<string, string>(); // root lock path -> standalone path
  const visit = (from: string, name: string, required: boolean, why: string): void => {
    const at = resolveFrom(from, name);
    if (!at) {
      if (required) throw new Error(`${why} needs ${name}, which the root package-lock.json does not have`);
      return;
    }
    if (picked.has(at)) return;
    const entry = packages[at]!;
    if (entry.link)
      throw new Error(
        `${why} needs ${name}, a link to ${String(entry.resolved)} (a workspace package): ` +
          "a standalone install cannot fetch it from the registry",
      );
    const target = at.startsWith(`${workspace}/`) ? at.slice(workspace.length + 1) : at;
    for (const [other, placed] of picked)
      if (placed === target && other !== at)
        throw new Error(`${other} and ${at} would both be installed at ${target}`);
    picked.set(at, target);
    const label = `${name}@${entry.version}`;
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(at, dep, true, label);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(at, dep, false, label);
    for (const dep of Object.keys(entry.peerDependencies ?? {}))
      visit(at, dep, !entry.peerDependenciesMeta?.[dep]?.optional, label);
  };

  const own = `${manifest.name}@${manifest.version}`;
  for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }))
    visit(workspace, dep, true, own);
  for (const dep of Object.keys(manifest.optionalDependencies ?? {})) visit(workspace, dep, false, own);

  const out: Lockfile = {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: { "": rootEntry(manifest) },
  };
  for (const [at, target] of [...picked].sort((a, b) => a[1].localeCompare(b[1]))) {
    const entry = { ...packages[at]! };
    for (const flag of ROOT_ROLE_FLAGS) delete entry[flag];
    out.packages[target] = entry;
  }
  return out;
}

/** The lockfile's entry for the package itself, as npm writes it from package.json. */
function rootEntry(manifest: Manifest): LockEntry {
  const entry: LockEntry = { name: manifest.name, version: manifest.version };
  for (const key of ["license", "dependencies", "devDependencies", "optionalDependencies", "engines"])
    if (manifest[key] !== undefined) entry[key] = manifest[key];
  const scripts = (manifest.scripts ?? {}) as Record<string, string>;
  if (scripts.preinstall || scripts.install || scripts.postinstall) entry.hasInstallScript = true;
  return entry;
}
