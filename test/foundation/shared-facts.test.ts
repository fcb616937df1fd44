/**
 * Facts live once (components/shared/aws-facts.ts). The policy pack installs on its own, and the
 * offline plan keeps its own scrub list, so their copies are pinned equal here; the generated
 * instance-type data must match the installed AWS SDK clients, and the backbones the schema
 * accepts must be the ones training/inference.py builds.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import {
  AWS_CREDENTIAL_ENVIRONMENT,
  EXPLICIT_CREDENTIAL_VARIABLES,
  hasLocalNvme,
  LOCAL_NVME_INSTANCE_FAMILIES,
  NAME_PATTERNS,
} from "../../components/shared/aws-facts";
import { hasInstanceStorage } from "../../components/shared/dlc-image";
import { SUPPORTED_ARCHS } from "../../components/shared/hyperparameters";
import {
  INSTANCE_TYPES_SOURCE,
  instanceTypesFor,
  InstanceTypeUse,
} from "../../components/shared/instance-types";
import { explicitCredentials } from "../../policy/lib/inventory/credentials";
import { roleNameOf } from "../../policy/lib/arn";
import { endpointKmsDefaults } from "../../policy/policies/sagemaker-guardrails";
import { instanceTypeLists } from "../../scripts/generate-instance-types";

const ROOT = path.resolve(__dirname, "..", "..");

/** The string elements of an exported or local `const NAME = [...]` in a TypeScript file. */
function constStringList(file: string, name: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  let found: string[] | undefined;
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name) {
      let init = node.initializer;
      while (init && (ts.isAsExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
      if (init && ts.isArrayLiteralExpression(init))
        found = init.elements.filter(ts.isStringLiteral).map((e) => e.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (!found) throw new Error(`${file}: no const ${name} = [...]`);
  return found;
}

describe("local-NVMe instance families", () => {
  it("the pack's localStorageInstanceFamilies are the shared list (ml.<family>)", () => {
    expect([...endpointKmsDefaults.localStorageInstanceFamilies].sort()).toEqual(
      LOCAL_NVME_INSTANCE_FAMILIES.map((f) => `ml.${f}`).sort(),
    );
  });

  it("names only SageMaker families AWS offers, and every one whose name says instance store", () => {
    const families = new Set(
      (["notebook", "training", "hosting"] as InstanceTypeUse[]).flatMap((use) =>
        instanceTypesFor(use).map((t) => t.split(".")[1]),
      ),
    );
    for (const f of LOCAL_NVME_INSTANCE_FAMILIES) expect([f, families.has(f)]).toEqual([f, true]);
    // EC2's naming convention: a "d" in the attribute suffix (m5d, c6gd, r6id, g4dn, p4de) is instance store.
    for (const f of families)
      if (/^[a-z]+\d+[a-z]*d[a-z]*$/.test(f)) expect([f, hasLocalNvme(`ml.${f}.xlarge`)]).toEqual([f, true]);
  });

  it("the components use it: p5en and trn1n have local storage, inf2 and m5 do not", () => {
    expect(hasInstanceStorage("ml.p5en.48xlarge")).toBe(true);
    expect(hasInstanceStorage("ml.trn1n.32xlarge")).toBe(true);
    expect(hasInstanceStorage("ml.g4dn.xlarge")).toBe(true);
    expect(hasInstanceStorage("ml.inf2.xlarge")).toBe(false);
    expect(hasInstanceStorage("ml.m5.large")).toBe(false);
  });
});

describe("credential environment variables", () => {
  it("the pack treats exactly the shared explicit variables as explicit credentials", () => {
    for (const name of AWS_CREDENTIAL_ENVIRONMENT)
      expect([name, explicitCredentials({ [name]: "x" })]).toEqual([
        name,
        (EXPLICIT_CREDENTIAL_VARIABLES as readonly string[]).includes(name) ? name : undefined,
      ]);
  });

  it("the offline plan scrubs exactly the shared list from a pack's environment", () => {
    expect(constStringList(path.join(ROOT, "cli/plan/pack-process.ts"), "AWS_CREDENTIAL_VARIABLES")).toEqual([
      ...AWS_CREDENTIAL_ENVIRONMENT,
    ]);
  });
});

describe("name rules", () => {
  it("the pack reads a bare role name by the same rule as the components name roles", () => {
    for (const name of [
      "team-training",
      "a",
      "x".repeat(64),
      "x".repeat(65),
      "has space",
      "svc+role=,.@_-",
      "bad/slash",
      "",
    ])
      expect([name, roleNameOf(name) === name]).toEqual([name, NAME_PATTERNS.iamRole.test(name)]);
  });
});

describe("instance-type data", () => {
  it("matches the installed AWS SDK clients' enums (npm run generate:instance-types after an SDK update)", () => {
    const { lists, source } = instanceTypeLists();
    expect(INSTANCE_TYPES_SOURCE).toBe(source);
    for (const use of ["notebook", "training", "hosting", "ec2"] as InstanceTypeUse[])
      expect([use, instanceTypesFor(use)]).toEqual([use, lists[use]]);
    expect(instanceTypesFor("ec2").length).toBeGreaterThan(1000);
  });
});

describe("backbones", () => {
  it("the hyperparameter schema accepts exactly the backbones training/inference.py builds", () => {
    const text = fs.readFileSync(path.join(ROOT, "training/inference.py"), "utf8");
    const tuple = /^SUPPORTED_ARCHS = \(([^)]*)\)/m.exec(text)?.[1];
    expect(tuple).toBeDefined();
    expect([...tuple!.matchAll(/"([^"]+)"/g)].map((m) => m[1])).toEqual([...SUPPORTED_ARCHS]);
  });
});
