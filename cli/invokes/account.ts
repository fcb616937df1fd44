/**
 * Account look-ups (`aws.iam.getRole`, `getPolicy`, `getUser`, `getGroup` and their Output forms)
 * answered from an `aws iam get-account-authorization-details` export, as the provider answers them
 * from the live account (terraform-provider-aws internal/service/iam/{role,policy,user,group}
 * _data_source.go):
 *   - getRole: id is the name asked for; `createDate` in RFC 3339; the trust policy URL-decoded;
 *     `permissionsBoundary` the boundary's ARN or ""; `roleLastUseds` one entry when IAM returned
 *     RoleLastUsed; tags without `aws:` keys. A name that does not exist is the provider's error
 *     "reading IAM Role (<name>): couldn't find resource" (IAM names match case-insensitively).
 *   - getUser / getGroup: id is the user's / group's unique id; a group's users are the export's
 *     users that list it; a missing name is "reading IAM User|Group (<name>): couldn't find resource".
 *   - getPolicy by ARN or by name (and path prefix): the default version's document; none found is
 *     the provider's "no IAM policy found matching criteria (Name: ...); try different search".
 * What the export does not hold is unknown, never invented: a role's `description` and
 * `maxSessionDuration` and a policy's `tags` (not in the export's entries), a list the export was
 * filtered to leave out, and AWS-managed policies the export does not list (it need not list all).
 */
import { WIRE } from "../wire";
import { InvokeError } from "./errors";
import { AccountExport, InvokeOutcome } from "./types";

export const ACCOUNT_TOKENS = {
  role: "aws:iam/getRole:getRole",
  policy: "aws:iam/getPolicy:getPolicy",
  user: "aws:iam/getUser:getUser",
  group: "aws:iam/getGroup:getGroup",
} as const;

type Entry = Record<string, unknown>;

/** The paths AWS-managed policies live under (IAM's managed policy reference). */
const AWS_MANAGED_PATHS = ["/", "/service-role/", "/aws-service-role/", "/job-function/"];

const NO_EXPORT =
  "no account export to answer it from: pass --inventory <file> (the output of " +
  "`aws iam get-account-authorization-details`)";

export function answerAccountLookup(
  token: string,
  args: Record<string, unknown>,
  inventory: AccountExport | undefined,
): InvokeOutcome | undefined {
  if (!(Object.values(ACCOUNT_TOKENS) as string[]).includes(token)) return undefined;
  if (!inventory) return { unknown: NO_EXPORT };
  switch (token) {
    case ACCOUNT_TOKENS.role:
      return getRole(String(args.name ?? ""), inventory);
    case ACCOUNT_TOKENS.user:
      return getUser(String(args.userName ?? ""), inventory);
    case ACCOUNT_TOKENS.group:
      return getGroup(String(args.groupName ?? ""), inventory);
    default:
      return getPolicy(args, inventory);
  }
}

const list = (inventory: AccountExport, key: string): Entry[] | undefined => {
  const v = inventory.data[key];
  return Array.isArray(v) ? (v as Entry[]) : undefined;
};
const text = (v: unknown): string => (typeof v === "string" ? v : "");
const sameName = (a: unknown, b: string) => typeof a === "string" && a.toLowerCase() === b.toLowerCase();
const notListed = (inventory: AccountExport, key: string) =>
  `the export ${inventory.file} has no ${key} (it was made with a --filter that leaves them out), ` +
  "so the look-up cannot be answered offline";

function getRole(name: string, inventory: AccountExport): InvokeOutcome {
  const roles = list(inventory, "RoleDetailList");
  if (!roles) return { unknown: notListed(inventory, "RoleDetailList") };
  const role = roles.find((r) => sameName(r.RoleName, name));
  if (!role) throw new InvokeError(ACCOUNT_TOKENS.role, `reading IAM Role (${name}): couldn't find resource`);
  const used = role.RoleLastUsed as Entry | undefined | null;
  return {
    answer: {
      id: name,
      arn: text(role.Arn),
      name: text(role.RoleName),
      path: text(role.Path),
      uniqueId: text(role.RoleId),
      createDate: rfc3339(role.CreateDate),
      assumeRolePolicy: policyText(role.AssumeRolePolicyDocument),
      permissionsBoundary: text((role.PermissionsBoundary as Entry | undefined)?.PermissionsBoundaryArn),
      roleLastUseds: used ? [{ region: text(used.Region), lastUsedDate: rfc3339(used.LastUsedDate) }] : [],
      tags: tagsOf(role.Tags),
      description: WIRE.unknown,
      maxSessionDuration: WIRE.unknown,
    },
    unknownFields: ["description", "maxSessionDuration"],
  };
}

function getUser(name: string, inventory: AccountExport): InvokeOutcome {
  const users = list(inventory, "UserDetailList");
  if (!users) return { unknown: notListed(inventory, "UserDetailList") };
  const user = users.find((u) => sameName(u.UserName, name));
  if (!user) throw new InvokeError(ACCOUNT_TOKENS.user, `reading IAM User (${name}): couldn't find resource`);
  return {
    answer: {
      id: text(user.UserId),
      arn: text(user.Arn),
      path: text(user.Path),
      permissionsBoundary: text((user.PermissionsBoundary as Entry | undefined)?.PermissionsBoundaryArn),
      userId: text(user.UserId),
      userName: text(user.UserName),
      tags: tagsOf(user.Tags),
    },
  };
}

function getGroup(name: string, inventory: AccountExport): InvokeOutcome {
  const groups = list(inventory, "GroupDetailList");
  if (!groups) return { unknown: notListed(inventory, "GroupDetailList") };
  const group = groups.find((g) => sameName(g.GroupName, name));
  if (!group)
    throw new InvokeError(ACCOUNT_TOKENS.group, `reading IAM Group (${name}): couldn't find resource`);
  const users = list(inventory, "UserDetailList");
  const groupName = text(group.GroupName);
  return {
    answer: {
      id: text(group.GroupId),
      arn: text(group.Arn),
      groupId: text(group.GroupId),
      groupName,
      path: text(group.Path),
      users: users
        ? users
            .filter((u) => Array.isArray(u.GroupList) && u.GroupList.some((g) => sameName(g, groupName)))
            .map((u) => ({
              arn: text(u.Arn),
              path: text(u.Path),
              userId: text(u.UserId),
              userName: text(u.UserName),
            }))
        : WIRE.unknown,
    },
    unknownFields: users ? [] : ["users"],
  };
}

function getPolicy(args: Record<string, unknown>, inventory: AccountExport): InvokeOutcome {
  const arn = text(args.arn);
  const name = text(args.name);
  const pathPrefix = text(args.pathPrefix);
  const policies = list(inventory, "Policies");
  if (!policies) return { unknown: notListed(inventory, "Policies") };
  let policy: Entry | undefined;
  if (arn !== "") {
    policy = policies.find((p) => p.Arn === arn);
    if (!policy) {
      if (/^arn:[^:]+:iam::aws:policy\//.test(arn))
        return {
          unknown: `${arn} is an AWS-managed policy the export ${inventory.file} does not list (an export lists the managed policies in use)`,
        };
      throw new InvokeError(ACCOUNT_TOKENS.policy, `reading IAM policy (${arn}): couldn't find resource`);
    }
  } else {
    const criteria = [name && `Name: ${name}`, pathPrefix && `PathPrefix: ${pathPrefix}`]
      .filter(Boolean)
      .join(", ");
    const matches = policies.filter(
      (p) => (name === "" || p.PolicyName === name) && text(p.Path).startsWith(pathPrefix || "/"),
    );
    if (matches.length > 1)
      throw new InvokeError(
        ACCOUNT_TOKENS.policy,
        `multiple IAM policies found matching criteria (${criteria}); try different search`,
      );
    if (matches.length === 0) {
      // ListPolicies also searches every AWS-managed policy, which the export need not hold: only a
      // path prefix no AWS-managed policy has makes "not found" certain.
      if (AWS_MANAGED_PATHS.some((p) => p.startsWith(pathPrefix || "/")))
        return {
          unknown:
            `no policy matching (${criteria}) in the export ${inventory.file}; it may still be an AWS-managed ` +
            "policy the export does not list",
        };
      throw new InvokeError(
        ACCOUNT_TOKENS.policy,
        `no IAM policy found matching criteria (${criteria}); try different search`,
      );
    }
    policy = matches[0];
  }
  const versions = Array.isArray(policy.PolicyVersionList) ? (policy.PolicyVersionList as Entry[]) : [];
  const current = versions.find(
    (v) => v.IsDefaultVersion === true || v.VersionId === policy!.DefaultVersionId,
  );
  return {
    answer: {
      id: text(policy.Arn),
      arn: text(policy.Arn),
      name: text(policy.PolicyName),
      path: text(policy.Path),
      ...(pathPrefix ? { pathPrefix } : {}),
      policyId: text(policy.PolicyId),
      description: text(policy.Description),
      attachmentCount: typeof policy.AttachmentCount === "number" ? policy.AttachmentCount : WIRE.unknown,
      policy: current ? policyText(current.Document) : WIRE.unknown,
      tags: WIRE.unknown,
    },
    unknownFields: ["tags", ...(current ? [] : ["policy"])],
  };
}

/**
 * A policy document as the provider returns it: IAM's URL-encoded text, unescaped (url.QueryUnescape).
 * The AWS CLI's export holds it already decoded into JSON; that is written back compactly (the
 * statements are the same; IAM's original whitespace is not in the export).
 */
function policyText(document: unknown): string {
  if (typeof document === "string") {
    try {
      return decodeURIComponent(document.replace(/\+/g, " "));
    } catch {
      return document;
    }
  }
  return JSON.stringify(document ?? {});
}

/** Go's time.RFC3339 in UTC ("2023-05-01T12:00:00Z"), as the provider formats IAM's dates. */
function rfc3339(value: unknown): string {
  if (typeof value !== "string" && typeof value !== "number") return "";
  const date = new Date(typeof value === "number" ? value * 1000 : value);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** KeyValueTags(...).IgnoreAWS(): the tag map without AWS's own `aws:` keys. */
function tagsOf(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(tags))
    for (const t of tags as Entry[])
      if (typeof t?.Key === "string" && !t.Key.startsWith("aws:")) out[t.Key] = text(t.Value);
  return out;
}
