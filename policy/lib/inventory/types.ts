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

/** An inline policy of a user or group, as the export lists it. */
export interface InlinePolicyFacts {
  readonly name: string;
  /** The document: an object, or a (URL-encoded) JSON string. */
  readonly document: unknown;
}

/** A user or group with the policies that apply to it directly. */
export interface PrincipalPolicyFacts {
  readonly name: string;
  readonly arn: string;
  readonly inlinePolicies: InlinePolicyFacts[];
  readonly attachedPolicyArns: string[];
}

export interface UserFacts extends PrincipalPolicyFacts {
  /** Names of the groups the user is in. */
  readonly groups: string[];
}

/** A managed policy of the account, with its default version's document. */
export interface ManagedPolicyFacts {
  readonly name: string;
  readonly arn: string;
  readonly path: string;
  readonly defaultVersionId: string;
  /** The default version's document; undefined when the export lists no versions of the policy. */
  readonly document: unknown;
}

export interface InstanceProfileFacts {
  readonly name: string;
  readonly arn: string;
  /** Names of the roles in the profile. */
  readonly roles: string[];
}

export type Lookup<T> = { readonly found: T } | { readonly missing: true };

export interface AccountInventory {
  /** Plain words for messages: which source answered (e.g. "offline export /audit/auth.json"). */
  readonly description: string;
  /** Role facts are available from this source. */
  readonly hasRoles: boolean;
  /** MFA facts (credential report or account summary) are available from this source. */
  readonly hasMfa: boolean;
  /** Users, groups, managed policies and instance profiles are available (authorization details). */
  readonly hasPolicies: boolean;
  /** The account the facts describe, when known. */
  accountId(): Promise<string | undefined>;
  getRole(name: string): Promise<RoleLookup>;
  listRoles(): Promise<RoleFacts[]>;
  getMfaFacts(): Promise<MfaFacts>;
  /** A managed policy by ARN (case-sensitive, as IAM ARNs are). */
  getPolicy(arn: string): Promise<Lookup<ManagedPolicyFacts>>;
  /** A customer-managed policy by path and name (IAM Identity Center references them so). */
  findPolicyByName(name: string, path?: string): Promise<Lookup<ManagedPolicyFacts>>;
  getUser(name: string): Promise<Lookup<UserFacts>>;
  getGroup(name: string): Promise<Lookup<PrincipalPolicyFacts>>;
  getInstanceProfile(name: string): Promise<Lookup<InstanceProfileFacts>>;
}

/** A file or field in an export that cannot be read; the message names the file and the line or field. */
export class InventoryFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InventoryFormatError";
  }
}
