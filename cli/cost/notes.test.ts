/** The estimate's notes speak only of what the plan has: no notebook note without a notebook, no job note without a run. */
import { PlannedResource } from "../plan/resources";
import { estimateCost } from "./estimate";

let n = 0;
const res = (type: string, properties: Record<string, unknown>): PlannedResource => ({
  urn: `urn:pulumi:dev::p::${type}::r${n}`,
  type,
  name: `r${n++}`,
  custom: true,
  dependencies: [],
  propertyDependencies: {},
  properties,
  options: {
    protect: false,
    ignoreChanges: [],
    additionalSecretOutputs: [],
    aliases: [],
    customTimeouts: { create: "", update: "", delete: "" },
  },
});

const NOTEBOOK = /^Notebooks with an idle-stop script: \d+ h a month/;
const JOBS = /^Training and tuning jobs and one-shot EC2 runs: /;
const notes = (resources: PlannedResource[]) => estimateCost(resources, "us-east-1").notes;
const has = (list: string[], re: RegExp) => list.some((l) => re.test(l));
const ONE_SHOT = {
  instanceType: "g4dn.xlarge",
  instanceInitiatedShutdownBehavior: "terminate",
  userData: "#!/bin/bash\nshutdown -h +240\n",
};

test("a plan without notebooks or runs has neither note", () => {
  const list = notes([
    res("aws:kms/key:Key", {}),
    res("aws:ec2/instance:Instance", { instanceType: "m5.large" }),
  ]);
  expect(has(list, NOTEBOOK)).toBe(false);
  expect(has(list, JOBS)).toBe(false);
  expect(list).toContain("Usage-based charges (requests, data, storage in S3, logs) are not estimated.");
});

test.each([
  [
    "a notebook",
    [res("aws:sagemaker/notebookInstance:NotebookInstance", { instanceType: "ml.t3.medium" })],
    true,
    false,
  ],
  ["a training job", [res("aws:sagemaker/trainingJob:TrainingJob", {})], false, true],
  ["a tuning job", [res("aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob", {})], false, true],
  ["a one-shot EC2 run", [res("aws:ec2/instance:Instance", ONE_SHOT)], false, true],
])("%s: the notes that apply to it", (_what, resources, notebook, jobs) => {
  const list = notes(resources);
  expect([has(list, NOTEBOOK), has(list, JOBS)]).toEqual([notebook, jobs]);
});
