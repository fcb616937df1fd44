/**
 * Parser for the IAM credential report (`aws iam generate-credential-report`, then
 * `aws iam get-credential-report`). Accepts the decoded CSV, the base64 Content, or the CLI's JSON
 * answer holding it. Errors name the file, the line and the field.
 */
import { jsonErrorAt } from "./authorization-details";
import { CredentialReportRow, InventoryFormatError, MfaFacts } from "./types";

const REQUIRED = ["user", "arn", "user_creation_time", "password_enabled", "mfa_active"] as const;
const ROOT_USER = "<root_account>";

export function parseCredentialReport(input: string, file: string): CredentialReportRow[] {
  if (input.replace(/^\uFEFF/, "").trim() === "") {
    throw new InventoryFormatError(
      `${file}:1: the file is empty; expected the CSV of 'aws iam get-credential-report' (decoded)`,
    );
  }
  const csv = decodeReport(input, file);
  const lines = csv.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? "", file, 1);
  for (const col of REQUIRED) {
    if (!header.includes(col)) {
      throw new InventoryFormatError(
        `${file}:1: the header has no "${col}" column; expected the CSV of 'aws iam get-credential-report' (decoded)`,
      );
    }
  }
  const col = (name: string) => header.indexOf(name);
  const rows: CredentialReportRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    if (lines[i].trim() === "") {
      continue;
    }
    const f = splitCsvLine(lines[i], file, lineNo);
    if (f.length !== header.length) {
      throw new InventoryFormatError(
        `${file}:${lineNo}: expected ${header.length} fields as in the header, found ${f.length}`,
      );
    }
    const get = (name: string) => (col(name) >= 0 ? f[col(name)] : undefined);
    const where = (name: string) => `${file}:${lineNo}: field ${name}`;
    const user = get("user") ?? "";
    if (user === "") {
      throw new InventoryFormatError(`${where("user")} is empty`);
    }
    const isRoot = user === ROOT_USER;
    rows.push({
      line: lineNo,
      user,
      arn: get("arn") ?? "",
      isRoot,
      userCreationTime: reportDate(get("user_creation_time"), where("user_creation_time")),
      passwordEnabled: reportBool(get("password_enabled"), where("password_enabled"), true),
      passwordLastUsed: lastUsed(get("password_last_used"), where("password_last_used")),
      mfaActive: reportBool(get("mfa_active"), where("mfa_active"), false) ?? false,
    });
  }
  return rows;
}

/** Root MFA and console users without MFA, from the report's rows. */
export function mfaFactsFromReport(rows: CredentialReportRow[]): MfaFacts {
  const root = rows.find((r) => r.isRoot);
  const consoleUsers = rows.filter((r) => !r.isRoot && r.passwordEnabled === true);
  return {
    rootMfaActive: root ? root.mfaActive : undefined,
    consoleUsers: consoleUsers.map((r) => r.user),
    consoleUsersWithoutMfa: consoleUsers.filter((r) => !r.mfaActive).map((r) => r.user),
  };
}

function decodeReport(input: string, file: string): string {
  const text = input.replace(/^\uFEFF/, "").trim();
  if (text.startsWith("{")) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      const { line, message } = jsonErrorAt(e as Error, text);
      throw new InventoryFormatError(`${file}:${line}: not valid JSON (${message})`);
    }
    const content = (data as Record<string, unknown>)?.["Content"];
    if (typeof content !== "string") {
      throw new InventoryFormatError(
        `${file}:Content: missing or not a string; expected the JSON answer of 'aws iam get-credential-report'`,
      );
    }
    return fromBase64(content, `${file}:Content`);
  }
  if (text.startsWith("user,") || text.includes(",")) {
    return text;
  }
  return fromBase64(text, `${file}:1`);
}

function fromBase64(s: string, where: string): string {
  const compact = s.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+=*$/.test(compact)) {
    throw new InventoryFormatError(`${where}: neither CSV nor base64`);
  }
  const decoded = Buffer.from(compact, "base64").toString("utf8");
  if (!decoded.startsWith("user,")) {
    throw new InventoryFormatError(`${where}: decodes to something that is not a credential report CSV`);
  }
  return decoded;
}

/** Splits one CSV line; fields may be double-quoted with "" escapes. */
function splitCsvLine(line: string, file: string, lineNo: number): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c === '"' && cur === "") {
      quoted = true;
    } else if (c === ",") {
      out.push(cur);
      cur = "";
    } else {
      cur += c;
    }
  }
  if (quoted) {
    throw new InventoryFormatError(`${file}:${lineNo}: unterminated quoted field`);
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

function reportBool(v: string | undefined, where: string, allowNotSupported: boolean): boolean | undefined {
  const s = (v ?? "").toLowerCase();
  if (s === "true") {
    return true;
  }
  if (s === "false") {
    return false;
  }
  if (allowNotSupported && (s === "not_supported" || s === "n/a")) {
    return undefined;
  }
  throw new InventoryFormatError(`${where} is ${JSON.stringify(v ?? "")}; expected true or false`);
}

function reportDate(v: string | undefined, where: string): Date | undefined {
  if (v === undefined || v === "" || /^(n\/a|not_supported|no_information)$/i.test(v)) {
    return undefined;
  }
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) {
    throw new InventoryFormatError(
      `${where} is ${JSON.stringify(v)}; expected an ISO 8601 date, N/A or no_information`,
    );
  }
  return d;
}

function lastUsed(v: string | undefined, where: string): Date | "never" | undefined {
  if (v === undefined) {
    return undefined;
  }
  if (/^(n\/a|no_information)$/i.test(v)) {
    return "never";
  }
  return reportDate(v, where);
}
