/**
 * What the installed @pulumi/aws declares, read from its files (no network, no schema download):
 * every resource type token, and the property paths of a resource's argument types.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const AWS_DIR = path.dirname(require.resolve("@pulumi/aws/package.json"));

/** Every resource type token (`aws:<module>/<name>:<Name>`) the installed @pulumi/aws registers. */
export function resourceTokens(): string[] {
  const tokens = new Set<string>();
  for (const mod of fs.readdirSync(AWS_DIR, { withFileTypes: true })) {
    if (!mod.isDirectory() || mod.name === "node_modules" || mod.name === "types") continue;
    for (const f of fs.readdirSync(path.join(AWS_DIR, mod.name))) {
      if (!f.endsWith(".js")) continue;
      const text = fs.readFileSync(path.join(AWS_DIR, mod.name, f), "utf8");
      for (const m of text.matchAll(/__pulumiType = '([^']+)'/g)) tokens.add(m[1]);
    }
  }
  return [...tokens].sort();
}

let inputs: Map<string, ts.InterfaceDeclaration> | undefined;

/** Interfaces of types/input.d.ts by qualified name (`sagemaker.DomainDefaultUserSettings`). */
function inputInterfaces(): Map<string, ts.InterfaceDeclaration> {
  if (inputs) return inputs;
  const file = path.join(AWS_DIR, "types", "input.d.ts");
  const src = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found = new Map<string, ts.InterfaceDeclaration>();
  const visit = (node: ts.Node, ns: string[]) => {
    if (ts.isModuleDeclaration(node)) {
      if (node.body) ts.forEachChild(node.body, (c) => visit(c, [...ns, node.name.text]));
      return;
    }
    if (ts.isInterfaceDeclaration(node)) found.set([...ns, node.name.text].join("."), node);
    ts.forEachChild(node, (c) => visit(c, ns));
  };
  visit(src, []);
  inputs = found;
  return found;
}

/**
 * Property paths (`a.b[].c`) of a resource's `<Name>Args` whose last name matches `pattern`,
 * following nested input types. `token` is `aws:<module>/<file>:<Name>`.
 */
export function argumentPaths(token: string, pattern: RegExp): string[] {
  const m = /^aws:([^/]+)\/([^:]+):(.+)$/.exec(token);
  if (!m) return [];
  const file = path.join(AWS_DIR, m[1], `${m[2]}.d.ts`);
  if (!fs.existsSync(file)) return [];
  const src = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  let args: ts.InterfaceDeclaration | undefined;
  ts.forEachChild(src, (n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === `${m[3]}Args`) args = n;
  });
  const out: string[] = [];
  const walk = (iface: ts.InterfaceDeclaration, prefix: string, seen: Set<string>) => {
    for (const member of iface.members) {
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const name = member.name.getText(member.getSourceFile());
      const typeText = member.type.getText(member.getSourceFile());
      const p = prefix + name + (/\[\]/.test(typeText) ? "[]" : "");
      if (pattern.test(name)) out.push(p);
      for (const ref of typeText.matchAll(/inputs\.([\w.]+)/g)) {
        const child = inputInterfaces().get(ref[1]);
        if (child && !seen.has(ref[1]) && seen.size < 8) walk(child, `${p}.`, new Set([...seen, ref[1]]));
      }
    }
  };
  if (args) walk(args, "", new Set());
  return [...new Set(out)];
}
