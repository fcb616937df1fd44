/**
 * Every IAM carrier of @pulumi/aws v7: the resource types whose inputs grant identity-based
 * permissions (a policy document, or a reference to a managed policy), and where. Types of the
 * `iam` and `ssoadmin` modules that carry no grant are listed with the reason, so
 * `tests/iam-carriers.test.ts` fails when @pulumi/aws adds a type that is neither.
 * Paths are property names; "[]" walks a list.
 */
import { T } from "./resource-types";

export interface CarrierSpec {
  /** Policy documents (JSON strings or objects). */
  readonly documents?: readonly (readonly string[])[];
  /** Managed policy ARNs (AWS-managed or customer-managed). */
  readonly managedArns?: readonly (readonly string[])[];
  /** IAM Identity Center references to a customer-managed policy by `{name, path}`. */
  readonly customerRefs?: readonly (readonly string[])[];
}

export const IAM_CARRIERS: Readonly<Record<string, CarrierSpec>> = {
  [T.iamPolicy]: { documents: [["policy"]] },
  [T.iamRolePolicy]: { documents: [["policy"]] },
  [T.iamUserPolicy]: { documents: [["policy"]] },
  [T.iamGroupPolicy]: { documents: [["policy"]] },
  [T.iamRole]: {
    documents: [["inlinePolicies", "[]", "policy"]],
    managedArns: [["managedPolicyArns", "[]"]],
  },
  [T.iamRolePolicyAttachment]: { managedArns: [["policyArn"]] },
  [T.iamUserPolicyAttachment]: { managedArns: [["policyArn"]] },
  [T.iamGroupPolicyAttachment]: { managedArns: [["policyArn"]] },
  [T.iamPolicyAttachment]: { managedArns: [["policyArn"]] },
  [T.iamRolePolicyAttachmentsExclusive]: { managedArns: [["policyArns", "[]"]] },
  [T.iamUserPolicyAttachmentsExclusive]: { managedArns: [["policyArns", "[]"]] },
  [T.iamGroupPolicyAttachmentsExclusive]: { managedArns: [["policyArns", "[]"]] },
  [T.ssoadminPermissionSetInlinePolicy]: { documents: [["inlinePolicy"]] },
  [T.ssoadminManagedPolicyAttachment]: { managedArns: [["managedPolicyArn"]] },
  [T.ssoadminManagedPolicyAttachmentsExclusive]: { managedArns: [["managedPolicyArns", "[]"]] },
  [T.ssoadminCustomerManagedPolicyAttachment]: { customerRefs: [["customerManagedPolicyReference"]] },
  [T.ssoadminCustomerManagedPolicyAttachmentsExclusive]: {
    customerRefs: [["customerManagedPolicyReferences", "[]"]],
  },
};

/** Where a policy is used as a permissions boundary: it limits, it grants nothing. */
export const PERMISSIONS_BOUNDARIES: Readonly<Record<string, CarrierSpec>> = {
  [T.iamRole]: { managedArns: [["permissionsBoundary"]] },
  [T.iamUser]: { managedArns: [["permissionsBoundary"]] },
  [T.ssoadminPermissionsBoundaryAttachment]: {
    managedArns: [["permissionsBoundary", "managedPolicyArn"]],
    customerRefs: [["permissionsBoundary", "customerManagedPolicyReference"]],
  },
};

const NO_POLICY = "has no policy document or policy reference among its inputs";

/** Types of the `iam` and `ssoadmin` modules (and carrier-like names elsewhere) that grant nothing. */
export const NOT_CARRIERS: Readonly<Record<string, string>> = {
  "aws:iam/accessKey:AccessKey": NO_POLICY,
  "aws:iam/accountAlias:AccountAlias": NO_POLICY,
  "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": "a password policy, not an IAM permission policy",
  "aws:iam/group:Group": NO_POLICY,
  "aws:iam/groupMembership:GroupMembership": "membership; the group's policies are their own carriers",
  "aws:iam/groupPoliciesExclusive:GroupPoliciesExclusive":
    "lists inline policy names only; each inline policy is a GroupPolicy carrier",
  "aws:iam/instanceProfile:InstanceProfile": "passes a role; the role's policies are their own carriers",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": NO_POLICY,
  "aws:iam/organizationsFeatures:OrganizationsFeatures": NO_POLICY,
  "aws:iam/outboundWebIdentityFederation:OutboundWebIdentityFederation": NO_POLICY,
  "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive":
    "lists inline policy names only; each inline policy is a RolePolicy carrier",
  "aws:iam/samlProvider:SamlProvider": NO_POLICY,
  "aws:iam/securityTokenServicePreferences:SecurityTokenServicePreferences": NO_POLICY,
  "aws:iam/serverCertificate:ServerCertificate": NO_POLICY,
  "aws:iam/serviceLinkedRole:ServiceLinkedRole":
    "AWS defines a service-linked role's permissions; they cannot be attached to other roles",
  "aws:iam/serviceSpecificCredential:ServiceSpecificCredential": NO_POLICY,
  "aws:iam/signingCertificate:SigningCertificate": NO_POLICY,
  "aws:iam/sshKey:SshKey": NO_POLICY,
  "aws:iam/user:User": "its permissionsBoundary limits and grants nothing",
  "aws:iam/userGroupMembership:UserGroupMembership":
    "membership; the group's policies are their own carriers",
  "aws:iam/userLoginProfile:UserLoginProfile": NO_POLICY,
  "aws:iam/userPoliciesExclusive:UserPoliciesExclusive":
    "lists inline policy names only; each inline policy is a UserPolicy carrier",
  "aws:iam/virtualMfaDevice:VirtualMfaDevice": NO_POLICY,
  "aws:ssoadmin/accountAssignment:AccountAssignment":
    "assigns a permission set; the permission set's policies are their own carriers",
  "aws:ssoadmin/application:Application": NO_POLICY,
  "aws:ssoadmin/applicationAccessScope:ApplicationAccessScope": NO_POLICY,
  "aws:ssoadmin/applicationAssignment:ApplicationAssignment": NO_POLICY,
  "aws:ssoadmin/applicationAssignmentConfiguration:ApplicationAssignmentConfiguration": NO_POLICY,
  "aws:ssoadmin/instanceAccessControlAttributes:InstanceAccessControlAttributes": NO_POLICY,
  "aws:ssoadmin/permissionSet:PermissionSet":
    "its policies come in PermissionSetInlinePolicy and the policy attachment types",
  "aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment":
    "a permissions boundary limits and grants nothing",
  "aws:ssoadmin/region:Region": NO_POLICY,
  "aws:ssoadmin/trustedTokenIssuer:TrustedTokenIssuer": NO_POLICY,
  "aws:iot/policyAttachment:PolicyAttachment": "an AWS IoT policy for devices, not an IAM policy",
  "aws:organizations/policyAttachment:PolicyAttachment":
    "an Organizations policy (SCP, tag or backup policy); SCPs only limit, they grant nothing",
  "aws:networkmanager/coreNetworkPolicyAttachment:CoreNetworkPolicyAttachment":
    "a Cloud WAN network policy, not an IAM policy",
};
