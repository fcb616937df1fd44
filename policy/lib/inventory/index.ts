/**
 * Choosing the account-fact source. In order: offline files from the policy's config
 * (`inventoryFile`, `credentialReportFile`) or from the environment (`ML_PLATFORM_IAM_INVENTORY`,
 * `ML_PLATFORM_CREDENTIAL_REPORT`); else the live account when credentials are explicit in the
 * environment; else none, and the policies answer "not applicable" with the reason.
 */
import * as fs from "fs";
import * as path from "path";
import { accountOf } from "../arn";
import { parseAuthorizationDetails } from "./authorization-details";
import { mfaFactsFromReport, parseCredentialReport } from "./credential-report";
import { explicitCredentials } from "./credentials";
import {
  AccountInventory,
  CredentialReportRow,
  InventoryFormatError,
  MfaFacts,
  RoleFacts,
  RoleLookup,
} from "./types";

export * from "./types";
export { parseAuthorizationDetails } from "./authorization-details";
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

/** Offline exports read from files. Either file may be absent; the policies say which facts are missing. */
export class OfflineInventory implements AccountInventory {
  readonly hasRoles: boolean;
  readonly hasMfa: boolean;
  readonly description: string;
  private readonly byName = new Map<string, RoleFacts>();

  constructor(
    private readonly roles: RoleFacts[] | undefined,
    private readonly report: CredentialReportRow[] | undefined,
    files: { inventory?: string; credentialReport?: string },
  ) {
    this.hasRoles = roles !== undefined;
    this.hasMfa = report !== undefined;
    const parts = [
      files.inventory && `offline authorization-details export ${files.inventory}`,
      files.credentialReport && `offline credential report ${files.credentialReport}`,
    ].filter(Boolean);
    this.description = parts.join(" and ");
    // IAM role names are unique case-insensitively.
    for (const r of roles ?? []) {
      this.byName.set(r.name.toLowerCase(), r);
    }
  }

  async accountId(): Promise<string | undefined> {
    const arns = [...(this.roles ?? []).map((r) => r.arn), ...(this.report ?? []).map((r) => r.arn)];
    return arns.map(accountOf).find((a) => a !== undefined);
  }

  async getRole(name: string): Promise<RoleLookup> {
    const r = this.byName.get(name.toLowerCase());
    return r ? { found: r } : { missing: true };
  }

  async listRoles(): Promise<RoleFacts[]> {
    return this.roles ?? [];
  }

  async getMfaFacts(): Promise<MfaFacts> {
    return mfaFactsFromReport(this.report ?? []);
  }
}

const cache = new Map<string, Promise<InventoryChoice>>();

/**
 * The inventory for these options and this environment. Loaded once per distinct choice, so policies
 * that share a source share one read (or one set of live calls). Format errors come back as
 * `unavailable` with the file and line named, never as a crash.
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
    try {
      const inv = inventoryFile ? path.resolve(inventoryFile) : undefined;
      const rep = credentialReportFile ? path.resolve(credentialReportFile) : undefined;
      const roles = inv ? parseAuthorizationDetails(readFile(inv), inv).roles : undefined;
      const report = rep ? parseCredentialReport(readFile(rep), rep) : undefined;
      return { inventory: new OfflineInventory(roles, report, { inventory: inv, credentialReport: rep }) };
    } catch (e) {
      if (e instanceof InventoryFormatError) {
        return { unavailable: e.message };
      }
      throw e;
    }
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
    throw new InventoryFormatError(
      `${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}
