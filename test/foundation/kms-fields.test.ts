/**
 * docs/kms.md is the one table of KMS fields: every KMS field of our planned resources must have a
 * row there, and must pass the form the row says (issue 10 item 4). The test reads the table,
 * finds every KMS-ish input of both stacks (any input named like `kms*Key*`, an alias's target,
 * and the `kms:` statements of policy documents), and fails on a field missing from the table
 * or a value of the wrong form.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CapturedResource } from "../support/mock-run";
import { PROJECT_DIR, runStack, StackRun, UNKNOWN } from "../harness";

interface Row {
  type: string;
  field: string;
  pass: string;
}

function readTable(): Row[] {
  const text = fs.readFileSync(path.join(PROJECT_DIR, "docs", "kms.md"), "utf8");
  const rows = text
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .map((l) => l.split("|").map((c) => c.trim()));
  return rows.map((cells) => ({
    type: cells[1].replace(/`/g, ""),
    field: /`([^`]+)`/.exec(cells[2])![1],
    pass: cells[4],
  }));
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias\/.+$/;

interface Found {
  type: string;
  field: string;
  value: unknown;
  resource: CapturedResource;
  /** The top-level input the value is in, for its property dependencies. */
  top: string;
  statement?: Record<string, unknown>;
}

/** Every KMS-ish input: names like kms*Key*, an alias's target, and kms: statements of documents. */
function kmsInputs(run: StackRun): Found[] {
  const found: Found[] = [];
  for (const r of run.resources.filter((x) => x.custom)) {
    const walk = (v: unknown, p: string, top: string) => {
      if (Array.isArray(v)) v.forEach((x) => walk(x, `${p}[]`, top));
      else if (v && typeof v === "object")
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
          const here = p ? `${p}.${k}` : k;
          if (/kms.*key/i.test(k) || (r.type === "aws:kms/alias:Alias" && k === "targetKeyId"))
            found.push({ type: r.type, field: here, value: x, resource: r, top: top || k });
          else walk(x, here, top || k);
        }
    };
    walk(r.inputs, "", "");
    if (typeof r.inputs.policy === "string" && r.inputs.policy !== UNKNOWN) {
      const doc = JSON.parse(r.inputs.policy) as { Statement: Record<string, unknown>[] };
      for (const s of doc.Statement) {
        const actions = ([] as string[]).concat(s.Action as string | string[]);
        if (actions.some((a) => a.startsWith("kms:")))
          for (const resource of ([] as unknown[]).concat(s.Resource))
            found.push({
              type: r.type,
              field: "policy: Statement[].Resource",
              value: resource,
              resource: r,
              top: "policy",
              statement: s,
            });
      }
    }
  }
  return found;
}

/** Why a value is not of the row's form, or undefined when it is. */
function wrongForm(row: Row, f: Found, run: StackRun): string | undefined {
  const keyUrn = run.ofType("aws:kms/key:Key")[0]?.urn;
  const fromKey = () =>
    keyUrn !== undefined && (f.resource.propertyDependencies[f.top] ?? []).includes(keyUrn);
  switch (row.pass) {
    case "key ARN":
      // The key's ARN output (unknown at preview, carrying the key), or a key ARN string.
      if (f.value === UNKNOWN ? fromKey() : typeof f.value === "string" && KEY_ARN.test(f.value))
        return undefined;
      return "expected the key's ARN";
    case "alias ARN":
      return typeof f.value === "string" && ALIAS_ARN.test(f.value) ? undefined : "expected an alias ARN";
    case "key id":
      return f.value === UNKNOWN && fromKey() ? undefined : "expected the key's id output";
    case "*":
      return f.value === "*" ? undefined : 'expected "*"';
    case "key/* with kms:ResourceAliases": {
      const condition = (f.statement?.Condition ?? {}) as Record<string, Record<string, unknown>>;
      const alias = condition["ForAnyValue:StringEquals"]?.["kms:ResourceAliases"];
      const keyArn = typeof f.value === "string" && KEY_ARN.test(f.value);
      const aliased = typeof f.value === "string" && /:key\/\*$/.test(f.value) && typeof alias === "string";
      return keyArn || aliased
        ? undefined
        : "expected key/* with a kms:ResourceAliases condition, or a key ARN";
    }
    case "not set":
      return f.value === undefined ? undefined : "expected the field to be left unset";
    default:
      return `the table's "we pass" is not a known form: ${row.pass}`;
  }
}

const VARIANTS: [string, string, Record<string, unknown>][] = [
  ["dev", "dev", {}],
  ["prod", "prod", {}],
  [
    "prod, every optional feature on",
    "prod",
    {
      "ml-platform:ec2Trainer": { enabled: true, mode: "gpu", instanceType: "g4dn.xlarge" },
      "ml-platform:inferenceFunction": { functionUrl: true, provisionedConcurrency: 2 },
    },
  ],
  [
    "dev, an existing key given by alias",
    "dev",
    {
      "ml-platform:kms": {
        mode: "existing",
        keyArn: "arn:aws:kms:us-east-1:123456789012:alias/team-data",
        deletionWindowDays: undefined,
      },
    },
  ],
];

const table = readTable();

test("the table has one row per field, with a source for each", () => {
  const keys = table.map((r) => `${r.type} ${r.field}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(table.length).toBeGreaterThanOrEqual(14);
  const text = fs.readFileSync(path.join(PROJECT_DIR, "docs", "kms.md"), "utf8");
  for (const line of text.split("\n").filter((l) => l.startsWith("| `")))
    expect([line.slice(0, 60), /\(https:\/\/docs\.aws\.amazon\.com\//.test(line)]).toEqual([
      line.slice(0, 60),
      true,
    ]);
});

describe.each(VARIANTS)("%s", (_, stack, overrides) => {
  let run: StackRun;
  let found: Found[];
  beforeAll(async () => {
    run = await runStack(stack, overrides);
    found = kmsInputs(run);
  });

  it("every KMS field is in docs/kms.md", () => {
    expect(found.length).toBeGreaterThan(5);
    const missing = found
      .filter((f) => f.value !== undefined)
      .filter((f) => !table.some((r) => r.type === f.type && r.field === f.field))
      .map((f) => `${f.type} ${f.field}`);
    expect([...new Set(missing)]).toEqual([]);
  });

  it("every KMS field passes the form the table says", () => {
    const wrong = found
      .map((f) => {
        const row = table.find((r) => r.type === f.type && r.field === f.field);
        const why = row && wrongForm(row, f, run);
        return why ? `${f.resource.name} ${f.field} = ${JSON.stringify(f.value)}: ${why}` : undefined;
      })
      .filter((x) => x !== undefined);
    expect(wrong).toEqual([]);
  });
});

test("the checker catches a field of the wrong form (an alias where only the key ARN is taken)", async () => {
  const run = await runStack("dev");
  const notebook = run.one("aws:sagemaker/notebookInstance:NotebookInstance");
  const seeded = {
    ...notebook,
    inputs: { ...notebook.inputs, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:alias/x" },
  };
  const f = kmsInputs({ ...run, resources: [seeded] }).find((x) => x.field === "kmsKeyId")!;
  const row = table.find((r) => r.type === f.type && r.field === "kmsKeyId")!;
  expect(wrongForm(row, f, run)).toBe("expected the key's ARN");
  const lambda = { ...run.one("aws:lambda/function:Function") };
  const withKey = {
    ...lambda,
    inputs: { ...lambda.inputs, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/x" },
  };
  const g = kmsInputs({ ...run, resources: [withKey] }).find((x) => x.field === "kmsKeyArn")!;
  expect(
    wrongForm(
      table.find((r) => r.type === g.type && r.field === "kmsKeyArn")!,
      g,
      run,
    ),
  ).toBe("expected the field to be left unset");
});
