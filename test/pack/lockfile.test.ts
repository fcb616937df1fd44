import * as fs from "node:fs";
import * as path from "node:path";
import { Lockfile, Manifest, standaloneLockfile } from "./lockfile";

const pkg = (version: string, extra: Record<string, unknown> = {}) => ({
  version,
  resolved: `https://registry.npmjs.org/x/-/x-${version}.tgz`,
  integrity: `sha512-${version}`,
  ...extra,
});

const root = (packages: Lockfile["packages"]): Lockfile => ({
  lockfileVersion: 3,
  packages: { "": { name: "root" }, ...packages },
});

const manifest = (deps: Record<string, string>, devDeps: Record<string, string> = {}): Manifest => ({
  name: "pack",
  version: "1.2.3",
  license: "Apache-2.0",
  dependencies: deps,
  devDependencies: devDeps,
  scripts: { postinstall: "node build.js" },
});

describe("a standalone lockfile for a workspace package", () => {
  test("takes the package's dependencies as Node resolves them from its folder, and nothing else", () => {
    const lock = standaloneLockfile(
      root({
        "node_modules/a": pkg("1.0.0", { dependencies: { b: "^2" }, dev: true }),
        "node_modules/b": pkg("1.0.0"),
        "node_modules/a/node_modules/b": pkg("2.0.0", { peer: true }),
        "node_modules/unrelated": pkg("9.9.9"),
        "pack/node_modules/c": pkg("3.0.0", { dependencies: { b: "^1" } }),
        "node_modules/c": pkg("0.1.0"),
      }),
      "pack",
      manifest({ a: "^1" }, { c: "^3" }),
    );
    expect(lock.packages).toEqual({
      "": {
        name: "pack",
        version: "1.2.3",
        license: "Apache-2.0",
        dependencies: { a: "^1" },
        devDependencies: { c: "^3" },
        hasInstallScript: true,
      },
      "node_modules/a": pkg("1.0.0", { dependencies: { b: "^2" } }),
      "node_modules/a/node_modules/b": pkg("2.0.0"),
      "node_modules/b": pkg("1.0.0"),
      "node_modules/c": pkg("3.0.0", { dependencies: { b: "^1" } }),
    });
    expect(lock).toMatchObject({ name: "pack", version: "1.2.3", lockfileVersion: 3 });
  });

  test("follows present peers and optional dependencies, and skips absent optional ones", () => {
    const lock = standaloneLockfile(
      root({
        "node_modules/a": pkg("1.0.0", {
          peerDependencies: { p: "*", q: "*" },
          peerDependenciesMeta: { q: { optional: true } },
          optionalDependencies: { o: "*", gone: "*" },
        }),
        "node_modules/p": pkg("1.0.0"),
        "node_modules/o": pkg("1.0.0"),
      }),
      "pack",
      manifest({ a: "*" }),
    );
    expect(Object.keys(lock.packages)).toEqual(["", "node_modules/a", "node_modules/o", "node_modules/p"]);
  });

  test("a dependency the root lockfile lacks is an error naming who needs it", () => {
    expect(() =>
      standaloneLockfile(
        root({ "node_modules/a": pkg("1.0.0", { dependencies: { missing: "^1" } }) }),
        "pack",
        manifest({ a: "^1" }),
      ),
    ).toThrow("a@1.0.0 needs missing, which the root package-lock.json does not have");
  });

  test("a dependency on another workspace package is an error: a standalone install cannot fetch it", () => {
    expect(() =>
      standaloneLockfile(
        root({ "node_modules/shared-facts": { resolved: "shared", link: true } }),
        "pack",
        manifest({ "shared-facts": "*" }),
      ),
    ).toThrow("pack@1.2.3 needs shared-facts, a link to shared (a workspace package)");
  });

  test("two versions that would land in one place are an error", () => {
    expect(() =>
      standaloneLockfile(
        root({
          "node_modules/a": pkg("1.0.0", { dependencies: { b: "^1" } }),
          "node_modules/b": pkg("1.0.0"),
          "pack/node_modules/b": pkg("2.0.0"),
        }),
        "pack",
        manifest({ a: "^1", b: "^2" }),
      ),
    ).toThrow("would both be installed at node_modules/b");
  });

  test("an old lockfile without a packages map is refused", () => {
    expect(() => standaloneLockfile({ lockfileVersion: 1, packages: {} }, "pack", manifest({}))).toThrow(
      "the root lockfile is version 1; version 2 or 3 is needed",
    );
  });

  test("the repository's pack declares its compiler: the cut lockfile has typescript, ts-node and @types/node", () => {
    const rootDir = path.resolve(__dirname, "..", "..");
    const lock = standaloneLockfile(
      JSON.parse(fs.readFileSync(path.join(rootDir, "package-lock.json"), "utf8")),
      "policy",
      JSON.parse(fs.readFileSync(path.join(rootDir, "policy", "package.json"), "utf8")),
    );
    for (const name of ["typescript", "ts-node", "@types/node", "@pulumi/pulumi", "@pulumi/policy"])
      expect(lock.packages[`node_modules/${name}`]?.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(lock.packages["node_modules/jest"]).toBeUndefined();
  });
});
