/**
 * Terraform SDK v2 sets, as the AWS provider's data sources see them: the order of a set's elements
 * decides the order of list values in documents the provider writes (IAM principals, condition
 * values merged from several blocks), so it is reproduced exactly.
 *
 * From hashicorp/terraform-plugin-sdk (helper/schema/set.go, serialize.go, schema.go ZeroValue and
 * internal/helper/hashcode/hashcode.go):
 *   - a set without its own hash function hashes each element with HashSchema (a primitive element)
 *     or HashResource (a block): crc32 (IEEE) of the element's serialization, made non-negative;
 *   - the serialization of a string is the string and ";", of a list "(" + elements + ");", of a set
 *     "{" + elements in set order + "};", of a block "<" + its fields (sorted by name, each
 *     "name:" + value) + ">;" (blocks inside sets and lists), a missing field ";";
 *   - elements are keyed by the decimal string of their hash; `List()` returns them sorted by that
 *     key **as a string**; elements with the same hash are one element (the first one added).
 */

export type TfSchema =
  | { type: "string" }
  | { type: "list" | "set"; elem: TfSchema }
  | { type: "block"; fields: Record<string, TfSchema> };

export const TF_STRING: TfSchema = { type: "string" };
export const tfSet = (elem: TfSchema): TfSchema => ({ type: "set", elem });
export const tfList = (elem: TfSchema): TfSchema => ({ type: "list", elem });
export const tfBlock = (fields: Record<string, TfSchema>): TfSchema => ({ type: "block", fields });

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** crc32.ChecksumIEEE of the UTF-8 bytes of `text`. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, "utf8")) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * hashcode.String: `int(crc32)`, negated when negative. On the 64-bit platforms the provider ships
 * for, `int` holds every uint32, so it is the checksum itself.
 */
export const hashcode = (text: string): number => crc32(text);

/** SerializeValueForHash (a block element is serialized by `serializeBlock`). */
export function serializeForHash(value: unknown, schema: TfSchema): string {
  if (value === undefined || value === null) return ";";
  switch (schema.type) {
    case "string":
      return `${String(value)};`;
    case "list":
      return `(${(value as unknown[]).map((v) => member(v, schema.elem)).join("")});`;
    case "set":
      return `{${setOrder(value as unknown[], schema.elem)
        .map((v) => member(v, schema.elem))
        .join("")}};`;
    case "block":
      return serializeBlock(value as Record<string, unknown>, schema);
  }
}

/** SerializeResourceForHash: every field in name order (all of ours are user-provided). */
function serializeBlock(
  value: Record<string, unknown>,
  schema: Extract<TfSchema, { type: "block" }>,
): string {
  return Object.keys(schema.fields)
    .sort()
    .map((k) => `${k}:${serializeForHash(value[k], schema.fields[k])}`)
    .join("");
}

/** serializeCollectionMemberForHash: a block inside a collection is wrapped in `<` `>;`. */
function member(value: unknown, elem: TfSchema): string {
  return elem.type === "block"
    ? `<${serializeBlock((value ?? {}) as Record<string, unknown>, elem)}>;`
    : serializeForHash(value, elem);
}

/** The hash code of one element (HashSchema / HashResource). */
export function elementCode(value: unknown, elem: TfSchema): string {
  const text =
    elem.type === "block"
      ? serializeBlock((value ?? {}) as Record<string, unknown>, elem)
      : serializeForHash(value, elem);
  return String(hashcode(text));
}

/** The elements of a set as `Set.List()` returns them: deduplicated by hash, sorted by its decimal text. */
export function setOrder<T>(values: readonly T[], elem: TfSchema): T[] {
  const byCode = new Map<string, T>();
  for (const v of values) {
    const code = elementCode(v, elem);
    if (!byCode.has(code)) byCode.set(code, v);
  }
  return [...byCode.keys()].sort(compareStrings).map((k) => byCode.get(k)!);
}

/** Go's string ordering (bytewise; for these ASCII keys the same as UTF-16 code units). */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
