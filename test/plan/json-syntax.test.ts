/** Broken JSON is located (line, column) and described as Go's encoding/json describes it. */
import { jsonSyntaxError } from "../../cli/json-syntax";

test.each([
  ['{"a": 1}', undefined],
  ["", { line: 1, column: 1, message: "unexpected end of JSON input" }],
  ['{\n  "a": [1, 2', { line: 2, column: 13, message: "unexpected end of JSON input" }],
  [
    '{\n  "a": 1,\n}',
    { line: 3, column: 1, message: "invalid character '}' looking for beginning of object key string" },
  ],
  ["[1 2]", { line: 1, column: 4, message: "invalid character '2' after array element" }],
  ['{"a" 1}', { line: 1, column: 6, message: "invalid character '1' after object key" }],
  ["tru", { line: 1, column: 4, message: "unexpected end of JSON input" }],
  ["nul!", { line: 1, column: 4, message: "invalid character '!' in literal null (expecting 'l')" }],
  ["{} x", { line: 1, column: 4, message: "invalid character 'x' after top-level value" }],
  ['"a\u0001"', { line: 1, column: 3, message: "invalid character '\\x01' in string literal" }],
  ["-", { line: 1, column: 2, message: "unexpected end of JSON input" }],
  ["01", { line: 1, column: 2, message: "invalid character '1' after top-level value" }],
])("%j", (text, expected) => {
  const error = jsonSyntaxError(text);
  expect(error && { line: error.line, column: error.column, message: error.message }).toEqual(expected);
  if (!expected) expect(() => JSON.parse(text)).not.toThrow();
  else expect(() => JSON.parse(text)).toThrow();
});
