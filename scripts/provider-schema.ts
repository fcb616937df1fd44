/**
 * `npm run generate:provider-schema`: writes provider/schema.json, the Pulumi package schema that
 * componentProviderHost infers from provider/index.ts (what `pulumi package add` and
 * `pulumi package get-schema` receive). test/provider/provider.test.ts starts the provider as the
 * CLI does, calls GetSchema over gRPC and checks that it equals this file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import * as prettier from "prettier";

const dir = path.resolve(__dirname, "..", "provider");

async function main(): Promise<void> {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const components = Object.values(require(path.join(dir, "main.js")) as Record<string, unknown>);
  const provider = new ComponentProvider({
    name: manifest.name,
    dirname: dir,
    components: components as any,
  });
  const schema = JSON.parse(await provider.getSchema());
  // Written as `npm run lint` (prettier --check) wants it.
  const file = path.join(dir, "schema.json");
  const options = { ...(await prettier.resolveConfig(file)), filepath: file };
  fs.writeFileSync(file, await prettier.format(JSON.stringify(schema), options));
  console.log(
    `provider/schema.json: ${Object.keys(schema.resources).length} components, ${Object.keys(schema.types).length} types`,
  );
}

main().catch((err) => {
  console.error(`provider-schema: ${(err as Error).message}`);
  process.exit(1);
});
