/**
 * Helpers for the package tests: build and pack the components package into a folder of the
 * test's own (scripts/build-package.mjs --out), and install programs that use it outside this
 * repository with `npm ci --offline`. The lockfiles are cut from the root one (test/pack/lockfile.ts)
 * and add the tarball or the linked folder, so npm needs nothing but its cache, which the root
 * `npm ci` filled: no network at test time.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { LockEntry, Lockfile, Manifest, standaloneLockfile } from "../pack/lockfile";

export const ROOT = path.resolve(__dirname, "..", "..");
export const PACKAGE_NAME = "ml-platform-components";
export const EXAMPLE = path.join(ROOT, "examples", "consumer");

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A command with the environment of a fresh shell: nothing inherited from an npm that runs jest. */
export function sh(command: string, args: string[], cwd: string): Run {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^npm_/i.test(k) || /^npm_config_(cache|userconfig)$/i.test(k)) env[k] = v;
  delete env.INIT_CWD;
  const run = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 << 20 });
  return { status: run.status, stdout: run.stdout, stderr: `${run.stderr}${run.error?.message ?? ""}` };
}

export const npm = (args: string[], cwd: string): Run => sh("npm", args, cwd);
export const node = (args: string[], cwd: string): Run => sh(process.execPath, args, cwd);

export interface Packed {
  /** The built package folder. */
  dir: string;
  /** The `npm pack` tarball. */
  tarball: string;
  manifest: Manifest & Record<string, any>;
}

/** Builds the package into `<work>/package` and packs it beside it, as `npm run pack:package` does. */
export function buildAndPack(work: string): Packed {
  const dir = path.join(work, "package");
  const run = node([path.join(ROOT, "scripts", "build-package.mjs"), "--out", dir, "--pack"], ROOT);
  if (run.status !== 0) throw new Error(`build-package failed (${run.status}):\n${run.stderr}`);
  const tarball = run.stdout.trim();
  return { dir, tarball, manifest: JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) };
}

export const readJson = (file: string): any => JSON.parse(fs.readFileSync(file, "utf8"));
export const rootLockfile = (): Lockfile => readJson(path.join(ROOT, "package-lock.json"));

function sri(file: string): string {
  return `sha512-${createHash("sha512").update(fs.readFileSync(file)).digest("base64")}`;
}

/** The lockfile's entry for the package itself, as npm writes it from its package.json. */
function packageEntry(manifest: Manifest & Record<string, any>): LockEntry {
  const entry: LockEntry = { version: manifest.version };
  for (const key of ["license", "dependencies", "engines", "peerDependencies"])
    if (manifest[key] !== undefined) entry[key] = manifest[key];
  return entry;
}

/** Registry packages a program needs: its own dependencies plus the package's (zod). */
function registryLock(program: Manifest, pkg: Manifest, name: string): Lockfile {
  const dependencies = { ...program.dependencies, ...pkg.dependencies };
  delete dependencies[PACKAGE_NAME];
  return standaloneLockfile(rootLockfile(), "", {
    name,
    version: program.version,
    dependencies,
    devDependencies: program.devDependencies,
  });
}

const rootEntry = (manifest: Manifest & Record<string, any>): LockEntry => {
  const entry: LockEntry = { name: manifest.name, version: manifest.version };
  for (const key of ["license", "dependencies", "devDependencies", "workspaces"])
    if (manifest[key] !== undefined) entry[key] = manifest[key];
  return entry;
};

/**
 * A program folder that installs the package from the tarball (`file:<tarball>` in its
 * package.json, as examples/consumer does), with the lockfile `npm install` would write.
 */
export function writeTarballProgram(dir: string, packed: Packed, program: Manifest): void {
  const tarball = path.join(dir, path.basename(packed.tarball));
  fs.copyFileSync(packed.tarball, tarball);
  const manifest = {
    ...program,
    dependencies: { ...program.dependencies, [PACKAGE_NAME]: `file:${path.basename(tarball)}` },
  };
  const lock = registryLock(manifest, packed.manifest, manifest.name);
  lock.packages[""] = rootEntry(manifest);
  lock.packages[`node_modules/${PACKAGE_NAME}`] = {
    ...packageEntry(packed.manifest),
    resolved: `file:${path.basename(tarball)}`,
    integrity: sri(tarball),
  };
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  fs.writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify(lock, null, 2) + "\n");
}

/**
 * An npm workspace `root` holding the program (`root/<programFolder>`) and the package unpacked as
 * a sibling workspace (`root/ml-platform-components`): `npm ci` links it into
 * `root/node_modules/ml-platform-components` (a symlink, as `file:` folder installs are) and hoists
 * the registry packages into `root/node_modules`, where the linked package finds them.
 */
export function writeWorkspace(root: string, programFolder: string, packed: Packed, program: Manifest): void {
  const pkgDir = path.join(root, PACKAGE_NAME);
  fs.cpSync(packed.dir, pkgDir, { recursive: true });
  const member = {
    ...program,
    dependencies: { ...program.dependencies, [PACKAGE_NAME]: packed.manifest.version },
  };
  fs.writeFileSync(path.join(root, programFolder, "package.json"), JSON.stringify(member, null, 2) + "\n");
  const workspace = {
    name: "workspace",
    version: "1.0.0",
    private: true,
    workspaces: [programFolder, PACKAGE_NAME],
  };
  fs.writeFileSync(path.join(root, "package.json"), JSON.stringify(workspace, null, 2) + "\n");
  const lock = registryLock(member, packed.manifest, workspace.name);
  lock.packages[""] = rootEntry(workspace);
  lock.packages[programFolder] = rootEntry(member);
  lock.packages[PACKAGE_NAME] = { name: PACKAGE_NAME, ...packageEntry(packed.manifest) };
  lock.packages[`node_modules/${member.name}`] = { resolved: programFolder, link: true };
  lock.packages[`node_modules/${PACKAGE_NAME}`] = { resolved: PACKAGE_NAME, link: true };
  fs.writeFileSync(path.join(root, "package-lock.json"), JSON.stringify(lock, null, 2) + "\n");
}

/** `npm ci --offline` in `dir`; throws with npm's output when it fails. */
export function installOffline(dir: string): void {
  const run = npm(["ci", "--offline", "--no-audit", "--no-fund", "--loglevel=error"], dir);
  if (run.status !== 0) throw new Error(`npm ci --offline in ${dir} failed (${run.status}):\n${run.stderr}`);
}

/** The example program's files (not its node_modules or lockfile) copied to `dir`. */
export function copyExample(dir: string): Manifest {
  fs.mkdirSync(dir, { recursive: true });
  for (const file of fs.readdirSync(EXAMPLE))
    if (!["node_modules", "package-lock.json", "bin"].includes(file))
      fs.cpSync(path.join(EXAMPLE, file), path.join(dir, file), { recursive: true });
  const manifest = readJson(path.join(EXAMPLE, "package.json"));
  delete manifest.dependencies[PACKAGE_NAME];
  return manifest;
}
