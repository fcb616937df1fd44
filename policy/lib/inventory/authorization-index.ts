/** Lookups over one parsed authorization-details export (offline file, or the live account's pages). */
import { AuthorizationDetails } from "./authorization-details";
import {
  InstanceProfileFacts,
  Lookup,
  ManagedPolicyFacts,
  PrincipalPolicyFacts,
  RoleFacts,
  UserFacts,
} from "./types";

export class AuthorizationIndex {
  private readonly roles = new Map<string, RoleFacts>();
  private readonly users = new Map<string, UserFacts>();
  private readonly groups = new Map<string, PrincipalPolicyFacts>();
  private readonly policies = new Map<string, ManagedPolicyFacts>();
  private readonly profiles = new Map<string, InstanceProfileFacts>();

  constructor(readonly details: AuthorizationDetails) {
    // IAM names of roles, users, groups and instance profiles are unique case-insensitively.
    for (const r of details.roles) this.roles.set(r.name.toLowerCase(), r);
    for (const u of details.users) this.users.set(u.name.toLowerCase(), u);
    for (const g of details.groups) this.groups.set(g.name.toLowerCase(), g);
    for (const p of details.policies) this.policies.set(p.arn, p);
    for (const p of details.instanceProfiles) this.profiles.set(p.name.toLowerCase(), p);
  }

  role(name: string): Lookup<RoleFacts> {
    return found(this.roles.get(name.toLowerCase()));
  }
  user(name: string): Lookup<UserFacts> {
    return found(this.users.get(name.toLowerCase()));
  }
  group(name: string): Lookup<PrincipalPolicyFacts> {
    return found(this.groups.get(name.toLowerCase()));
  }
  policy(arn: string): Lookup<ManagedPolicyFacts> {
    return found(this.policies.get(arn));
  }
  policyByName(name: string, path = "/"): Lookup<ManagedPolicyFacts> {
    return found(
      this.details.policies.find(
        (p) => p.name === name && p.path === path && !p.arn.includes(":iam::aws:policy/"),
      ),
    );
  }
  instanceProfile(name: string): Lookup<InstanceProfileFacts> {
    return found(this.profiles.get(name.toLowerCase()));
  }
}

function found<T>(v: T | undefined): Lookup<T> {
  return v ? { found: v } : { missing: true };
}
