/**
 * Parser for `aws iam get-account-authorization-details` output (JSON). Reads the roles with their
 * RoleLastUsed; users are counted but not needed by any policy. Errors name the file and the field.
 */
import { InventoryFormatError, RoleFacts } from "./types";

export interface AuthorizationDetails {
  readonly roles: RoleFacts[];
  readonly userCount: number;
}

export function parseAuthorizationDetails(text: string, file: string): AuthorizationDetails {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InventoryFormatError(`${file}: not valid JSON (${describeJsonError(e as Error, text)})`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new InventoryFormatError(
      `${file}: expected the JSON object printed by 'aws iam get-account-authorization-details'`,
    );
  }
  const top = data as Record<string, unknown>;
  if (!("RoleDetailList" in top) && !("UserDetailList" in top)) {
    throw new InventoryFormatError(
      `${file}: has neither RoleDetailList nor UserDetailList; expected the output of 'aws iam get-account-authorization-details'`,
    );
  }
  const roles: RoleFacts[] = [];
  const list = top["RoleDetailList"] ?? [];
  if (!Array.isArray(list)) {
    throw new InventoryFormatError(`${file}: RoleDetailList is not a list`);
  }
  list.forEach((raw, i) => roles.push(parseRole(raw, `${file}: RoleDetailList[${i}]`)));
  const users = top["UserDetailList"] ?? [];
  if (!Array.isArray(users)) {
    throw new InventoryFormatError(`${file}: UserDetailList is not a list`);
  }
  return { roles, userCount: users.length };
}

function parseRole(raw: unknown, where: string): RoleFacts {
  if (raw === null || typeof raw !== "object") {
    throw new InventoryFormatError(`${where}: not an object`);
  }
  const r = raw as Record<string, unknown>;
  const name = requiredString(r, "RoleName", where);
  const arn = requiredString(r, "Arn", where);
  const createDate = parseDate(r["CreateDate"], `${where}.CreateDate`, true) as Date;
  const path = typeof r["Path"] === "string" ? (r["Path"] as string) : "/";
  const used = r["RoleLastUsed"];
  let lastUsed: Date | undefined;
  let lastUsedRegion: string | undefined;
  if (used !== undefined && used !== null) {
    if (typeof used !== "object") {
      throw new InventoryFormatError(`${where}.RoleLastUsed: not an object`);
    }
    const u = used as Record<string, unknown>;
    lastUsed = parseDate(u["LastUsedDate"], `${where}.RoleLastUsed.LastUsedDate`, false);
    lastUsedRegion = typeof u["Region"] === "string" ? (u["Region"] as string) : undefined;
  }
  return { name, arn, path, createDate, lastUsed, lastUsedRegion };
}

function requiredString(r: Record<string, unknown>, key: string, where: string): string {
  const v = r[key];
  if (typeof v !== "string" || v === "") {
    throw new InventoryFormatError(`${where}.${key}: missing or not a string`);
  }
  return v;
}

/** ISO 8601 dates as the CLI prints them ("2024-01-31T12:00:00+00:00" or "...Z"); numbers are epoch seconds. */
export function parseDate(v: unknown, where: string, required: boolean): Date | undefined {
  if (v === undefined || v === null || v === "") {
    if (required) {
      throw new InventoryFormatError(`${where}: missing`);
    }
    return undefined;
  }
  const d =
    typeof v === "number"
      ? new Date(v * 1000)
      : typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v)
        ? new Date(v)
        : undefined;
  if (!d || Number.isNaN(d.getTime())) {
    throw new InventoryFormatError(`${where}: ${JSON.stringify(v)} is not an ISO 8601 date`);
  }
  return d;
}

/** Adds line and column to JSON.parse's "at position N" messages. */
export function describeJsonError(e: Error, text: string): string {
  const m = /position (\d+)/.exec(e.message);
  if (!m || /line \d+/.test(e.message)) {
    return e.message;
  }
  const pos = Number(m[1]);
  const before = text.slice(0, pos).split("\n");
  return `${e.message} (line ${before.length}, column ${before[before.length - 1].length + 1})`;
}
