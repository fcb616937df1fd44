import { Registration } from "./preview-runtime";
import { forAnalyzers, planResources, plainValue, shownValue, WIRE } from "./resources";

const secret = (value: unknown) => ({ [WIRE.sigKey]: WIRE.secretSig, value });

test("analyzers get unknowns and secrets as the engine sends them; references and output values flattened", () => {
  expect(
    forAnalyzers({
      arn: WIRE.unknown,
      password: secret("hunter2"),
      role: { [WIRE.sigKey]: WIRE.resourceSig, urn: "urn:role", id: "role-id", packageVersion: "" },
      component: { [WIRE.sigKey]: WIRE.resourceSig, urn: "urn:component" },
      pending: { [WIRE.sigKey]: WIRE.resourceSig, urn: "urn:x", id: "" },
      known: { [WIRE.sigKey]: WIRE.outputSig, value: 3, dependencies: ["urn:a"] },
      computed: { [WIRE.sigKey]: WIRE.outputSig, secret: true },
      __defaults: ["name"],
      list: [WIRE.unknown, 1],
    }),
  ).toEqual({
    arn: WIRE.unknown,
    password: secret("hunter2"),
    role: "role-id",
    component: "urn:component",
    pending: WIRE.unknown,
    known: 3,
    computed: secret(WIRE.unknown),
    list: [WIRE.unknown, 1],
  });
});

test("people see [unknown] and [secret]; the cost model sees plain values", () => {
  const wire = { a: WIRE.unknown, b: secret({ c: 1 }), d: [WIRE.unknown, "x"] };
  expect(shownValue(wire)).toEqual({ a: "[unknown]", b: "[secret]", d: ["[unknown]", "x"] });
  expect(plainValue(wire)).toEqual({ a: undefined, b: { c: 1 }, d: [undefined, "x"] });
});

function captured(type: string, name: string, extra: Partial<Registration> = {}): Registration {
  return {
    urn: `urn:pulumi:dev::proj::${type}::${name}`,
    type,
    name,
    custom: true,
    dependencies: [],
    wireInputs: {},
    fromInvokes: {},
    propertyDependencies: {},
    options: {
      protect: false,
      ignoreChanges: [],
      additionalSecretOutputs: [],
      aliases: [],
      customTimeouts: { create: "", update: "", delete: "" },
    },
    version: "7.48.0",
    ...extra,
  };
}

test("a default provider per package and version, configured from that namespace, before its first user", () => {
  const planned = planResources(
    [
      captured("pulumi:pulumi:Stack", "proj-dev", { custom: false, version: undefined }),
      captured("aws:s3/bucket:Bucket", "a"),
      captured("aws:s3/bucket:Bucket", "b"),
      captured("random:index/randomId:RandomId", "r", { version: "4.1.0" }),
      captured("aws:s3/bucket:Bucket", "c", {
        provider: "urn:pulumi:dev::proj::pulumi:providers:aws::eu::some-id",
      }),
    ],
    {
      project: "proj",
      stack: "dev",
      config: { "aws:region": "eu-west-1", "aws:secretKey": "[secret]", "proj:x": "1" },
      secretKeys: ["aws:secretKey"],
    },
  );
  expect(planned.map((r) => [r.name, r.providerUrn])).toEqual([
    ["proj-dev", undefined],
    ["default_7_48_0", undefined],
    ["a", "urn:pulumi:dev::proj::pulumi:providers:aws::default_7_48_0"],
    ["b", "urn:pulumi:dev::proj::pulumi:providers:aws::default_7_48_0"],
    ["default_4_1_0", undefined],
    ["r", "urn:pulumi:dev::proj::pulumi:providers:random::default_4_1_0"],
    ["c", "urn:pulumi:dev::proj::pulumi:providers:aws::eu"],
  ]);
  expect(planned[1]).toMatchObject({
    type: "pulumi:providers:aws",
    defaultProvider: true,
    properties: { region: "eu-west-1", secretKey: secret(WIRE.unknown), version: "7.48.0" },
  });
});
