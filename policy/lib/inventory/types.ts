/**
 * Facts about the AWS account that two policies need (stale roles, MFA), behind one small interface
 * with three sources: the live account, offline exports, or none.
 */

export interface RoleFacts {
  readonly name: string;
  readonly arn: string;
  readonly path: string;
  readonly createDate: Date;
  /** RoleLastUsed.LastUsedDate; absent when IAM has no record of use (never used, or not within its tracking window). */
  readonly lastUsed?: Date;
  readonly lastUsedRegion?: string;
}

export interface CredentialReportRow {
  /** 1-based line in the CSV, for messages. */
  readonly line: number;
  readonly user: string;
  readonly arn: string;
  readonly isRoot: boolean;
  readonly userCreationTime?: Date;
  /** `password_enabled`; the root row says "not_supported" there, read here as undefined. */
  readonly passwordEnabled?: boolean;
  /** `password_last_used`: a date, or "never" for `no_information`/`N/A`. */
  readonly passwordLastUsed?: Date | "never";
  readonly mfaActive: boolean;
}

export interface MfaFacts {
  /** Whether the root user has MFA; undefined when the source cannot tell. */
  readonly rootMfaActive?: boolean;
  /** IAM users with a console password. */
  readonly consoleUsers: string[];
  /** Of those, the ones without an active MFA device. */
  readonly consoleUsersWithoutMfa: string[];
}

export type RoleLookup = { readonly found: RoleFacts } | { readonly missing: true };

export interface AccountInventory {
  /** Plain words for messages: which source answered (e.g. "offline export /audit/auth.json"). */
  readonly description: string;
  /** Role facts are available from this source. */
  readonly hasRoles: boolean;
  /** MFA facts (credential report or account summary) are available from this source. */
  readonly hasMfa: boolean;
  /** The account the facts describe, when known. */
  accountId(): Promise<string | undefined>;
  getRole(name: string): Promise<RoleLookup>;
  listRoles(): Promise<RoleFacts[]>;
  getMfaFacts(): Promise<MfaFacts>;
}

/** A file or field in an export that cannot be read; the message names the file and the line or field. */
export class InventoryFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InventoryFormatError";
  }
}
