/**
 * A component that names another resource of the stack by a literal (a bucket name, an ARN
 * assembled from known parts) must be created after it: the engine orders only what it is told
 * (policy resource-references-have-dependencies proves it for any stack). Collaborators that are
 * resources (an `ArtifactStore`, a `SourceBundle`, an `InferenceEndpoint`) become dependencies of
 * the component itself; its children wait for their parent, so they wait for those too (the
 * Node.js SDK awaits a child's parent URN, and the parent's registration waits for its
 * dependencies: sdk/nodejs/runtime/resource.ts, prepareResource).
 */
import * as pulumi from "@pulumi/pulumi";

/** `opts` with every collaborator that is a resource added to `dependsOn`. */
export function dependOnCollaborators(
  opts: pulumi.ComponentResourceOptions | undefined,
  ...collaborators: unknown[]
): pulumi.ComponentResourceOptions {
  const resources = collaborators.filter((c): c is pulumi.Resource => pulumi.Resource.isInstance(c));
  if (resources.length === 0) return opts ?? {};
  const given = opts?.dependsOn;
  // The SDK flattens nested lists, promises and outputs of resources (runtime/dependsOn.ts,
  // gatherExplicitDependencies), so what the caller gave can be kept as one element.
  const dependsOn = given === undefined ? resources : [given as pulumi.Input<pulumi.Resource>, ...resources];
  return { ...opts, dependsOn };
}
