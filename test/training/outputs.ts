import * as pulumi from "@pulumi/pulumi";

/** The value of a (known) stack output or component Output, after a mocked run. */
export function valueOf<T>(value: pulumi.Input<T> | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("output did not resolve (unknown at preview?)")), 5000);
    pulumi.output(value as pulumi.Input<T>).apply((v) => {
      clearTimeout(timer);
      resolve(v as T);
      return v;
    });
  });
}
