import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  BUNDLE_MTIME,
  buildSourceBundle,
  collectBundleFiles,
  DEFAULT_TRAINING_DIR,
  isBundled,
  sourceBundleKey,
} from "../../components/source-bundle";
import { runStack, UNKNOWN } from "../harness";

function tempTree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const tree = {
  "train.py": "print('train')\n",
  "inference.py": "print('serve')\n",
  "metrics.json": '{"MetricDefinitions": []}\n',
  "pkg/util.py": "X = 1\n",
  "README.md": "not shipped\n",
  "requirements.txt": "not shipped\n",
  "tests/test_train.py": "not shipped\n",
  "__pycache__/train.cpython-311.pyc": "not shipped\n",
  "pkg/__pycache__/util.cpython-311.pyc": "not shipped\n",
};

describe("source bundle", () => {
  it("builds the same bytes twice from the same files", () => {
    const a = buildSourceBundle(DEFAULT_TRAINING_DIR);
    const b = buildSourceBundle(DEFAULT_TRAINING_DIR);
    expect(Buffer.compare(a.archive, b.archive)).toBe(0);
    expect(a.sha256).toBe(b.sha256);
    expect(a.sha256).toBe(createHash("sha256").update(a.archive).digest("hex"));
  });

  it("builds the same bytes from two copies of a tree written at different times and in another order", () => {
    const one = tempTree(tree);
    const reversed = Object.fromEntries(Object.entries(tree).reverse());
    const two = tempTree(reversed);
    fs.utimesSync(path.join(two, "train.py"), new Date("2001-02-03"), new Date("2001-02-03"));
    fs.chmodSync(path.join(two, "train.py"), 0o755);
    expect(buildSourceBundle(one).sha256).toBe(buildSourceBundle(two).sha256);
  });

  it("ships only Python sources and metrics.json, never tests or caches", () => {
    const files = collectBundleFiles(tempTree(tree)).map((f) => f.name);
    expect(files).toEqual(["inference.py", "metrics.json", "pkg/util.py", "train.py"]);
    expect(isBundled("tests/conftest.py")).toBe(false);
    expect(isBundled("a/__pycache__/b.py")).toBe(false);
    expect(isBundled(".hidden.py")).toBe(false);
  });

  it("lists sorted entries with a fixed mtime, owner and mode under tar -tzvf", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-out-"));
    const file = path.join(dir, "sourcedir.tar.gz");
    fs.writeFileSync(file, buildSourceBundle(tempTree(tree)).archive);
    const listing = execFileSync("tar", ["-tzvf", file], { env: { ...process.env, TZ: "UTC" } })
      .toString()
      .trim()
      .split("\n");
    expect(listing.map((l) => l.split(/\s+/).pop())).toEqual([
      "inference.py",
      "metrics.json",
      "pkg/util.py",
      "train.py",
    ]);
    for (const line of listing) expect(line).toMatch(/^-rw-r--r-- root\/root\s+\d+ 1980-01-01 00:00 \S+$/);
    expect(new Date(BUNDLE_MTIME * 1000).toISOString()).toBe("1980-01-01T00:00:00.000Z");
    // And it unpacks to exactly the sources.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-x-"));
    execFileSync("tar", ["-xzf", file, "-C", out]);
    expect(fs.readFileSync(path.join(out, "pkg/util.py"), "utf8")).toBe("X = 1\n");
  });

  it("writes a gzip header without a timestamp and with a fixed OS byte", () => {
    const { archive } = buildSourceBundle(DEFAULT_TRAINING_DIR);
    expect([...archive.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]);
    expect(archive.readUInt32LE(4)).toBe(0);
    expect(archive[9]).toBe(3);
  });

  it("bundles the project's real entry points", () => {
    expect(buildSourceBundle().files).toEqual(
      expect.arrayContaining(["train.py", "inference.py", "metrics.json"]),
    );
  });

  it("changes hash, and so S3 key, when a file changes", () => {
    const dir = tempTree(tree);
    const before = buildSourceBundle(dir);
    fs.writeFileSync(path.join(dir, "train.py"), "print('train v2')\n");
    const after = buildSourceBundle(dir);
    expect(after.sha256).not.toBe(before.sha256);
    expect(sourceBundleKey(before.sha256)).toBe(`code/${before.sha256.slice(0, 16)}/sourcedir.tar.gz`);
    expect(sourceBundleKey(after.sha256)).not.toBe(sourceBundleKey(before.sha256));
  });

  it("refuses a folder without train.py", () => {
    expect(() => collectBundleFiles(tempTree({ "inference.py": "" }))).toThrow(/has no train.py/);
  });
});

describe("the code upload in our stacks (issue 10: deploy order)", () => {
  // BucketObjectv2 names its bucket by the known name, so the engine would not order it after the
  // bucket by itself; before the fix it depended on nothing and could race the bucket's creation.
  it.each(["dev", "prod"])(
    "%s: waits for the artifact store and names the key by its ARN output",
    async (stack) => {
      const run = await runStack(stack);
      const upload = run.one("aws:s3/bucketObjectv2:BucketObjectv2", "training-code");
      const bundle = run.resources.find((r) => r.urn === upload.parent)!;
      const storeParts = run.childrenOf(run.one("ml-platform:storage:ArtifactStore").urn).map((r) => r.urn);
      const key = run.one("aws:kms/key:Key");
      expect(bundle.type).toBe("ml-platform:training:SourceBundle");
      // The parent waits for the store (the SDK sends a dependency on a component as its resources:
      // bucket, encryption, policy...); the child waits for its parent.
      expect(storeParts).toHaveLength(7);
      expect([...bundle.dependencies].sort()).toEqual([...storeParts].sort());
      // S3 reports an object's key by its ARN: the key's ARN output (unknown at preview) is passed,
      // and it carries the dependency on the key.
      expect(upload.inputs.kmsKeyId).toBe(UNKNOWN);
      expect(upload.propertyDependencies.kmsKeyId).toEqual([key.urn]);
      expect(upload.inputs.bucket).toBe(run.one("aws:s3/bucket:Bucket").inputs.bucket);
    },
  );
});
