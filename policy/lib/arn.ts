/** Small ARN helpers: `arn:partition:service:region:account:resource`. */

export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

export function parseArn(s: string): Arn | undefined {
  const parts = s.split(":");
  if (parts.length < 6 || parts[0] !== "arn") {
    return undefined;
  }
  return {
    partition: parts[1],
    service: parts[2],
    region: parts[3],
    account: parts[4],
    resource: parts.slice(5).join(":"),
  };
}

/**
 * An AWS-managed policy ARN, in any partition (aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc, ...):
 * `arn:<partition>:iam::aws:policy/<path/><name>`. Returns the path and name after `policy/`.
 */
export function awsManagedPolicyPath(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(arn);
  return m ? m[1] : undefined;
}

/**
 * The role name that a role ARN or bare role name refers to (`arn:aws:iam::123:role/path/name` -> `name`).
 * Returns undefined for anything that is not an IAM role reference.
 */
export function roleNameOf(ref: string): string | undefined {
  const arn = parseArn(ref);
  if (!arn) {
    return /^[\w+=,.@-]{1,64}$/.test(ref) ? ref : undefined;
  }
  if (arn.service !== "iam" || !arn.resource.startsWith("role/")) {
    return undefined;
  }
  const segments = arn.resource.split("/");
  return segments[segments.length - 1] || undefined;
}

/** The account id in an ARN, when there is one. */
export function accountOf(ref: string): string | undefined {
  const arn = parseArn(ref);
  return arn && /^\d{12}$/.test(arn.account) ? arn.account : undefined;
}
