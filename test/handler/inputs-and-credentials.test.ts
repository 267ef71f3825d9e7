import { ACCESS_KEY, envFor, FPGA_IMAGE_ID, IMAGE_ID, itNeverPrintsCredentials, lines, runHandler, SECRET_KEY, seen, useEmulator } from './harness';
import { EXIT_CODES } from '../../src/contract';
import { FpgaApiEmulator } from '../../src/emulator/server';

/** What the handler checks before sending anything, and how it authenticates. */

const context = useEmulator();

const WRONG_SECRET = 'wrong-sk-0e6b3f8a1d5c-lockout';
const WRONG_ACCESS_KEY = 'WRONGACCESSKEY000000';
const STALE_TOKEN = 'stale-tok-7d1c9e4a02b6-9876543210';
const TEMPORARY = { accessKey: 'TEMPORARYACCESSKEY00', secretKey: 'tmp-sk-5e0b7d2a9c41f6', securityToken: 'tmp-token-3a8f1c6e0d92b7-0123456789' };

describe('invalid input: exit 2, nothing sent', () => {
  it.each([
    ['an FPGA image ID that is not 32 hex characters', { FPGA_ASSOC_FPGA_IMAGE_ID: '4010A32B' }, 'invalid FPGA_ASSOC_FPGA_IMAGE_ID "4010A32B": expected 32 lowercase hexadecimal characters'],
    ['an ECS image ID that is not a UUID', { FPGA_ASSOC_IMAGE_ID: 'not-a-uuid' }, 'invalid FPGA_ASSOC_IMAGE_ID "not-a-uuid": expected a lowercase UUID'],
    ['a project ID that is not 32 hex characters', { FPGA_ASSOC_PROJECT_ID: 'project-1' }, 'invalid FPGA_ASSOC_PROJECT_ID "project-1": expected 32 lowercase hexadecimal characters'],
    ['no project ID and no region to look it up by', { FPGA_ASSOC_PROJECT_ID: undefined }, 'no project: FPGA_ASSOC_PROJECT_ID is empty, HW_PROJECT_ID and HUAWEICLOUD_SDK_PROJECT_ID are not set, and there is no region to look it up by'],
    ['no project ID, and an emulator endpoint without HW_AUTH_URL', { FPGA_ASSOC_PROJECT_ID: '', FPGA_ASSOC_REGION: 'cn-north-1' }, 'is not a Huawei Cloud ECS endpoint, so IAM\'s address cannot be derived from it: set HW_AUTH_URL'],
    ['an HW_PROJECT_ID that is not 32 hex characters', { HW_PROJECT_ID: 'my-project' }, 'invalid HW_PROJECT_ID "my-project"'],
    ['plain http to a host that is not loopback', { FPGA_ASSOC_ENDPOINT: 'http://ecs.cn-north-1.myhuaweicloud.com' }, 'plain http is allowed only to a loopback host'],
    ['an endpoint with a path', { FPGA_ASSOC_ENDPOINT: 'https://ecs.example.com/v1' }, 'invalid FPGA_ASSOC_ENDPOINT'],
    ['no endpoint and no region', { FPGA_ASSOC_ENDPOINT: undefined }, 'neither FPGA_ASSOC_REGION nor FPGA_ASSOC_ENDPOINT is set'],
    ['a region without the FPGA-image API', { FPGA_ASSOC_ENDPOINT: undefined, FPGA_ASSOC_REGION: 'eu-west-101' }, 'available only in cn-north-1, cn-east-2, cn-south-1'],
    ['a tuning number that is not a positive integer', { FPGA_ASSOC_MAX_ATTEMPTS: '0' }, 'invalid FPGA_ASSOC_MAX_ATTEMPTS "0": expected a whole number from 1 to 999999999 (default 8)'],
    ['a timeout longer than a timer can wait', { FPGA_ASSOC_TOTAL_TIMEOUT_MS: '9999999999' }, 'invalid FPGA_ASSOC_TOTAL_TIMEOUT_MS "9999999999"'],
  ])('rejects %s', async (_, overrides, message) => {
    const { emu } = context;
    const run = await runHandler(['associate'], envFor(emu, overrides));

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(lines(run)).toHaveLength(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('Nothing was sent to the API');
    expect(emu.requests()).toEqual([]);
  });

  it('names every problem of the inputs and the environment at once', async () => {
    const { emu } = context;
    const run = await runHandler(['associate'], envFor(emu, { FPGA_ASSOC_FPGA_IMAGE_ID: 'x', FPGA_ASSOC_IMAGE_ID: 'y', HW_ASSUME_ROLE_AGENCY_NAME: 'a' }));

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(lines(run)).toHaveLength(1);
    expect(run.stderr).toMatch(/FPGA_ASSOC_FPGA_IMAGE_ID "x".*FPGA_ASSOC_IMAGE_ID "y".*HW_ASSUME_ROLE_AGENCY_NAME needs HW_ASSUME_ROLE_DOMAIN_NAME or HW_ASSUME_ROLE_DOMAIN_ID/);
  });

  it.each([[[]], [['delete']], [['associate', 'extra']]])('rejects the command line %j with a usage line', async (args) => {
    const { emu } = context;
    const run = await runHandler(args, envFor(emu));

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(run.stderr).toContain('usage: node handler.js <associate|disassociate|status|list|drift-query>');
    expect(emu.requests()).toEqual([]);
  });
});

describe('credentials', () => {
  it('missing: exit 2, no request, and the message names every source looked at and what it lacked', async () => {
    const { emu } = context;
    const run = await runHandler(['associate'], envFor(emu, { HW_ACCESS_KEY: undefined, HW_SECRET_KEY: undefined }));

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(emu.requests()).toEqual([]);
    expect(lines(run)).toEqual([
      'fpga-image-association: no Huawei Cloud credentials: no KooCLI profile (neither HW_SHARED_CONFIG_FILE nor HW_PROFILE is set); '
      + 'the environment has no access key (HW_ACCESS_KEY or HUAWEICLOUD_SDK_AK) and no secret key (HW_SECRET_KEY or HUAWEICLOUD_SDK_SK); '
      + 'the ECS metadata service is not asked (FPGA_ASSOC_METADATA_ENDPOINT=off). '
      + 'Give credentials in one of the ways terraform-provider-huaweicloud takes: HW_PROFILE (a KooCLI profile), '
      + 'HW_ACCESS_KEY and HW_SECRET_KEY in the environment that runs Terraform, or an agency bound to the ECS it runs on. Nothing was sent to the API',
    ]);
  });

  it('wrong: exit 4 after exactly one request, never retried (Huawei Cloud locks an AK after 5 failures)', async () => {
    const { emu } = context;
    const run = await runHandler(['disassociate'], envFor(emu, { HW_SECRET_KEY: WRONG_SECRET, FPGA_ASSOC_MAX_ATTEMPTS: '8' }));

    expect(run.code).toBe(EXIT_CODES.authFailed);
    expect(seen(emu)).toEqual(['DELETE 401']);
    expect(lines(run)).toHaveLength(1);
    const [line] = lines(run);
    expect(line).toContain(`disassociate FPGA image ${FPGA_IMAGE_ID} from ECS image ${IMAGE_ID} failed: HTTP 401 APIGW.0301`);
    expect(line).toContain(`request id ${emu.requests()[0].requestId}`);
    expect(line).toContain('Check the access key and secret key (HW_ACCESS_KEY, HW_SECRET_KEY)');
    expect(line).toContain('locks an access key');
  });

  it('an access key the API echoes back is masked in the message', async () => {
    const { emu } = context;
    const run = await runHandler(['associate'], envFor(emu, { HW_ACCESS_KEY: WRONG_ACCESS_KEY }));

    expect(run.code).toBe(EXIT_CODES.authFailed);
    expect(seen(emu)).toEqual(['POST 401']);
    // The emulator says `unknown access key "<AK>"`; the handler prints it masked.
    expect(run.stderr).toContain('unknown access key "[redacted]"');
  });

  it('falls back to HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK', async () => {
    const { emu } = context;
    const run = await runHandler(['associate'], envFor(emu, {
      HW_ACCESS_KEY: undefined,
      HW_SECRET_KEY: undefined,
      HUAWEICLOUD_SDK_AK: ACCESS_KEY,
      HUAWEICLOUD_SDK_SK: SECRET_KEY,
    }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(seen(emu)).toEqual(['POST 204']);
  });

  it('takes HW_* before HUAWEICLOUD_SDK_*', async () => {
    const { emu } = context;
    const run = await runHandler(['associate'], envFor(emu, { HUAWEICLOUD_SDK_AK: WRONG_ACCESS_KEY, HUAWEICLOUD_SDK_SK: WRONG_SECRET }));

    expect(run.code).toBe(EXIT_CODES.ok);
  });
});

describe('temporary credentials', () => {
  let emu: FpgaApiEmulator;
  beforeAll(async () => {
    emu = await FpgaApiEmulator.start({ credentials: [TEMPORARY] });
  });
  beforeEach(() => emu.reset());
  afterAll(() => emu.stop());

  const temporaryEnv = (overrides = {}) => envFor(emu, {
    HW_ACCESS_KEY: TEMPORARY.accessKey,
    HW_SECRET_KEY: TEMPORARY.secretKey,
    HW_SECURITY_TOKEN: TEMPORARY.securityToken,
    ...overrides,
  });

  it('sends X-Security-Token and signs it (the emulator checks both)', async () => {
    const run = await runHandler(['associate'], temporaryEnv());

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(seen(emu)).toEqual(['POST 204']);
  });

  it('reads HUAWEICLOUD_SDK_SECURITY_TOKEN too', async () => {
    const run = await runHandler(['associate'], temporaryEnv({ HW_SECURITY_TOKEN: undefined, HUAWEICLOUD_SDK_SECURITY_TOKEN: TEMPORARY.securityToken }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(seen(emu)).toEqual(['POST 204']);
  });

  it("without the token, fails with exit 4 and the API's reason", async () => {
    const run = await runHandler(['associate'], temporaryEnv({ HW_SECURITY_TOKEN: undefined }));

    expect(run.code).toBe(EXIT_CODES.authFailed);
    expect(seen(emu)).toEqual(['POST 401']);
    expect(run.stderr).toContain('X-Security-Token is missing');
  });

  it('with a stale token, fails with exit 4 and says the token may have expired', async () => {
    const run = await runHandler(['associate'], temporaryEnv({ HW_SECURITY_TOKEN: STALE_TOKEN }));

    expect(run.code).toBe(EXIT_CODES.authFailed);
    expect(seen(emu)).toEqual(['POST 401']);
    expect(run.stderr).toContain('a temporary security token may have expired');
  });
});

itNeverPrintsCredentials([WRONG_SECRET, WRONG_ACCESS_KEY, TEMPORARY.accessKey, TEMPORARY.secretKey, TEMPORARY.securityToken, STALE_TOKEN]);
