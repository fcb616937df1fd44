/** The tags every resource carries, so cost and ownership reports can group them. */
export interface TagContext {
  project: string;
  stack: string;
  owner: string;
  costCenter: string;
  /** Extra tags from config (`ml-platform:tags`); they never override the standard ones. */
  extra?: Record<string, string>;
}

export type Tags = Record<string, string>;

export function platformTags(ctx: TagContext): Tags {
  return {
    ...(ctx.extra ?? {}),
    project: ctx.project,
    stack: ctx.stack,
    owner: ctx.owner,
    "cost-center": ctx.costCenter,
    "managed-by": "pulumi",
  };
}

/** The stack's tags plus the `component` tag of one component. */
export function componentTags(base: Tags | undefined, component: string): Tags {
  return { ...(base ?? {}), component };
}
