import { instanceTypesFor } from "../../components/shared/instance-types";
import { EC2_DEFAULT_VCPUS, VCPU_FAMILIES, vCpusOf } from "../../components/shared/instance-vcpus";

describe("vCPU counts of instance types", () => {
  it("knows ml.m5.large has 2 vCPUs, like the machine bench/capacity was measured on", () => {
    expect(vCpusOf("ml.m5.large")).toBe(2);
    expect(vCpusOf("m5.large")).toBe(2);
    expect(vCpusOf("ml.c5.9xlarge")).toBe(36);
    expect(vCpusOf("ml.c4.8xlarge")).toBe(36);
    expect(vCpusOf("ml.m4.10xlarge")).toBe(40);
  });

  it("answers undefined for a type it does not list, never a guess", () => {
    expect(vCpusOf("ml.m6i.large")).toBeUndefined();
    expect(vCpusOf("ml.m5.huge")).toBeUndefined();
    expect(vCpusOf("constructor")).toBeUndefined();
  });

  it("covers every SageMaker hosting type of the families it lists", () => {
    const hosting = instanceTypesFor("hosting").filter((t) =>
      (VCPU_FAMILIES as readonly string[]).includes(t.split(".")[1]),
    );
    expect(hosting.length).toBeGreaterThan(30);
    expect(hosting.filter((t) => vCpusOf(t) === undefined)).toEqual([]);
    // and lists nothing outside those families
    expect(
      Object.keys(EC2_DEFAULT_VCPUS).filter(
        (t) => !(VCPU_FAMILIES as readonly string[]).includes(t.split(".")[0]),
      ),
    ).toEqual([]);
  });
});
