import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetRoleCommand,
  IAMClient,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import {
  ENV_CREDENTIAL_REPORT,
  ENV_INVENTORY,
  InventoryFormatError,
  OfflineInventory,
  chooseInventory,
  clearInventoryCache,
  explicitCredentials,
  mfaFactsFromReport,
  parseAuthorizationDetails,
  parseCredentialReport,
} from "../lib/inventory";
import { LiveInventory } from "../lib/inventory/live";

const FIXTURES = path.join(__dirname, "fixtures");
const AUTH = path.join(FIXTURES, "authorization-details.json");
const REPORT = path.join(FIXTURES, "credential-report.csv");
const read = (f: string) => fs.readFileSync(f, "utf8");

let tmp: string;
beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-"))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeEach(() => clearInventoryCache());

function write(name: string, text: string): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
}

describe("authorization-details export", () => {
  const details = parseAuthorizationDetails(read(AUTH), AUTH);

  test("reads every role with its RoleLastUsed, including missing and empty ones", () => {
    expect(details.roles.map((r) => r.name)).toEqual([
      "legacy-sagemaker-role",
      "recent-role",
      "never-used-old",
      "never-used-new",
      "AWSServiceRoleForAmazonSageMakerNotebooks",
    ]);
    const legacy = details.roles[0];
    expect(legacy.lastUsed?.toISOString()).toBe("2024-01-15T10:04:52.000Z");
    expect(legacy.lastUsedRegion).toBe("us-east-1");
    expect(legacy.createDate.toISOString()).toBe("2023-05-01T12:00:00.000Z");
    expect(details.roles[1].path).toBe("/service-role/");
    expect(details.roles[2].lastUsed).toBeUndefined(); // "RoleLastUsed": {}
    expect(details.roles[3].lastUsed).toBeUndefined(); // no RoleLastUsed at all
  });

  test("reads users, groups, instance profiles and the default version of each managed policy", () => {
    expect(details.users.map((u) => [u.name, u.groups, u.attachedPolicyArns])).toEqual([
      ["alice", ["data-scientists"], ["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"]],
      ["bob", ["mfa-humans"], []],
    ]);
    expect(details.groups.map((g) => g.name)).toEqual(["data-scientists", "mfa-humans"]);
    expect(details.instanceProfiles).toEqual([
      {
        name: "legacy-trainer",
        arn: "arn:aws:iam::111122223333:instance-profile/legacy-trainer",
        roles: ["legacy-sagemaker-role"],
      },
    ]);
    const admin = details.policies.find((p) => p.name === "legacy-sagemaker-admin")!;
    expect(admin.defaultVersionId).toBe("v2");
    // The API's URL-encoded form is kept as is; parsePolicyDocument decodes it.
    expect(admin.document).toMatch(/^%7B/);
    const trimmed = details.policies.find((p) => p.name === "AmazonSageMakerFullAccess")!;
    expect(trimmed.document).toBeUndefined();
  });

  // Each bad input: an error whose message is `<file>:<line or field>: <what is wrong>`.
  const bad: [string, string, string | RegExp][] = [
    ["truncated JSON", '{\n  "RoleDetailList": [\n    {"RoleName": "x",\n', ":4: not valid JSON ("],
    [
      "a syntax error",
      '{\n  "RoleDetailList": [\n    { "RoleName": "x", }\n  ]\n}\n',
      ":3: not valid JSON (",
    ],
    ["an empty file", "\n", ":1: the file is empty"],
    [
      "a top-level array",
      "[]",
      ":1: expected the JSON object printed by 'aws iam get-account-authorization-details', found an array",
    ],
    ["a CSV instead of JSON", "user,arn\nalice,x\n", ":1: not valid JSON"],
    ["another kind of JSON", JSON.stringify({ Users: [] }), ":RoleDetailList: missing"],
    [
      "a bad date",
      JSON.stringify({
        RoleDetailList: [
          { RoleName: "r", Arn: "arn:aws:iam::111122223333:role/r", CreateDate: "last tuesday" },
        ],
      }),
      ':RoleDetailList[0].CreateDate: "last tuesday" is not an ISO 8601 date',
    ],
    [
      "a missing RoleName",
      JSON.stringify({ RoleDetailList: [{}, { Arn: "a" }] }),
      ":RoleDetailList[0].RoleName: missing or not a string",
    ],
    [
      "a list that is not a list",
      JSON.stringify({ RoleDetailList: {} }),
      ":RoleDetailList: not a list (found an object)",
    ],
    [
      "a user without a name",
      JSON.stringify({ UserDetailList: [{ Arn: "a" }] }),
      ":UserDetailList[0].UserName: missing or not a string",
    ],
    [
      "a policy whose versions have no default",
      JSON.stringify({
        Policies: [
          {
            PolicyName: "p",
            Arn: "a",
            PolicyVersionList: [{ VersionId: "v1", IsDefaultVersion: false, Document: "{}" }],
          },
        ],
      }),
      ":Policies[0].PolicyVersionList: no default version",
    ],
    [
      "a version without a document",
      JSON.stringify({
        Policies: [
          { PolicyName: "p", Arn: "a", DefaultVersionId: "v1", PolicyVersionList: [{ VersionId: "v1" }] },
        ],
      }),
      ":Policies[0].PolicyVersionList[0].Document: missing",
    ],
  ];
  test.each(bad)("%s names the file and the line or field", (_n, text, message) => {
    const f = write("bad.json", text);
    expect(() => parseAuthorizationDetails(read(f), f)).toThrow(InventoryFormatError);
    expect(() => parseAuthorizationDetails(read(f), f)).toThrow(`${f}${message}`);
  });
});

describe("credential report", () => {
  const rows = parseCredentialReport(read(REPORT), REPORT);

  test("reads the root row, N/A and no_information fields", () => {
    expect(rows).toHaveLength(5);
    const root = rows[0];
    expect(root).toMatchObject({
      user: "<root_account>",
      isRoot: true,
      mfaActive: false,
      passwordEnabled: undefined,
      line: 2,
    });
    const carol = rows.find((r) => r.user === "carol")!;
    expect(carol.passwordLastUsed).toBe("never");
    expect(carol.passwordEnabled).toBe(true);
    const bot = rows.find((r) => r.user === "ci-bot")!;
    expect(bot).toMatchObject({ passwordEnabled: false, passwordLastUsed: "never", mfaActive: false });
  });

  test("MFA facts: root without MFA and console users without MFA", () => {
    expect(mfaFactsFromReport(rows)).toEqual({
      rootMfaActive: false,
      consoleUsers: ["alice", "bob", "carol"],
      consoleUsersWithoutMfa: ["alice", "carol"],
    });
  });

  test("the base64 Content and the CLI's JSON answer are accepted", () => {
    const b64 = Buffer.from(read(REPORT)).toString("base64");
    expect(parseCredentialReport(b64, "report.b64")).toEqual(rows);
    const json = JSON.stringify({
      Content: b64,
      ReportFormat: "text/csv",
      GeneratedTime: "2026-11-19T00:00:00Z",
    });
    expect(parseCredentialReport(json, "report.json")).toEqual(rows);
  });

  test("a row with the wrong number of fields names the file and line", () => {
    const text = read(REPORT).replace("bob,arn:aws:iam::111122223333:user/bob,", "bob,");
    expect(() => parseCredentialReport(text, "r.csv")).toThrow(
      "r.csv:4: expected 22 fields as in the header, found 21",
    );
  });

  test("a bad boolean names the line and field", () => {
    const text = read(REPORT).replace(/(carol,[^\n]*?,N\/A,)false/, "$1maybe");
    expect(() => parseCredentialReport(text, "r.csv")).toThrow(
      'r.csv:5: field mfa_active is "maybe"; expected true or false',
    );
  });

  test("a bad date names the line and field", () => {
    const text = read(REPORT).replace("2023-07-07T07:07:07+00:00", "07/07/2023");
    expect(() => parseCredentialReport(text, "r.csv")).toThrow(
      'r.csv:4: field user_creation_time is "07/07/2023"',
    );
  });

  test.each([
    ["an empty file", "", "e.csv:1: the file is empty"],
    ["truncated JSON of the CLI answer", '{"Content": "dXNlcixhcm4=",', "e.csv:1: not valid JSON ("],
    ["JSON without Content", '{"ReportFormat": "text/csv"}', "e.csv:Content: missing or not a string"],
    ["neither CSV nor base64", "not a report!", "e.csv:1: neither CSV nor base64"],
  ])("%s names the file and the line or field", (_n, text, message) => {
    expect(() => parseCredentialReport(text, "e.csv")).toThrow(message);
  });

  test("a header without mfa_active is refused", () => {
    expect(() =>
      parseCredentialReport("user,arn,user_creation_time,password_enabled\nx,y,N/A,false\n", "h.csv"),
    ).toThrow('h.csv:1: the header has no "mfa_active" column');
  });

  test("an unterminated quote names the line", () => {
    const text = read(REPORT).split("\n").slice(0, 2).join("\n") + '\n"alice,arn\n';
    expect(() => parseCredentialReport(text, "q.csv")).toThrow("q.csv:3: unterminated quoted field");
  });
});

describe("choosing the source", () => {
  test("policy config files win; the description names them", async () => {
    const choice = await chooseInventory({ inventoryFile: AUTH, credentialReportFile: REPORT }, {});
    expect("inventory" in choice).toBe(true);
    const inv = (choice as { inventory: OfflineInventory }).inventory;
    expect(inv.description).toBe(
      `offline authorization-details export ${AUTH} and offline credential report ${REPORT}`,
    );
    expect(await inv.accountId()).toBe("111122223333");
    expect(await inv.getRole("LEGACY-sagemaker-role")).toMatchObject({
      found: { name: "legacy-sagemaker-role" },
    });
    expect(await inv.getRole("nope")).toEqual({ missing: true });
  });

  test("environment variables are used when the config gives no file", async () => {
    const choice = await chooseInventory({}, { [ENV_INVENTORY]: AUTH });
    const inv = (choice as { inventory: OfflineInventory }).inventory;
    expect(inv.hasRoles).toBe(true);
    expect(inv.hasMfa).toBe(false);
    const rep = await chooseInventory({}, { [ENV_CREDENTIAL_REPORT]: REPORT });
    expect((rep as { inventory: OfflineInventory }).inventory.hasMfa).toBe(true);
  });

  test("offline files beat live credentials", async () => {
    const choice = await chooseInventory(
      { inventoryFile: AUTH },
      { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "x" },
    );
    expect((choice as { inventory: OfflineInventory }).inventory).toBeInstanceOf(OfflineInventory);
  });

  test("explicit credentials select the live account", async () => {
    const choice = await chooseInventory({}, { AWS_PROFILE: "audit", AWS_REGION: "eu-west-1" });
    const inv = (choice as { inventory: LiveInventory }).inventory;
    expect(inv).toBeInstanceOf(LiveInventory);
    expect(inv.description).toBe(
      "live AWS account via the AWS SDK (credentials from AWS_PROFILE, region eu-west-1)",
    );
    expect(process.env.AWS_EC2_METADATA_DISABLED).toBe("true");
  });

  test("without files or credentials there is a reason, not a crash", async () => {
    const choice = await chooseInventory({}, {});
    expect(choice).toEqual({
      unavailable: expect.stringMatching(/no account facts: .*ML_PLATFORM_IAM_INVENTORY/),
    });
  });

  test("a file given that cannot be read or parsed is an error naming it, never 'no facts'", async () => {
    const f = write("broken-report.csv", "user,arn\n");
    await expect(chooseInventory({ credentialReportFile: f }, {})).rejects.toThrow(
      `${f}:1: the header has no "user_creation_time" column`,
    );
    const absent = path.join(tmp, "absent.json");
    await expect(chooseInventory({ inventoryFile: absent }, {})).rejects.toThrow(
      `${absent}: cannot be read (no such file, ENOENT)`,
    );
    await expect(chooseInventory({}, { [ENV_INVENTORY]: tmp })).rejects.toThrow(
      `${tmp}: cannot be read (it is a directory, EISDIR)`,
    );
  });

  test("the offline inventory answers users, groups, policies and instance profiles", async () => {
    const inv = (await chooseInventory({ inventoryFile: AUTH }, {})) as { inventory: OfflineInventory };
    expect(inv.inventory.hasPolicies).toBe(true);
    expect(await inv.inventory.getUser("BOB")).toMatchObject({ found: { groups: ["mfa-humans"] } });
    expect(await inv.inventory.getGroup("mfa-humans")).toMatchObject({
      found: { attachedPolicyArns: ["arn:aws:iam::111122223333:policy/humans/force-mfa"] },
    });
    expect(await inv.inventory.getPolicy("arn:aws:iam::111122223333:policy/invoke-dogs")).toMatchObject({
      found: { name: "invoke-dogs", defaultVersionId: "v2" },
    });
    expect(await inv.inventory.findPolicyByName("force-mfa", "/humans/")).toMatchObject({
      found: { name: "force-mfa" },
    });
    expect(await inv.inventory.findPolicyByName("force-mfa")).toEqual({ missing: true });
    expect(await inv.inventory.getInstanceProfile("legacy-trainer")).toMatchObject({
      found: { roles: ["legacy-sagemaker-role"] },
    });
    expect(await inv.inventory.getUser("nobody")).toEqual({ missing: true });
  });

  test("which variables count as explicit credentials", () => {
    expect(explicitCredentials({})).toBeUndefined();
    expect(explicitCredentials({ AWS_REGION: "us-east-1" })).toBeUndefined();
    expect(explicitCredentials({ AWS_WEB_IDENTITY_TOKEN_FILE: "/t" })).toBe("AWS_WEB_IDENTITY_TOKEN_FILE");
    expect(explicitCredentials({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/creds" })).toBe(
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    );
  });
});

describe("live account (AWS SDK v3, mocked client)", () => {
  const iam = mockClient(IAMClient);
  afterEach(() => iam.reset());
  const client = new IAMClient({
    region: "us-east-1",
    credentials: { accessKeyId: "a", secretAccessKey: "b" },
  });

  test("GetAccountAuthorizationDetails pages into the offline shape (dates, URL-encoded documents)", async () => {
    const doc = encodeURIComponent(
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
    );
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolvesOnce({
        IsTruncated: true,
        Marker: "m1",
        RoleDetailList: [
          {
            RoleName: "r",
            Arn: "arn:aws:iam::111122223333:role/r",
            CreateDate: new Date("2024-01-01T00:00:00Z"),
          },
        ],
      })
      .resolves({
        IsTruncated: false,
        Policies: [
          {
            PolicyName: "p",
            Arn: "arn:aws:iam::111122223333:policy/p",
            DefaultVersionId: "v1",
            PolicyVersionList: [{ VersionId: "v1", IsDefaultVersion: true, Document: doc }],
          },
        ],
      });
    const live = new LiveInventory(client, 1000, "live");
    expect((await live.listRoles()).map((r) => r.name)).toEqual(["r"]);
    expect(await live.getPolicy("arn:aws:iam::111122223333:policy/p")).toMatchObject({
      found: { document: doc },
    });
    expect(
      iam.commandCalls(GetAccountAuthorizationDetailsCommand).map((c) => c.args[0].input.Marker),
    ).toEqual([undefined, "m1"]);
  });

  test("GetRole gives RoleLastUsed; NoSuchEntity means missing", async () => {
    iam.on(GetRoleCommand, { RoleName: "old" }).resolves({
      Role: {
        RoleName: "old",
        Arn: "arn:aws:iam::111122223333:role/old",
        Path: "/",
        RoleId: "AROA",
        CreateDate: new Date("2023-01-01T00:00:00Z"),
        RoleLastUsed: { LastUsedDate: new Date("2024-02-02T00:00:00Z"), Region: "eu-west-1" },
      },
    });
    iam
      .on(GetRoleCommand, { RoleName: "gone" })
      .rejects(Object.assign(new Error("not found"), { name: "NoSuchEntityException" }));
    const live = new LiveInventory(client, 1000, "live");
    expect(await live.getRole("old")).toMatchObject({
      found: { lastUsed: new Date("2024-02-02T00:00:00Z"), lastUsedRegion: "eu-west-1" },
    });
    expect(await live.getRole("gone")).toEqual({ missing: true });
  });

  test("a call that does not answer times out with the call named", async () => {
    iam.on(GetRoleCommand).callsFake(() => new Promise(() => undefined));
    const live = new LiveInventory(client, 50, "live");
    await expect(live.getRole("slow")).rejects.toThrow("GetRole did not answer within 50 ms");
  });

  test("MFA facts from GetAccountSummary and a generated credential report", async () => {
    iam.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountMFAEnabled: 1 } });
    iam
      .on(GenerateCredentialReportCommand)
      .resolvesOnce({ State: "STARTED" })
      .resolves({ State: "COMPLETE" });
    iam
      .on(GetCredentialReportCommand)
      .resolves({ Content: new Uint8Array(Buffer.from(read(REPORT))), ReportFormat: "text/csv" });
    const live = new LiveInventory(client, 5000, "live");
    expect(await live.getMfaFacts()).toEqual({
      rootMfaActive: true,
      consoleUsers: ["alice", "bob", "carol"],
      consoleUsersWithoutMfa: ["alice", "carol"],
    });
  });
});
