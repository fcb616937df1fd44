import { oneLine } from "./errors";

test("a multi-line config error becomes one line that still names every key", () => {
  expect(
    oneLine(
      "invalid stack configuration (2 problems):\n" +
        "  - ml-platform:endpoint.autoscaling.maxCapacity must be >= endpoint.autoscaling.minCapacity (got 1 < 3)\n" +
        "  - ml-platform:notebook.idleMinutes is not a known setting",
    ),
  ).toBe(
    "invalid stack configuration (2 problems): ml-platform:endpoint.autoscaling.maxCapacity must be >= " +
      "endpoint.autoscaling.minCapacity (got 1 < 3); ml-platform:notebook.idleMinutes is not a known setting",
  );
});

test("a single line is kept as it is", () => {
  expect(oneLine("cannot read Pulumi.qa.yaml: no such file")).toBe(
    "cannot read Pulumi.qa.yaml: no such file",
  );
});
