/**
 * A self-signed TLS certificate for the loopback HTTPS test servers, generated at test time
 * with the openssl CLI in a temporary directory (nothing is checked in). It is valid for two
 * days, for `images.test` (a reserved name that never resolves on a real network),
 * `localhost` and 127.0.0.1. Tests hand `cert` to the image fetcher as its trusted CA.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface TestCertificate {
  readonly cert: string;
  readonly key: string;
}

export const TEST_HOSTNAME = "images.test";

let cached: TestCertificate | undefined;

export function testCertificate(): TestCertificate {
  if (cached) return cached;
  const dir = mkdtempSync(path.join(tmpdir(), "inference-test-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
        "-days",
        "2",
        "-subj",
        `/CN=${TEST_HOSTNAME}`,
        "-addext",
        `subjectAltName=DNS:${TEST_HOSTNAME},DNS:localhost,IP:127.0.0.1`,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    cached = {
      cert: readFileSync(path.join(dir, "cert.pem"), "utf8"),
      key: readFileSync(path.join(dir, "key.pem"), "utf8"),
    };
    return cached;
  } catch (error) {
    throw new Error(
      `could not generate the test certificate with openssl (is it installed?): ${String(error)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
