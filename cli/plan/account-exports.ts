/**
 * `--inventory` and `--credential-report`, read and checked before anything starts: a file the user
 * gave that cannot be read or parsed stops the plan (exit 2) with one line naming the file and the
 * line or field, never a check that quietly becomes "not applicable".
 *
 * The files are parsed by the policy pack's own parsers (policy/lib/inventory), so the plan accepts
 * exactly what the pack accepts; JSON syntax errors get their line and column here (Node's
 * JSON.parse often names no position).
 */
import * as fs from "node:fs";
import { parseAuthorizationDetails } from "../../policy/lib/inventory/authorization-details";
import { parseCredentialReport } from "../../policy/lib/inventory/credential-report";
import { InventoryFormatError } from "../../policy/lib/inventory/types";
import type { AccountExport } from "../invokes";
import { jsonSyntaxError } from "../json-syntax";
import { PlanError } from "./errors";

export interface AccountExports {
  inventory?: AccountExport;
}

export function readAccountExports(inventory?: string, credentialReport?: string): AccountExports {
  const out: AccountExports = {};
  if (inventory) {
    const text = readText("--inventory", inventory);
    const syntax = jsonSyntaxError(text);
    if (syntax)
      throw new PlanError(
        `--inventory ${inventory}:${syntax.line}:${syntax.column}: not valid JSON (${syntax.message}); ` +
          "expected the output of `aws iam get-account-authorization-details`",
      );
    parsed("--inventory", () => parseAuthorizationDetails(text, inventory));
    out.inventory = { file: inventory, data: JSON.parse(text) as Record<string, unknown> };
  }
  if (credentialReport) {
    const text = readText("--credential-report", credentialReport);
    if (/^\s*\{/.test(text)) {
      const syntax = jsonSyntaxError(text.trim());
      if (syntax)
        throw new PlanError(
          `--credential-report ${credentialReport}:${syntax.line}:${syntax.column}: not valid JSON (${syntax.message})`,
        );
    }
    parsed("--credential-report", () => parseCredentialReport(text, credentialReport));
  }
  return out;
}

function readText(flag: string, file: string): string {
  try {
    if (!fs.statSync(file).isFile()) throw new PlanError(`${flag} ${file}: not a file`);
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof PlanError) throw err;
    throw new PlanError(
      `${flag} ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
}

/** The pack's parser's message already starts with `<file>:<line>` or `<file>: <field>`. */
function parsed(flag: string, parse: () => unknown): void {
  try {
    parse();
  } catch (err) {
    if (err instanceof InventoryFormatError) throw new PlanError(`${flag} ${err.message}`);
    throw err;
  }
}
