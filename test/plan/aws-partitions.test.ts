/**
 * cli/data/aws-partitions.json is the one list of regions the plan knows: it must say what
 * @pulumi/aws (the Region enum) and the AWS SDK (partition data) say, so an update of either that
 * adds a region or moves one fails here until the file is regenerated.
 */
import { partition } from "@aws-sdk/core/client";
import { Region } from "@pulumi/aws/types/enums";
import data from "../../cli/data/aws-partitions.json";
import { ALL_REGIONS, partitionOf, regionProblem } from "../../cli/aws-partitions";

test("the file lists exactly the regions of @pulumi/aws's Region enum", () => {
  expect([...ALL_REGIONS].sort()).toEqual(Object.values(Region).sort());
});

test("each region sits in the partition, with the DNS suffix, the AWS SDK gives it", () => {
  for (const region of ALL_REGIONS) {
    const sdk = partition(region);
    expect([region, partitionOf(region)]).toEqual([
      region,
      { partition: sdk.name, dnsSuffix: sdk.dnsSuffix },
    ]);
  }
});

test("the file names its sources and versions", () => {
  expect(data.source).toContain(`@pulumi/aws ${require("@pulumi/aws/package.json").version}`);
  expect(data.source).toContain("@aws-sdk/core");
});

test("a value that is not a region says so, with the nearest region when it looks like a typo", () => {
  expect(regionProblem("us-east-1")).toBeUndefined();
  expect(regionProblem("eu-wset-1")).toMatch(
    /^"eu-wset-1" is not an AWS region \(46 regions .*; did you mean "eu-west-1"\?$/,
  );
  expect(regionProblem("42")).not.toContain("did you mean");
});
