import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  GenerateCredentialReportCommand,
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
    expect(details.userCount).toBe(1);
  });

  test("malformed JSON names the file, line and column", () => {
    const f = write("broken.json", '{\n  "RoleDetailList": [\n    { "RoleName": "x", }\n  ]\n}\n');
    expect(() => parseAuthorizationDetails(read(f), f)).toThrow(InventoryFormatError);
    expect(() => parseAuthorizationDetails(read(f), f)).toThrow(new RegExp(`${f}: not valid JSON .*line 3`));
  });

  test("a bad date names the field", () => {
    const f = write(
      "bad-date.json",
      JSON.stringify({
        RoleDetailList: [
          { RoleName: "r", Arn: "arn:aws:iam::111122223333:role/r", CreateDate: "last tuesday" },
        ],
      }),
    );
    expect(() => parseAuthorizationDetails(read(f), f)).toThrow(
      `${f}: RoleDetailList[0].CreateDate: "last tuesday" is not an ISO 8601 date`,
    );
  });

  test("a missing RoleName names the field", () => {
    const f = write("no-name.json", JSON.stringify({ RoleDetailList: [{}, { Arn: "a" }] }));
    expect(() => parseAuthorizationDetails(read(f), f)).toThrow(
      `${f}: RoleDetailList[0].RoleName: missing or not a string`,
    );
  });

  test("a file of another kind is refused with what was expected", () => {
    const f = write("other.json", JSON.stringify({ Users: [] }));
    expect(() => parseAuthorizationDetails(read(f), f)).toThrow(/get-account-authorization-details/);
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

  test("a broken file comes back as a reason naming the file", async () => {
    const f = write("broken-report.csv", "user,arn\n");
    const choice = await chooseInventory({ credentialReportFile: f }, {});
    expect(choice).toEqual({
      unavailable: expect.stringContaining(`${f}:1: the header has no "user_creation_time" column`),
    });
    const missing = await chooseInventory({ inventoryFile: path.join(tmp, "absent.json") }, {});
    expect(missing).toEqual({
      unavailable: expect.stringMatching(/absent\.json: cannot be read \(ENOENT\)/),
    });
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
