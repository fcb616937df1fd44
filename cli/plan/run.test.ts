import { StackSettings } from "../stack-config";
import { stackTags } from "./run";

const settings = (config: Record<string, string>): StackSettings => ({
  project: "ml-platform",
  programDir: "/p",
  main: "/p/index.ts",
  stack: "dev",
  stackFile: "/p/Pulumi.dev.yaml",
  config,
  secretKeys: [],
});

test("stack tags as the engine sends them: built-in tags plus the pulumi:tags config", () => {
  expect(stackTags(settings({ "pulumi:tags": '{"pulumi:template":"ml-platform","team":"ml"}' }))).toEqual({
    "pulumi:project": "ml-platform",
    "pulumi:runtime": "nodejs",
    "pulumi:template": "ml-platform",
    team: "ml",
  });
  expect(stackTags(settings({ "pulumi:tags": "not json" }))).toEqual({
    "pulumi:project": "ml-platform",
    "pulumi:runtime": "nodejs",
  });
});
