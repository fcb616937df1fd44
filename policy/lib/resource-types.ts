/**
 * Pulumi type tokens (@pulumi/aws v7) the pack judges. Kept as strings so the pack does not load the
 * whole AWS SDK; `tests/resource-types.test.ts` checks each one against the installed @pulumi/aws.
 */
export const T = {
  iamPolicy: "aws:iam/policy:Policy",
  iamRole: "aws:iam/role:Role",
  iamRolePolicy: "aws:iam/rolePolicy:RolePolicy",
  iamUserPolicy: "aws:iam/userPolicy:UserPolicy",
  iamGroupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  iamRolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  iamUserPolicyAttachment: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  iamGroupPolicyAttachment: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  iamPolicyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  iamRolePolicyAttachmentsExclusive: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
  iamUserPolicyAttachmentsExclusive: "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
  iamGroupPolicyAttachmentsExclusive:
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
  iamGroup: "aws:iam/group:Group",
  iamAccessKey: "aws:iam/accessKey:AccessKey",

  ssoadminManagedPolicyAttachment: "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
  ssoadminManagedPolicyAttachmentsExclusive:
    "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive",
  ssoadminCustomerManagedPolicyAttachment:
    "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment",
  ssoadminCustomerManagedPolicyAttachmentsExclusive:
    "aws:ssoadmin/customerManagedPolicyAttachmentsExclusive:CustomerManagedPolicyAttachmentsExclusive",
  ssoadminPermissionSetInlinePolicy: "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
  ssoadminPermissionsBoundaryAttachment:
    "aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment",
  iamUser: "aws:iam/user:User",
  iamUserLoginProfile: "aws:iam/userLoginProfile:UserLoginProfile",
  iamGroupMembership: "aws:iam/groupMembership:GroupMembership",
  iamUserGroupMembership: "aws:iam/userGroupMembership:UserGroupMembership",
  iamInstanceProfile: "aws:iam/instanceProfile:InstanceProfile",

  sagemakerNotebookInstance: "aws:sagemaker/notebookInstance:NotebookInstance",
  sagemakerModel: "aws:sagemaker/model:Model",
  sagemakerEndpointConfiguration: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
  sagemakerTrainingJob: "aws:sagemaker/trainingJob:TrainingJob",
  sagemakerHyperParameterTuningJob: "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob",

  appautoscalingTarget: "aws:appautoscaling/target:Target",

  lambdaFunction: "aws:lambda/function:Function",
  lambdaFunctionUrl: "aws:lambda/functionUrl:FunctionUrl",
  lambdaPermission: "aws:lambda/permission:Permission",

  ec2Instance: "aws:ec2/instance:Instance",
  ec2LaunchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  ec2SecurityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ec2SecurityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  vpcSecurityGroupIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  ebsVolume: "aws:ebs/volume:Volume",

  s3Bucket: "aws:s3/bucket:Bucket",
  s3BucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  s3BucketServerSideEncryptionConfiguration:
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  s3BucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
} as const;

export type ResourceType = (typeof T)[keyof typeof T];
