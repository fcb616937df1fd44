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
import { accountOf } from "../../policy/lib/arn";
import type { AccountExport } from "../invokes";
import { jsonSyntaxError } from "../json-syntax";
import { PlanError } from "./errors";

export interface AccountExports {
  inventory?: AccountExport;
  /** The account each export is of (the account in its roles', users' or rows' ARNs), by flag. */
  accounts: { flag: "--inventory" | "--credential-report"; file: string; account: string }[];
}

export function readAccountExports(inventory?: string, credentialReport?: string): AccountExports {
  const out: AccountExports = { accounts: [] };
  const note = (flag: AccountExports["accounts"][number]["flag"], file: string, arns: string[]) => {
    const account = arns.map(accountOf).find((a) => a !== undefined);
    if (account) out.accounts.push({ flag, file, account });
  };
  if (inventory) {
    const text = readText("--inventory", inventory);
    const syntax = jsonSyntaxError(text);
    if (syntax)
      throw new PlanError(
        `--inventory ${inventory}:${syntax.line}:${syntax.column}: not valid JSON (${syntax.message}); ` +
          "expected the output of `aws iam get-account-authorization-details`",
      );
    const details = parsed("--inventory", () => parseAuthorizationDetails(text, inventory));
    note("--inventory", inventory, [...details.roles.map((r) => r.arn), ...details.users.map((u) => u.arn)]);
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
    const rows = parsed("--credential-report", () => parseCredentialReport(text, credentialReport));
    note(
      "--credential-report",
      credentialReport,
      rows.map((r) => r.arn),
    );
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
function parsed<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof InventoryFormatError) throw new PlanError(`${flag} ${err.message}`);
    throw err;
  }
}

/**
 * The accounts the stack may deploy to, when its config says: `aws:allowedAccountIds`, the AWS
 * provider's own guard (@pulumi/aws config `allowedAccountIds: string[]`, terraform-provider-aws
 * `allowed_account_ids`: the provider refuses to run with credentials of any other account).
 * Without it the account is not known offline: the plan's mocked caller identity (123456789012)
 * is a placeholder, never compared with an export.
 */
export function stackAccounts(config: Record<string, string>, where: string): string[] | undefined {
  const raw = config["aws:allowedAccountIds"];
  if (raw === undefined) return undefined;
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    list = raw;
  }
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((a) => typeof a === "string" && /^\d{12}$/.test(a))
  )
    throw new PlanError(
      `${where}: aws:allowedAccountIds must be a list of 12-digit AWS account ids (got ${JSON.stringify(list)})`,
    );
  return list as string[];
}

/** An export of another account than the stack's: one line naming the file and both accounts. */
export function accountMismatches(
  exports: AccountExports,
  allowed: string[] | undefined,
  stackFile: string,
): string[] {
  if (!allowed) return [];
  return exports.accounts
    .filter((e) => !allowed.includes(e.account))
    .map(
      (e) =>
        `${e.flag} ${e.file} is an export of account ${e.account}, but the stack deploys to ` +
        `${allowed.length === 1 ? `account ${allowed[0]}` : `one of the accounts ${allowed.join(", ")}`} ` +
        `(aws:allowedAccountIds in ${stackFile}): its facts are applied anyway, so findings from them are about account ${e.account}`,
    );
}
