/**
 * The training code as a deterministic `sourcedir.tar.gz`, stored content-addressed in the
 * artifact store. Same files in, same bytes out: entries are sorted, and every header field that
 * usually leaks the build machine (mtime, uid/gid, owner names, mode, gzip timestamp and OS byte)
 * is fixed. The archive's sha256 names its S3 key, so a code change is a new key (and a new
 * training job name), and an unchanged tree is a no-op for `pulumi up`.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ARTIFACT_PREFIXES } from "../artifact-store";
import { componentTags } from "../shared/tags";
import { DEFAULT_TRAINING_DIR, resolveSourceBundleArgs, SourceBundleArgs } from "./args";

/** 1980-01-01T00:00:00Z: a fixed, plausible mtime for every entry (0 makes some tools warn). */
export const BUNDLE_MTIME = 315532800;
const BLOCK = 512;
/** GNU and BSD tar write archives in 20-block records; we pad the same way. */
const RECORD = 20 * BLOCK;

export interface BundleFile {
  /** Path inside the archive, `/`-separated, relative to the bundled folder. */
  name: string;
  content: Buffer;
}

export interface SourceBundleBuild {
  /** The gzipped tar. */
  archive: Buffer;
  /** Hex sha256 of `archive`. */
  sha256: string;
  /** Archive entry names, in archive order. */
  files: string[];
}

/** Which files of the training folder ship: Python sources and metrics.json, never tests or caches. */
export function isBundled(relativePath: string): boolean {
  const parts = relativePath.split("/");
  if (parts.some((p) => p === "tests" || p === "__pycache__" || p.startsWith("."))) return false;
  const base = parts[parts.length - 1];
  return base.endsWith(".py") || base === "metrics.json";
}

/** Every bundled file under `dir`, sorted by archive name (byte order, so locale cannot reorder). */
export function collectBundleFiles(dir: string): BundleFile[] {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new Error(`source bundle: ${dir} is not a folder`);
  const found: BundleFile[] = [];
  const walk = (absolute: string, relative: string) => {
    for (const entry of fs.readdirSync(absolute, { withFileTypes: true })) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      const abs = path.join(absolute, entry.name);
      if (entry.isDirectory()) walk(abs, rel);
      else if (entry.isFile() && isBundled(rel)) found.push({ name: rel, content: fs.readFileSync(abs) });
    }
  };
  walk(dir, "");
  found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (!found.some((f) => f.name === "train.py"))
    throw new Error(
      `source bundle: ${dir} has no train.py (the entry point SageMaker and the EC2 trainer run)`,
    );
  return found;
}

function writeString(header: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length > length) throw new Error(`tar header field too long: ${value}`);
  bytes.copy(header, offset);
}

/** An octal number field: zero-padded digits followed by a NUL, as ustar expects. */
function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  writeString(header, offset, length, value.toString(8).padStart(length - 1, "0") + "\0");
}

/** Splits a long name into ustar's prefix (155) and name (100) fields at a `/`. */
function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: "", base: name };
  for (let i = name.lastIndexOf("/"); i > 0; i = name.lastIndexOf("/", i - 1)) {
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100) return { prefix, base };
  }
  throw new Error(`source bundle: path too long for a ustar archive: ${name}`);
}

/** One ustar header for a regular file with fixed owner, mode and mtime. */
export function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(BLOCK, 0);
  const { prefix, base } = splitName(name);
  writeString(header, 0, 100, base);
  writeOctal(header, 100, 8, 0o644);
  writeOctal(header, 108, 8, 0); // uid
  writeOctal(header, 116, 8, 0); // gid
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, BUNDLE_MTIME);
  header.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  writeString(header, 156, 1, "0"); // regular file
  writeString(header, 257, 6, "ustar\0");
  writeString(header, 263, 2, "00");
  writeString(header, 265, 32, "root");
  writeString(header, 297, 32, "root");
  writeOctal(header, 329, 8, 0); // devmajor
  writeOctal(header, 337, 8, 0); // devminor
  writeString(header, 345, 155, prefix);
  let sum = 0;
  for (const byte of header) sum += byte;
  writeString(header, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return header;
}

/** A ustar archive of the files, in the order given, padded to whole records. */
export function tarArchive(files: BundleFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    parts.push(tarHeader(file.name, file.content.length), file.content);
    const pad = (BLOCK - (file.content.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(2 * BLOCK, 0)); // end-of-archive marker
  const length = parts.reduce((n, p) => n + p.length, 0);
  const padded = Math.ceil(length / RECORD) * RECORD;
  parts.push(Buffer.alloc(padded - length, 0));
  return Buffer.concat(parts);
}

/**
 * gzip with a fixed header: zlib already writes mtime 0 and the XFL byte follows the fixed level;
 * the OS byte depends on how zlib was built, so it is pinned to 3 (Unix) here.
 */
export function deterministicGzip(data: Buffer): Buffer {
  const gz = gzipSync(data, { level: 9 });
  gz.writeUInt32LE(0, 4);
  gz[9] = 3;
  return gz;
}

/** Builds the bundle of `dir` (default: the project's training/ folder). */
export function buildSourceBundle(dir: string = DEFAULT_TRAINING_DIR): SourceBundleBuild {
  const files = collectBundleFiles(dir);
  const archive = deterministicGzip(tarArchive(files));
  return {
    archive,
    sha256: createHash("sha256").update(archive).digest("hex"),
    files: files.map((f) => f.name),
  };
}

/** `code/<first 16 hex of sha256>/sourcedir.tar.gz`: content-addressed. */
export function sourceBundleKey(sha256: string, codePrefix: string = ARTIFACT_PREFIXES.code): string {
  return `${codePrefix.replace(/^\/+|\/+$/g, "")}/${sha256.slice(0, 16)}/sourcedir.tar.gz`;
}

/** What training components need to know about an uploaded bundle. */
export interface SourceBundleRef {
  bucketName: string;
  /** Object key, e.g. `code/0123456789abcdef/sourcedir.tar.gz`. */
  key: string;
  sha256: string;
  /** The upload, so jobs and instances wait for it. */
  resource?: pulumi.Resource;
}

/** Uploads the deterministic bundle of the training code as an SSE-KMS object at a content-addressed key. */
export class SourceBundle extends pulumi.ComponentResource implements SourceBundleRef {
  readonly bucketName: string;
  readonly key: string;
  readonly sha256: string;
  /** `s3://<bucket>/<key>`. */
  readonly uri: string;
  readonly files: string[];
  readonly object: aws.s3.BucketObjectv2;
  readonly resource: pulumi.Resource;

  constructor(name: string, args: SourceBundleArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering anything, so a bad call leaves nothing half-declared.
    const a = resolveSourceBundleArgs(name, args);
    super("ml-platform:training:SourceBundle", name, {}, opts);
    const build = buildSourceBundle(a.sourceDir);
    this.bucketName = a.bucketName;
    this.sha256 = build.sha256;
    this.files = build.files;
    this.key = sourceBundleKey(build.sha256, a.codePrefix);
    this.uri = `s3://${a.bucketName}/${this.key}`;
    this.object = new aws.s3.BucketObjectv2(
      name,
      {
        bucket: a.bucketName,
        key: this.key,
        contentBase64: build.archive.toString("base64"),
        contentType: "application/gzip",
        serverSideEncryption: "aws:kms",
        kmsKeyId: a.kmsKeyArn,
        bucketKeyEnabled: true,
        tags: componentTags(a.tags, "training"),
      },
      { parent: this },
    );
    this.resource = this.object;
    this.registerOutputs({ key: this.key, sha256: this.sha256, uri: this.uri });
  }
}
