/** Every type token the pack matches on exists in the installed @pulumi/aws (v7). */
import * as aws from "@pulumi/aws";
import { T } from "../lib/resource-types";

const tokens = new Set<string>();
for (const mod of Object.values(aws as unknown as Record<string, unknown>)) {
  if (mod && typeof mod === "object") {
    for (const cls of Object.values(mod as Record<string, unknown>)) {
      const t = (cls as { __pulumiType?: unknown } | undefined)?.__pulumiType;
      if (typeof t === "string") {
        tokens.add(t);
      }
    }
  }
}

test.each(Object.entries(T))("%s is a @pulumi/aws resource type (%s)", (_key, token) => {
  expect(tokens.has(token)).toBe(true);
});
