/**
 * References between the resources of one stack that the engine does not order.
 *
 * A resource whose inputs name another resource of the stack by a literal (a name, ARN, id or URI
 * assembled from known parts) needs that resource to exist first, but the engine only orders what
 * the program told it: a create waits for the resources it depends on, and nothing else.
 *
 * What orders creation, as the engine and the Node.js SDK behave (pulumi/pulumi):
 * - `dependencies` and `propertyDependencies` (AnalyzeStack carries both, from the resource's state:
 *   pkg/resource/deploy/step_generator.go AnalyzeResources): the SDK sends a resource's registration
 *   only once every resource it depends on is registered, and the engine answers a registration only
 *   when that resource's step is done (pkg/resource/deploy/source_eval.go, RegisterResource: "Now
 *   block waiting for the operation to finish"). A dependency on a component stands for the custom
 *   resources below it (sdk/nodejs/runtime/dependsOn.ts, getAllTransitivelyReferencedResourceURNs).
 * - the parent: the SDK awaits the parent's URN before registering a child (sdk/nodejs/runtime/
 *   resource.ts prepareResource, "Wait for the parent to complete"), so a child comes after its parent
 *   and after everything its parent depends on.
 * What does not: being children of the same parent. Siblings in a component are created in parallel,
 * and a component's children do not wait for each other.
 *
 * A pair is reported only when neither is ordered before the other. When the referred-to resource
 * already depends (transitively) on the referrer, the order is fixed (the referrer comes first), a
 * dependsOn would be a cycle the engine rejects, and there is no race: such forward references
 * (e.g. a key policy naming the log group that uses the key) are left alone.
 */
import { IdentifiedResource, IdentifierIndex, ownProps } from "./physical-identifiers";
import { Unknown } from "./props";

export interface StackNode extends IdentifiedResource {
  readonly parent?: string;
  readonly dependencies: readonly string[];
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  /** A custom resource (created by a provider); components and providers are not. */
  readonly custom: boolean;
}

export interface ReferenceOptions {
  /** Property names (at any depth) that are free text about a resource, never references. */
  readonly ignoreProperties: readonly string[];
  /** Accounts an ARN may name to be this stack's (empty: any). */
  readonly accountIds: readonly string[];
  /** Referrers never reported. */
  readonly isExempt?: (n: StackNode) => boolean;
}

export interface UnorderedReference {
  readonly referrer: StackNode;
  /** The resources the value may name (more than one only when a bare name is shared, e.g. a role and an instance profile). */
  readonly targets: readonly StackNode[];
  /** Where in the referrer's inputs, e.g. `policy.Statement[2].Resource[0]`. */
  readonly paths: readonly string[];
  /** The identifier as written, at the first path. */
  readonly value: string;
}

/** Properties whose value is base64 text (user data, lifecycle scripts): decoded before reading. */
const BASE64_PROPS = new Set(["userDataBase64", "userData", "onStart", "onCreate"]);

/** Every reference in the stack that no dependency orders. */
export function unorderedReferences(
  nodes: readonly StackNode[],
  options: ReferenceOptions,
): UnorderedReference[] {
  const targets = nodes.filter((n) => n.custom);
  const index = new IdentifierIndex(targets, options);
  const order = new CreationOrder(nodes);
  const ignore = new Set(options.ignoreProperties);
  const findings = new Map<
    string,
    { referrer: StackNode; targets: StackNode[]; paths: string[]; value: string }
  >();
  for (const referrer of nodes) {
    if (!referrer.custom || options.isExempt?.(referrer)) continue;
    const own = ownProps(referrer.type);
    for (const { path, value } of referenceStrings(referrer.props, ignore, own)) {
      for (const alternatives of index.lookup(value)) {
        const pool = hinted(alternatives as StackNode[], path);
        const named = pool.filter((t) => t.urn !== referrer.urn);
        if (named.length < pool.length || named.some((t) => order.ordered(referrer.urn, t.urn))) {
          continue; // a name of the referrer itself, or a reference the engine orders
        }
        const key = `${referrer.urn}\n${named
          .map((t) => t.urn)
          .sort()
          .join("\n")}`;
        const f = findings.get(key);
        if (f) {
          if (!f.paths.includes(path)) f.paths.push(path);
        } else {
          findings.set(key, { referrer, targets: named, paths: [path], value });
        }
      }
    }
  }
  return [...findings.values()];
}

/**
 * Of the resources a shared bare name may mean, those the property path points at by their class
 * (`ENDPOINT_NAME` -> the endpoint, not the role of the same name; `iamInstanceProfile` -> the
 * instance profile); all of them when the path says nothing.
 */
function hinted(alternatives: StackNode[], path: string): StackNode[] {
  if (alternatives.length < 2) return alternatives;
  const where = path.toLowerCase().replace(/[^a-z0-9]/g, "");
  const pointed = alternatives.filter((t) => where.includes((t.type.split(":").pop() ?? "").toLowerCase()));
  return pointed.length > 0 ? pointed : alternatives;
}

/** Who is created before whom, from dependencies, property dependencies and parents. */
export class CreationOrder {
  private readonly byUrn = new Map<string, StackNode>();
  private readonly children = new Map<string, StackNode[]>();
  private readonly memo = new Map<string, Set<string>>();

  constructor(nodes: readonly StackNode[]) {
    for (const n of nodes) {
      this.byUrn.set(n.urn, n);
      if (n.parent) {
        const list = this.children.get(n.parent) ?? [];
        list.push(n);
        this.children.set(n.parent, list);
      }
    }
  }

  /** True when one of the two is always created before the other. */
  ordered(a: string, b: string): boolean {
    return this.before(a).has(b) || this.before(b).has(a);
  }

  /** Every resource created before `urn` registers. */
  before(urn: string): Set<string> {
    const cached = this.memo.get(urn);
    if (cached) return cached;
    const seen = new Set<string>();
    const queue: string[] = [urn];
    const visit = (u: string) => {
      if (!seen.has(u) && u !== urn) {
        seen.add(u);
        queue.push(u);
      }
    };
    while (queue.length > 0) {
      const n = this.byUrn.get(queue.pop() as string);
      if (!n) continue;
      const deps = [...n.dependencies, ...Object.values(n.propertyDependencies).flat()];
      for (const d of deps) {
        visit(d);
        this.componentMembers(d).forEach(visit);
      }
      if (n.parent) visit(n.parent);
    }
    this.memo.set(urn, seen);
    return seen;
  }

  /** A component stands for the custom resources below it, through nested components (not below custom ones). */
  private componentMembers(urn: string): string[] {
    const n = this.byUrn.get(urn);
    if (!n || n.custom) return [];
    const out: string[] = [];
    const walk = (u: string, depth: number) => {
      if (depth > 64) return;
      for (const c of this.children.get(u) ?? []) {
        out.push(c.urn);
        if (!c.custom) walk(c.urn, depth + 1);
      }
    };
    walk(urn, 0);
    return out;
  }
}

/**
 * The strings of a resource's inputs that may identify another resource, with their path: whole
 * values; the values inside JSON documents (policies); and, in free text (scripts, after base64
 * decoding for user data and lifecycle scripts), each token between quotes, blanks and shell
 * punctuation. Unknown values, assets and the resource's own identity properties are skipped.
 */
export function referenceStrings(
  props: unknown,
  ignore: ReadonlySet<string>,
  own: ReadonlySet<string> = new Set(),
): { path: string; value: string }[] {
  const out: { path: string; value: string }[] = [];
  const walk = (v: unknown, path: string, key: string, depth: number) => {
    if (depth > 64 || v === null || v === undefined || v instanceof Unknown) return;
    if (typeof v === "string") {
      strings(v, path, key, depth);
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${path}[${i}]`, key, depth + 1));
    } else if (typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (o["__pulumiAsset"] || o["__pulumiArchive"]) return;
      for (const [k, item] of Object.entries(o)) {
        if (ignore.has(k) || (depth === 0 && own.has(k))) continue;
        walk(item, path === "" ? k : `${path}.${k}`, k, depth + 1);
      }
    }
  };
  const strings = (s: string, path: string, key: string, depth: number) => {
    const decoded = BASE64_PROPS.has(key) ? decodeBase64Text(s) : undefined;
    const text = decoded ?? s;
    const trimmed = text.trim();
    if (trimmed === "") return;
    if (/^[{["]/.test(trimmed)) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (typeof parsed !== "string" || parsed !== text) {
          walk(parsed, path, key, depth + 1);
          return;
        }
      } catch {
        // not JSON: read as text below
      }
    }
    if (/\s/.test(trimmed)) {
      for (const token of trimmed.split(/[\s'"`$(){}[\];,<>|&=\\]+/)) {
        const t = token.replace(/[.,:;!?]+$/, "");
        if (t !== "") out.push({ path, value: t });
      }
    } else {
      out.push({ path, value: trimmed });
    }
  };
  walk(props, "", "", 0);
  return out;
}

/** Base64 that decodes to readable UTF-8 text, else undefined (plain text stays as it is). */
function decodeBase64Text(s: string): string | undefined {
  const compact = s.replace(/\s+/g, "");
  if (compact.length < 8 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    return undefined;
  }
  const text = Buffer.from(compact, "base64").toString("utf8");
  return /[\uFFFD\u0000-\u0008\u000E-\u001F]/.test(text) ? undefined : text;
}
