/**
 * Broken YAML in the files the plan reads: one line naming the file, the line (and column) and what
 * is wrong, never the parser's "at line L, column C:" with a code excerpt after it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readPackProject } from "./plan/pack-process";
import { loadStackSettings } from "./stack-config";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-config-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: app\nruntime: nodejs\n");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const stackError = (text: string): string => {
  fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), text);
  try {
    loadStackSettings(dir, "dev");
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("the stack file was accepted");
};

test.each([
  [
    "a key given twice",
    "config:\n  aws:region: us-east-1\n  aws:region: eu-west-1\n",
    '3:3: not valid YAML: key "aws:region" is given twice in the same map (keys must be unique)',
  ],
  [
    "a tab as indentation",
    "config:\n\taws:region: us-east-1\n",
    "2:1: not valid YAML: tabs are not allowed as indentation",
  ],
  [
    "a quote never closed",
    'config:\n  app:greeting: "hello\n',
    '3:1: not valid YAML: a string opened with " is never closed (the quote runs to the end of the file)',
  ],
  [
    "items at different columns",
    "config:\n  app:a: 1\n app:b: 2\n",
    "3:1: not valid YAML: all mapping items must start at the same column",
  ],
  [
    "a compact nested map",
    "config: app:a: 1\n",
    "1:9: not valid YAML: nested mappings are not allowed in compact mappings",
  ],
  [
    "a flow map never closed",
    "config: {app:a: 1\n",
    "2:1: not valid YAML: flow map in block collection must be sufficiently indented and end with a }",
  ],
  [
    "two documents",
    "config:\n  app:a: 1\n---\nconfig: {}\n",
    "3:1: not valid YAML: more than one YAML document (a `---` separator starts a second one); the file holds one",
  ],
  [
    "an alias without its anchor",
    "config:\n  app:a: *base\n",
    "2: not valid YAML: alias *base names no anchor &base defined before it",
  ],
  [
    "config that is not a map",
    "config:\n  - app:a\n",
    "1: `config:` must be a map of keys to values (got a list)",
  ],
  [
    "a file that is a list",
    "- config\n",
    "1: the file must be a map (with a `config:` map of keys to values)",
  ],
])("%s: one line with file, line and what is wrong", (_what, text, says) => {
  const message = stackError(text);
  expect(message).toBe(`${path.join(dir, "Pulumi.dev.yaml")}:${says}`);
  expect(message).not.toMatch(/[:\n]\s*$/);
  expect(message).not.toContain("\n");
});

test("Pulumi.yaml: broken YAML, and a name that is not one", () => {
  const project = path.join(dir, "Pulumi.yaml");
  fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: {}\n");
  fs.writeFileSync(project, "name: app\nruntime: nodejs\n  main: index.ts\n");
  expect(() => loadStackSettings(dir, "dev")).toThrow(
    `${project}:2:10: not valid YAML: nested mappings are not allowed in compact mappings`,
  );
  fs.writeFileSync(project, "runtime: nodejs\nname:\n");
  expect(() => loadStackSettings(dir, "dev")).toThrow(
    `${project}:2: \`name:\` must be the project's name, a non-empty string (got null)`,
  );
  fs.writeFileSync(project, "runtime: nodejs\n");
  expect(() => loadStackSettings(dir, "dev")).toThrow(
    `${project}: has no project name (add a \`name: <project>\` line)`,
  );
});

test("an empty config: section is no config, not an error", () => {
  fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n");
  expect(loadStackSettings(dir, "dev").config).toEqual({});
});

test("PulumiPolicy.yaml of a pack: the same one line", () => {
  fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\nruntime: python\n");
  expect(() => readPackProject(dir)).toThrow(
    `--policy-pack ${dir}: ${path.join(dir, "PulumiPolicy.yaml")}:2:1: not valid YAML: key "runtime" is given twice in the same map (keys must be unique)`,
  );
});
