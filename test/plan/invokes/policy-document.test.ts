/**
 * `aws.iam.getPolicyDocument` computed offline must give the provider's own answer. Every expected
 * document here is copied from terraform-provider-aws's acceptance tests
 * (internal/service/iam/policy_document_data_source_test.go, the `aws` partition), with the HCL
 * configuration translated to the Pulumi arguments pulumi-aws passes to the same data source.
 */
import { InvokeError } from "../../../cli/invokes/errors";
import { getPolicyDocument } from "../../../cli/invokes/policy-document";
import { crc32, setOrder, TF_STRING } from "../../../cli/invokes/terraform-set";

const json = (args: Record<string, unknown>) => getPolicyDocument(args).result.json as string;

// testAccPolicyDocumentDataSourceConfig_basic
const BASIC = {
  policyId: "policy_id",
  statements: [
    {
      sid: "1",
      actions: ["s3:ListAllMyBuckets", "s3:GetBucketLocation"],
      resources: ["arn:aws:s3:::*"],
    },
    {
      actions: ["s3:ListBucket"],
      resources: ["arn:aws:s3:::foo"],
      conditions: [
        { test: "StringLike", variable: "s3:prefix", values: ["home/", "", "home/&{aws:username}/"] },
      ],
      notPrincipals: [{ type: "AWS", identifiers: ["arn:blahblah:example"] }],
    },
    {
      actions: ["s3:*"],
      resources: ["arn:aws:s3:::foo/home/&{aws:username}", "arn:aws:s3:::foo/home/&{aws:username}/*"],
      principals: [{ type: "AWS", identifiers: ["arn:blahblah:example"] }],
    },
    { effect: "Deny", notActions: ["s3:*"], notResources: ["arn:aws:s3:::*"] },
    { effect: "Allow", actions: ["kinesis:*"], principals: [{ type: "AWS", identifiers: ["*"] }] },
    { effect: "Allow", actions: ["firehose:*"], principals: [{ type: "*", identifiers: ["*"] }] },
  ],
};

// testAccPolicyDocumentExpectedJSON
const BASIC_JSON = `{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "",
            "home/\${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::foo/home/\${aws:username}/*",
        "arn:aws:s3:::foo/home/\${aws:username}"
      ],
      "Principal": {
        "AWS": "arn:blahblah:example"
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    }
  ]
}`;

describe("the provider's expected documents", () => {
  test("basic: every statement field, ordering, string-vs-list collapsing, &{ -> ${, wildcard principals", () => {
    expect(json(BASIC)).toBe(BASIC_JSON);
  });

  test("basic: minifiedJson is the same document without whitespace (testAccPolicyDocumentExpectedJSONMinified)", () => {
    expect(getPolicyDocument(BASIC).result.minifiedJson).toBe(
      `{"Version":"2012-10-17","Id":"policy_id","Statement":[{"Sid":"1","Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:GetBucketLocation"],"Resource":"arn:aws:s3:::*"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::foo","NotPrincipal":{"AWS":"arn:blahblah:example"},"Condition":{"StringLike":{"s3:prefix":["home/","","home/\${aws:username}/"]}}},{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::foo/home/\${aws:username}/*","arn:aws:s3:::foo/home/\${aws:username}"],"Principal":{"AWS":"arn:blahblah:example"}},{"Effect":"Deny","NotAction":"s3:*","NotResource":"arn:aws:s3:::*"},{"Effect":"Allow","Action":"kinesis:*","Principal":{"AWS":"*"}},{"Effect":"Allow","Action":"firehose:*","Principal":"*"}]}`,
    );
  });

  test("id is the provider's hash of json (create.StringHashcode: crc32)", () => {
    const { result } = getPolicyDocument(BASIC);
    expect(result.id).toBe(String(crc32(BASIC_JSON)));
    expect(crc32("The quick brown fox jumps over the lazy dog")).toBe(0x414fa339); // the IEEE check value
  });

  test("singleConditionValue", () => {
    expect(
      JSON.parse(
        json({
          statements: [
            {
              effect: "Deny",
              principals: [{ type: "AWS", identifiers: ["*"] }],
              actions: ["elasticfilesystem:*"],
              resources: ["*"],
              conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
            },
          ],
        }),
      ),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Action: "elasticfilesystem:*",
          Resource: "*",
          Principal: { AWS: "*" },
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });

  test("multipleConditionKeys: one test, two variables, keys written sorted", () => {
    const doc = json({
      statements: [
        {
          sid: "AWSCloudTrailWrite20150319",
          effect: "Allow",
          principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
          actions: ["s3:PutObject"],
          resources: ["*"],
          conditions: [
            { test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] },
            { test: "StringEquals", variable: "aws:SourceArn", values: ["some-other-value"] },
          ],
        },
      ],
    });
    expect(JSON.parse(doc).Statement[0].Condition).toEqual({
      StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": "some-other-value" },
    });
    // Go writes map keys in order.
    expect(doc.indexOf('"aws:SourceArn"')).toBeLessThan(doc.indexOf('"s3:x-amz-acl"'));
  });

  test("duplicateConditionKeys: values of one test and variable are merged", () => {
    const doc = JSON.parse(
      json({
        statements: [
          {
            sid: "DuplicateConditionTest",
            effect: "Allow",
            principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
            actions: ["s3:PutObject"],
            resources: ["*"],
            conditions: [
              { test: "StringEquals", variable: "s3:prefix", values: ["one/", "two/"] },
              { test: "StringEquals", variable: "s3:prefix", values: ["three/"] },
            ],
          },
        ],
      }),
    );
    expect(doc.Statement[0].Condition).toEqual({ StringEquals: { "s3:prefix": ["one/", "two/", "three/"] } });
  });

  test("conditionWithBoolValue: a source document's boolean and one-element list conditions", () => {
    const source = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "RestrictAccessToSpecialTag",
            "Effect": "Deny",
            "Action": [
                "ec2:CreateTags",
                "ec2:DeleteTags"
            ],
            "Resource": "arn:aws:ec2:*:*:vpc/*",
            "Condition": {
                "Null": {
                    "aws:ResourceTag/SpecialTag": false
                },
                "StringLike": {
                    "aws:ResourceAccount": [
                        "123456"
                    ],
                    "aws:PrincipalArn": "arn:aws:iam::*:role/AWSAFTExecution"
                }
            }
        }
    ]
}`;
    expect(JSON.parse(json({ sourcePolicyDocuments: [source] }))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "RestrictAccessToSpecialTag",
          Effect: "Deny",
          Action: ["ec2:CreateTags", "ec2:DeleteTags"],
          Resource: "arn:aws:ec2:*:*:vpc/*",
          Condition: {
            Null: { "aws:ResourceTag/SpecialTag": "false" },
            StringLike: {
              "aws:ResourceAccount": "123456",
              "aws:PrincipalArn": "arn:aws:iam::*:role/AWSAFTExecution",
            },
          },
        },
      ],
    });
  });

  test("source: a source document's statements first, principal lists re-sorted, own statement appended", () => {
    const source = json({
      ...BASIC,
      statements: BASIC.statements.map((s, i) =>
        i === 1
          ? {
              ...s,
              conditions: [
                { test: "StringLike", variable: "s3:prefix", values: ["home/", "home/&{aws:username}/"] },
              ],
            }
          : i === 2
            ? {
                ...s,
                principals: [
                  { type: "AWS", identifiers: ["arn:blahblah:example", "arn:blahblahblah:example"] },
                ],
              }
            : s,
      ),
    });
    const doc = JSON.parse(
      json({
        sourcePolicyDocuments: [source],
        statements: [{ sid: "SourceJSONTest1", actions: ["*"], resources: ["*"] }],
      }),
    );
    expect(doc.Id).toBe("policy_id");
    expect(doc.Statement[1].Condition).toEqual({
      StringLike: { "s3:prefix": ["home/", "home/${aws:username}/"] },
    });
    expect(doc.Statement[2].Principal).toEqual({ AWS: ["arn:blahblahblah:example", "arn:blahblah:example"] });
    expect(doc.Statement[6]).toEqual({ Sid: "SourceJSONTest1", Effect: "Allow", Action: "*", Resource: "*" });
    expect(doc.Statement).toHaveLength(7);
  });

  const policyA = json({
    statements: [
      { sid: "", effect: "Allow", actions: ["foo:ActionOne"] },
      { sid: "validSidOne", effect: "Allow", actions: ["bar:ActionOne"] },
    ],
  });
  const policyB = json({ statements: [{ sid: "validSidTwo", effect: "Deny", actions: ["foo:ActionTwo"] }] });
  const policyC = json({ statements: [{ sid: "", effect: "Allow", actions: ["bar:ActionTwo"] }] });

  test("sourceList: documents merged in order (testAccPolicyDocumentSourceListExpectedJSON)", () => {
    expect(json({ version: "2012-10-17", sourcePolicyDocuments: [policyA, policyB, policyC] })).toBe(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "foo:ActionOne"
    },
    {
      "Sid": "validSidOne",
      "Effect": "Allow",
      "Action": "bar:ActionOne"
    },
    {
      "Sid": "validSidTwo",
      "Effect": "Deny",
      "Action": "foo:ActionTwo"
    },
    {
      "Effect": "Allow",
      "Action": "bar:ActionTwo"
    }
  ]
}`);
  });

  test("sourceConflicting: this document's statement replaces the source's with the same Sid", () => {
    const source = json({
      statements: [{ sid: "SourceJSONTestConflicting", actions: ["iam:*"], resources: ["*"] }],
    });
    expect(
      json({
        sourcePolicyDocuments: [source],
        statements: [{ sid: "SourceJSONTestConflicting", actions: ["*"], resources: ["*"] }],
      }),
    ).toBe(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "SourceJSONTestConflicting",
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}`);
  });

  test("sourceListConflicting: a Sid twice among source documents is an error", () => {
    const conflictA = json({
      statements: [
        { sid: "", effect: "Allow", actions: ["foo:ActionOne"] },
        { sid: "conflictSid", effect: "Allow", actions: ["bar:ActionOne"] },
      ],
    });
    const conflictC = json({
      statements: [{ sid: "conflictSid", effect: "Allow", actions: ["bar:ActionTwo"] }],
    });
    expect(() => getPolicyDocument({ sourcePolicyDocuments: [conflictA, policyB, conflictC] })).toThrow(
      /duplicate Sid \(conflictSid\) in source_policy_documents \(statement 0\)/,
    );
  });

  test("override: an override statement replaces the one with its Sid, in place", () => {
    const override = json({ statements: [{ sid: "SidToOverwrite", actions: ["s3:*"], resources: ["*"] }] });
    expect(
      json({
        overridePolicyDocuments: [override],
        statements: [
          { actions: ["ec2:*"], resources: ["*"] },
          {
            sid: "SidToOverwrite",
            actions: ["s3:*"],
            resources: ["arn:aws:s3:::somebucket", "arn:aws:s3:::somebucket/*"],
          },
        ],
      }),
    ).toBe(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "ec2:*",
      "Resource": "*"
    },
    {
      "Sid": "SidToOverwrite",
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "*"
    }
  ]
}`);
  });

  test("overrideList (testAccPolicyDocumentOverrideListExpectedJSON)", () => {
    const policyCOverride = json({
      statements: [{ sid: "overrideSid", effect: "Deny", actions: ["bar:ActionOne"] }],
    });
    const policyAOverride = json({
      statements: [
        { sid: "", effect: "Allow", actions: ["foo:ActionOne"] },
        { sid: "overrideSid", effect: "Allow", actions: ["bar:ActionOne"] },
      ],
    });
    const policyBValid = json({
      statements: [{ sid: "validSid", effect: "Deny", actions: ["foo:ActionTwo"] }],
    });
    expect(
      JSON.parse(
        json({
          version: "2012-10-17",
          overridePolicyDocuments: [policyAOverride, policyBValid, policyCOverride],
        }),
      ),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "foo:ActionOne" },
        { Sid: "overrideSid", Effect: "Deny", Action: "bar:ActionOne" },
        { Sid: "validSid", Effect: "Deny", Action: "foo:ActionTwo" },
      ],
    });
  });

  test("noStatementMerge and noStatementOverride", () => {
    const source = (sid: string) =>
      json({ statements: [{ sid, actions: ["ec2:DescribeAccountAttributes"], resources: ["*"] }] });
    const override = json({
      statements: [{ sid: "OverridePlaceholder", actions: ["s3:GetObject"], resources: ["*"] }],
    });
    expect(
      JSON.parse(json({ sourcePolicyDocuments: [source("")], overridePolicyDocuments: [override] })),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "ec2:DescribeAccountAttributes", Resource: "*" },
        { Sid: "OverridePlaceholder", Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
      ],
    });
    expect(
      JSON.parse(
        json({ sourcePolicyDocuments: [source("OverridePlaceholder")], overridePolicyDocuments: [override] }),
      ),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [{ Sid: "OverridePlaceholder", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
    });
  });

  test("duplicateSid is an error; duplicate blank Sids are not", () => {
    expect(() =>
      getPolicyDocument({
        statements: [
          { sid: "1", effect: "Allow", actions: ["ec2:DescribeAccountAttributes"], resources: ["*"] },
          { sid: "1", effect: "Allow", actions: ["s3:GetObject"], resources: ["*"] },
        ],
      }),
    ).toThrow(/duplicate Sid \(1\)\. Remove the Sid or ensure the Sid is unique\./);
    expect(
      JSON.parse(
        json({
          statements: [
            { sid: "", effect: "Allow", actions: ["ec2:DescribeAccountAttributes"], resources: ["*"] },
            { sid: "", effect: "Allow", actions: ["s3:GetObject"], resources: ["*"] },
          ],
        }),
      ).Statement,
    ).toEqual([
      { Effect: "Allow", Action: "ec2:DescribeAccountAttributes", Resource: "*" },
      { Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
    ]);
  });

  test('sourcePolicyValidJSON: "{" is an error naming the element; "" is no document', () => {
    expect(() => getPolicyDocument({ sourcePolicyDocuments: ["{"] })).toThrow(
      '"sourcePolicyDocuments.0" contains an invalid JSON: unexpected end of JSON input',
    );
    expect(() => getPolicyDocument({ overridePolicyDocuments: ["{"] })).toThrow(
      '"overridePolicyDocuments.0" contains an invalid JSON: unexpected end of JSON input',
    );
    // testAccPolicyDocumentExpectedJSONNoStatement
    expect(json({ sourcePolicyDocuments: [""] })).toBe(`{\n  "Version": "2012-10-17"\n}`);
    expect(json({ overridePolicyDocuments: [""] })).toBe(`{\n  "Version": "2012-10-17"\n}`);
    const partial = json({
      statements: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }],
        },
      ],
    });
    expect(JSON.parse(json({ sourcePolicyDocuments: [partial, ""] })).Statement).toEqual([
      { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ec2.amazonaws.com" } },
    ]);
  });

  test("statementPrincipalIdentifiers stringAndSlice: one principal type from two blocks", () => {
    const doc = JSON.parse(
      json({
        statements: [
          {
            actions: ["*"],
            resources: ["*"],
            sid: "StatementPrincipalIdentifiersStringAndSlice",
            principals: [
              { identifiers: ["arn:aws:iam::111111111111:root"], type: "AWS" },
              {
                identifiers: ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"],
                type: "AWS",
              },
            ],
          },
        ],
      }),
    );
    expect(doc.Statement[0].Principal).toEqual({
      AWS: [
        "arn:aws:iam::111111111111:root",
        "arn:aws:iam::333333333333:root",
        "arn:aws:iam::222222222222:root",
      ],
    });
  });

  test.each([
    [
      "aws",
      [
        "arn:aws:iam::333333333333:root",
        "arn:aws:iam::444444444444:root",
        "arn:aws:iam::222222222222:root",
        "arn:aws:iam::111111111111:root",
      ],
    ],
    [
      "aws-us-gov",
      [
        "arn:aws-us-gov:iam::333333333333:root",
        "arn:aws-us-gov:iam::222222222222:root",
        "arn:aws-us-gov:iam::111111111111:root",
        "arn:aws-us-gov:iam::444444444444:root",
      ],
    ],
  ])(
    "statementPrincipalIdentifiers multiplePrincipals (%s): blocks in Terraform's set order",
    (partition, expected) => {
      const arn = (account: string) => `arn:${partition}:iam::${account}:root`;
      const doc = JSON.parse(
        json({
          statements: [
            {
              actions: ["*"],
              resources: ["*"],
              sid: "StatementPrincipalIdentifiersStringAndSlice",
              principals: [
                { identifiers: [arn("111111111111"), arn("222222222222")], type: "AWS" },
                { identifiers: [arn("333333333333")], type: "AWS" },
                { identifiers: [arn("444444444444")], type: "AWS" },
              ],
            },
          ],
        }),
      );
      expect(doc.Statement[0].Principal).toEqual({ AWS: expected });
    },
  );

  test("version20081017: allowed, but &{ in resources, principals or condition values is an error", () => {
    expect(json({ version: "2008-10-17", statements: [{ actions: ["ec2:*"], resources: ["*"] }] })).toBe(`{
  "Version": "2008-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "ec2:*",
      "Resource": "*"
    }
  ]
}`);
    const unsupported = /found &\{ sequence in \(.+\), which is not supported in document version 2008-10-17/;
    for (const statement of [
      {
        actions: ["*"],
        resources: ["*"],
        conditions: [
          { test: "StringLike", values: ["home/", "home/&{aws:username}/"], variable: "s3:prefix" },
        ],
      },
      {
        actions: ["*"],
        resources: ["*"],
        notPrincipals: [{ identifiers: ["&{aws:username}"], type: "AWS" }],
      },
      { actions: ["*"], notResources: ["arn:aws:s3:::foo/home/&{aws:username}"] },
      { actions: ["*"], resources: ["*"], principals: [{ identifiers: ["&{aws:username}"], type: "AWS" }] },
      { actions: ["*"], resources: ["arn:aws:s3:::foo/home/&{aws:username}"] },
    ])
      expect(() => getPolicyDocument({ version: "2008-10-17", statements: [statement] })).toThrow(
        unsupported,
      );
  });
});

describe("what the schema and the model add", () => {
  test("bad arguments are the provider's validation errors, every one at once", () => {
    let error: unknown;
    try {
      getPolicyDocument({
        version: "2020-01-01",
        sourceJson: "{}",
        statements: [{ effect: "Permit", sid: "has-dash", principals: [{ identifiers: ["x"] }] }],
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvokeError);
    expect((error as InvokeError).details).toBe(
      "invoking aws:iam/getPolicyDocument:getPolicyDocument: 5 errors occurred:" +
        '\n\t* expected version to be one of ["2008-10-17" "2012-10-17"], got 2020-01-01' +
        "\n\t* expected sourceJson to be an empty string, got {}" +
        '\n\t* expected statements[0].effect to be one of ["Allow" "Deny"], got Permit' +
        "\n\t* invalid value for statements[0].sid (must only include alphanumeric characters)" +
        "\n\t* Missing required argument: statements[0].principals[0].type",
    );
  });

  test("sets: duplicates collapse (one action left is a string); lists sort in reverse", () => {
    const doc = JSON.parse(
      json({ statements: [{ actions: ["s3:GetObject", "s3:GetObject"], resources: ["b", "c", "a"] }] }),
    );
    expect(doc.Statement[0]).toEqual({ Effect: "Allow", Action: "s3:GetObject", Resource: ["c", "b", "a"] });
  });

  test("Terraform's set order is crc32 of the element and ';', sorted as decimal text", () => {
    const codes = ["a", "b", "c"].map((s) => [s, crc32(`${s};`)] as const);
    const expected = [...codes].sort((x, y) => (String(x[1]) < String(y[1]) ? -1 : 1)).map(([s]) => s);
    expect(setOrder(["a", "b", "c"], TF_STRING)).toEqual(expected);
  });

  test("HTML characters are escaped as Go does; the document still parses to the same strings", () => {
    const doc = json({
      statements: [
        {
          actions: ["s3:GetObject"],
          resources: ["arn:aws:s3:::a&b/<x>"],
          conditions: [{ test: "StringLike", variable: "aws:userid", values: ["\u2028"] }],
        },
      ],
    });
    expect(doc).toContain('"arn:aws:s3:::a\\u0026b/\\u003cx\\u003e"');
    expect(doc).toContain('"\\u2028"');
    expect(JSON.parse(doc).Statement[0].Resource).toBe("arn:aws:s3:::a&b/<x>");
  });

  test('a source document is decoded as Go decodes it: case-insensitive fields, sorted map keys, Principal "*"', () => {
    const doc = JSON.parse(
      json({
        sourcePolicyDocuments: [
          JSON.stringify({
            version: "2012-10-17",
            statement: [{ effect: "Allow", action: "s3:*", resource: "*", principal: "*", Unknown: 1 }],
          }),
        ],
      }),
    );
    expect(doc).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*", Principal: "*" }],
    });
  });

  test("condition values the provider drops (numbers) are dropped, and said so; a single Statement object is an error", () => {
    const source = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Principal: { AWS: ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"] },
          Condition: {
            NumericLessThan: { "aws:MultiFactorAuthAge": 3600 },
            Bool: { "aws:MultiFactorAuthPresent": true },
          },
        },
      ],
    });
    const { result, warnings } = getPolicyDocument({ sourcePolicyDocuments: [source] });
    expect(JSON.parse(result.json as string).Statement[0]).toEqual({
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Principal: { AWS: ["arn:aws:iam::222222222222:root", "arn:aws:iam::111111111111:root"] },
      Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
    });
    expect(warnings).toEqual([
      expect.stringContaining(
        "source document 0, Statement[0]: the provider drops condition NumericLessThan aws:MultiFactorAuthAge: 3600",
      ),
    ]);
    expect(() =>
      getPolicyDocument({
        sourcePolicyDocuments: [JSON.stringify({ Statement: { Effect: "Allow", Action: "*" } })],
      }),
    ).toThrow(
      /merging source document 0: json: cannot unmarshal object into Go struct field iamPolicyDoc\.Statement/,
    );
  });

  test("outputs echo the arguments with the provider's defaults", () => {
    const { result } = getPolicyDocument({ statements: [{ actions: ["b", "a"] }] });
    expect(result).toMatchObject({
      version: "2012-10-17",
      statements: [{ effect: "Allow", actions: setOrder(["b", "a"], TF_STRING) }],
    });
    expect(Object.keys(result)).toEqual(expect.arrayContaining(["json", "minifiedJson", "id"]));
  });
});
