/**
 * Choosing the account-fact source. In order: offline files from the policy's config
 * (`inventoryFile`, `credentialReportFile`) or from the environment (`ML_PLATFORM_IAM_INVENTORY`,
 * `ML_PLATFORM_CREDENTIAL_REPORT`); else the live account when credentials are explicit in the
 * environment; else none, and the policies report "not checked: " with the reason.
 */
import * as fs from "fs";
import * as path from "path";
import { accountOf } from "../arn";
import { AuthorizationDetails, parseAuthorizationDetails } from "./authorization-details";
import { mfaFactsFromReport, parseCredentialReport } from "./credential-report";
import { AuthorizationIndex } from "./authorization-index";
import { explicitCredentials } from "./credentials";
import {
  AccountInventory,
  CredentialReportRow,
  InstanceProfileFacts,
  InventoryFormatError,
  Lookup,
  ManagedPolicyFacts,
  MfaFacts,
  PrincipalPolicyFacts,
  RoleFacts,
  RoleLookup,
  UserFacts,
} from "./types";

export * from "./types";
export { AuthorizationIndex } from "./authorization-index";
export { authorizationDetailsFrom, parseAuthorizationDetails } from "./authorization-details";
export { parseCredentialReport, mfaFactsFromReport } from "./credential-report";
export { explicitCredentials } from "./credentials";

export const ENV_INVENTORY = "ML_PLATFORM_IAM_INVENTORY";
export const ENV_CREDENTIAL_REPORT = "ML_PLATFORM_CREDENTIAL_REPORT";

export interface InventoryOptions {
  inventoryFile?: string;
  credentialReportFile?: string;
  /** Deadline for each live call. */
  liveTimeoutSeconds?: number;
}

export type InventoryChoice = { readonly inventory: AccountInventory } | { readonly unavailable: string };

const EMPTY_DETAILS: AuthorizationDetails = {
  roles: [],
  users: [],
  groups: [],
  policies: [],
  instanceProfiles: [],
  userCount: 0,
};

/** Offline exports read from files. Either file may be absent; the policies say which facts are missing. */
export class OfflineInventory implements AccountInventory {
  readonly hasRoles: boolean;
  readonly hasMfa: boolean;
  readonly hasPolicies: boolean;
  readonly description: string;
  private readonly index: AuthorizationIndex;

  constructor(
    details: AuthorizationDetails | RoleFacts[] | undefined,
    private readonly report: CredentialReportRow[] | undefined,
    files: { inventory?: string; credentialReport?: string },
  ) {
    const full = Array.isArray(details) ? { ...EMPTY_DETAILS, roles: details } : details;
    this.hasRoles = full !== undefined;
    this.hasPolicies = full !== undefined && !Array.isArray(details);
    this.hasMfa = report !== undefined;
    const parts = [
      files.inventory && `offline authorization-details export ${files.inventory}`,
      files.credentialReport && `offline credential report ${files.credentialReport}`,
    ].filter(Boolean);
    this.description = parts.join(" and ");
    this.index = new AuthorizationIndex(full ?? EMPTY_DETAILS);
  }

  async accountId(): Promise<string | undefined> {
    const d = this.index.details;
    const arns = [
      ...d.roles.map((r) => r.arn),
      ...d.users.map((u) => u.arn),
      ...(this.report ?? []).map((r) => r.arn),
    ];
    return arns.map(accountOf).find((a) => a !== undefined);
  }

  async getRole(name: string): Promise<RoleLookup> {
    return this.index.role(name);
  }

  async listRoles(): Promise<RoleFacts[]> {
    return this.index.details.roles;
  }

  async getMfaFacts(): Promise<MfaFacts> {
    return mfaFactsFromReport(this.report ?? []);
  }

  async getPolicy(arn: string): Promise<Lookup<ManagedPolicyFacts>> {
    return this.index.policy(arn);
  }

  async findPolicyByName(name: string, path?: string): Promise<Lookup<ManagedPolicyFacts>> {
    return this.index.policyByName(name, path);
  }

  async getUser(name: string): Promise<Lookup<UserFacts>> {
    return this.index.user(name);
  }

  async getGroup(name: string): Promise<Lookup<PrincipalPolicyFacts>> {
    return this.index.group(name);
  }

  async getInstanceProfile(name: string): Promise<Lookup<InstanceProfileFacts>> {
    return this.index.instanceProfile(name);
  }
}

const cache = new Map<string, Promise<InventoryChoice>>();

/**
 * The inventory for these options and this environment. Loaded once per distinct choice, so policies
 * that share a source share one read (or one set of live calls). Format errors come back as
 * a rejected promise with an InventoryFormatError naming the file and the line or field.
 */
export function chooseInventory(
  options: InventoryOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<InventoryChoice> {
  const inventoryFile = options.inventoryFile || env[ENV_INVENTORY] || undefined;
  const credentialReportFile = options.credentialReportFile || env[ENV_CREDENTIAL_REPORT] || undefined;
  const creds = explicitCredentials(env);
  const key = JSON.stringify([
    inventoryFile,
    credentialReportFile,
    inventoryFile || credentialReportFile ? "" : creds,
  ]);
  let choice = cache.get(key);
  if (!choice) {
    choice = load(inventoryFile, credentialReportFile, creds, options, env);
    choice.catch(() => undefined); // each caller awaits it and sees the error
    cache.set(key, choice);
  }
  return choice;
}

/** Forgets loaded inventories (tests, or a long-lived analyzer after files change). */
export function clearInventoryCache(): void {
  cache.clear();
}

async function load(
  inventoryFile: string | undefined,
  credentialReportFile: string | undefined,
  creds: string | undefined,
  options: InventoryOptions,
  env: NodeJS.ProcessEnv,
): Promise<InventoryChoice> {
  if (inventoryFile || credentialReportFile) {
    // A file the user gave that cannot be read or parsed is an error, never "not applicable":
    // the InventoryFormatError names the file and the line or field, and the policy throws it.
    const inv = inventoryFile ? path.resolve(inventoryFile) : undefined;
    const rep = credentialReportFile ? path.resolve(credentialReportFile) : undefined;
    const details = inv ? parseAuthorizationDetails(readFile(inv), inv) : undefined;
    const report = rep ? parseCredentialReport(readFile(rep), rep) : undefined;
    return { inventory: new OfflineInventory(details, report, { inventory: inv, credentialReport: rep }) };
  }
  if (creds) {
    const timeoutMs = Math.max(1, options.liveTimeoutSeconds ?? 10) * 1000;
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1";
    // Loaded on demand: the AWS SDK is only needed (and only compiled at pack start-up) for live runs.
    const { LiveInventory, makeIamClient } = await import("./live");
    return {
      inventory: new LiveInventory(
        makeIamClient(env, timeoutMs),
        timeoutMs,
        `live AWS account via the AWS SDK (credentials from ${creds}, region ${region})`,
      ),
    };
  }
  return {
    unavailable:
      "no account facts: give an offline export with the policy config inventoryFile / credentialReportFile " +
      `or the environment ${ENV_INVENTORY} / ${ENV_CREDENTIAL_REPORT}, or run with AWS credentials in the environment`,
  };
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === "ENOENT"
        ? "no such file"
        : err.code === "EACCES"
          ? "permission denied"
          : err.code === "EISDIR"
            ? "it is a directory"
            : err.message;
    throw new InventoryFormatError(`${file}: cannot be read (${why}${err.code ? `, ${err.code}` : ""})`);
  }
}
