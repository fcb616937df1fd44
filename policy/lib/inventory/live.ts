/**
 * The live account through AWS SDK v3. Used only when credentials are explicitly present in the
 * environment; the instance metadata service is never probed, and every call has a deadline.
 */
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountAuthorizationDetailsCommandOutput,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetRoleCommand,
  IAMClient,
} from "@aws-sdk/client-iam";
import { accountOf } from "../arn";
import { authorizationDetailsFrom } from "./authorization-details";
import { mfaFactsFromReport, parseCredentialReport } from "./credential-report";
import { AuthorizationIndex } from "./authorization-index";
import {
  AccountInventory,
  InstanceProfileFacts,
  Lookup,
  ManagedPolicyFacts,
  MfaFacts,
  PrincipalPolicyFacts,
  RoleFacts,
  RoleLookup,
  UserFacts,
} from "./types";

/** An IAM client that cannot fall back to the instance metadata service and gives up quickly. */
export function makeIamClient(env: NodeJS.ProcessEnv, timeoutMs: number): IAMClient {
  // The default credential chain ends with IMDS; this switch makes that last step fail at once.
  process.env.AWS_EC2_METADATA_DISABLED = "true";
  return new IAMClient({
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1",
    maxAttempts: 2,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
  });
}

type Sendable = Pick<IAMClient, "send">;

export class LiveInventory implements AccountInventory {
  readonly hasRoles = true;
  readonly hasMfa = true;
  readonly hasPolicies = true;
  private account?: Promise<string | undefined>;

  constructor(
    private readonly client: Sendable,
    private readonly timeoutMs: number,
    readonly description: string,
  ) {}

  async accountId(): Promise<string | undefined> {
    this.account ??= this.listRoles()
      .then((roles) => roles.map((r) => accountOf(r.arn)).find((a) => a !== undefined))
      .catch(() => undefined);
    return this.account;
  }

  async getRole(name: string): Promise<RoleLookup> {
    try {
      const out = await this.call("GetRole", (signal) =>
        this.client.send(new GetRoleCommand({ RoleName: name }), { abortSignal: signal }),
      );
      const r = out.Role;
      if (!r?.RoleName || !r.Arn || !r.CreateDate) {
        throw new Error(`GetRole ${name}: incomplete answer`);
      }
      return {
        found: {
          name: r.RoleName,
          arn: r.Arn,
          path: r.Path ?? "/",
          createDate: new Date(r.CreateDate),
          lastUsed: r.RoleLastUsed?.LastUsedDate ? new Date(r.RoleLastUsed.LastUsedDate) : undefined,
          lastUsedRegion: r.RoleLastUsed?.Region,
        },
      };
    } catch (e) {
      if ((e as { name?: string }).name === "NoSuchEntityException") {
        return { missing: true };
      }
      throw e;
    }
  }

  private detailsCache?: Promise<AuthorizationIndex>;

  /**
   * Every role (with RoleLastUsed; ListRoles omits it), user, group and managed policy, from
   * GetAccountAuthorizationDetails, parsed as the offline export is.
   */
  details(): Promise<AuthorizationIndex> {
    this.detailsCache ??= this.call("GetAccountAuthorizationDetails", async (signal) => {
      const all: Record<string, unknown[]> = {
        RoleDetailList: [],
        UserDetailList: [],
        GroupDetailList: [],
        Policies: [],
      };
      let marker: string | undefined;
      do {
        const page: GetAccountAuthorizationDetailsCommandOutput = await this.client.send(
          new GetAccountAuthorizationDetailsCommand({ Marker: marker }),
          { abortSignal: signal },
        );
        for (const k of Object.keys(all)) {
          all[k].push(...(((page as unknown as Record<string, unknown>)[k] as unknown[] | undefined) ?? []));
        }
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      return new AuthorizationIndex(authorizationDetailsFrom(all, "live GetAccountAuthorizationDetails"));
    });
    return this.detailsCache;
  }

  async listRoles(): Promise<RoleFacts[]> {
    return (await this.details()).details.roles;
  }

  async getPolicy(arn: string): Promise<Lookup<ManagedPolicyFacts>> {
    return (await this.details()).policy(arn);
  }

  async findPolicyByName(name: string, path?: string): Promise<Lookup<ManagedPolicyFacts>> {
    return (await this.details()).policyByName(name, path);
  }

  async getUser(name: string): Promise<Lookup<UserFacts>> {
    return (await this.details()).user(name);
  }

  async getGroup(name: string): Promise<Lookup<PrincipalPolicyFacts>> {
    return (await this.details()).group(name);
  }

  async getInstanceProfile(name: string): Promise<Lookup<InstanceProfileFacts>> {
    return (await this.details()).instanceProfile(name);
  }

  /** Root MFA from GetAccountSummary; console users from a fresh credential report (generated, then fetched). */
  async getMfaFacts(): Promise<MfaFacts> {
    const summary = await this.call("GetAccountSummary", (signal) =>
      this.client.send(new GetAccountSummaryCommand({}), { abortSignal: signal }),
    );
    const rootMfa = summary.SummaryMap?.["AccountMFAEnabled"];
    const report = await this.call("GetCredentialReport", async (signal) => {
      for (;;) {
        const gen = await this.client.send(new GenerateCredentialReportCommand({}), { abortSignal: signal });
        if (gen.State === "COMPLETE") {
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const got = await this.client.send(new GetCredentialReportCommand({}), { abortSignal: signal });
      return Buffer.from(got.Content ?? new Uint8Array()).toString("utf8");
    });
    const facts = mfaFactsFromReport(parseCredentialReport(report, "live credential report"));
    return { ...facts, rootMfaActive: rootMfa === undefined ? facts.rootMfaActive : rootMfa === 1 };
  }

  /** Runs one SDK operation with a hard deadline: the request is aborted and the error says which call timed out. */
  private async call<T>(what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`${what} did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([run(controller.signal), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
