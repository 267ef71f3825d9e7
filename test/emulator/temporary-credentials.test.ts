import { answer, signedFetch, SignedRequest } from './signed-fetch';
import { DEMO_AGENCY, DEMO_CREDENTIALS, DEMO_PROJECT_ID, DEMO_REGION, FpgaApiEmulator } from '../../src/emulator/server';
import { associationPath } from '../../src/rules';

/** Temporary credentials, from either service, as the gateway treats them on ECS and IAM calls. */

const FPGA = '4010a32b5f231f04015f24259efd0429';
const IMAGE = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
const OTHER = { accessKey: 'OTHERACCESSKEY000001', secretKey: 'other-secret-never-echoed' };

interface Credential {
  readonly access: string;
  readonly secret: string;
  readonly securitytoken: string;
  readonly expires_at: string;
}

let emulator: FpgaApiEmulator;

beforeAll(async () => {
  emulator = await FpgaApiEmulator.start({ credentials: [DEMO_CREDENTIALS, OTHER] });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

const signedWith = (credential: Credential): Partial<SignedRequest> => ({
  credentials: { accessKey: credential.access, secretKey: credential.secret },
  signedHeaders: { 'x-security-token': credential.securitytoken },
});

async function fromMetadata(url = emulator.url): Promise<Credential> {
  const token = await answer(await fetch(`${url}/meta-data/latest/api/token`, { method: 'PUT', headers: { 'X-Metadata-Token-Ttl-Seconds': '21600' } }));
  const key = await answer(await fetch(`${url}/openstack/latest/securitykey`, { headers: { 'X-Metadata-Token': token.text } }));
  expect(key.status).toBe(200);
  return key.json.credential;
}

async function assumed(overrides: Partial<SignedRequest> = {}, durationSeconds = 900, url = emulator.url): Promise<Credential> {
  const body = {
    auth: {
      identity: {
        methods: ['assume_role'],
        assume_role: { agency_name: DEMO_AGENCY.agencyName, domain_name: DEMO_AGENCY.domainName, duration_seconds: durationSeconds },
      },
    },
  };
  const result = await signedFetch(url, { method: 'POST', path: '/v3.0/OS-CREDENTIAL/securitytokens', body, ...overrides });
  expect(result.status).toBe(201);
  return result.json.credential;
}

const associate = (overrides: Partial<SignedRequest>, url = emulator.url) =>
  signedFetch(url, { method: 'POST', path: associationPath(DEMO_PROJECT_ID, FPGA), body: { image: { id: IMAGE } }, ...overrides });
const listProjects = (overrides: Partial<SignedRequest>) => signedFetch(emulator.url, { method: 'GET', path: `/v3/projects?name=${DEMO_REGION}`, ...overrides });

/** Moves the emulator's clock to `ms` after the credential's expires_at; the request's X-Sdk-Date follows, so only the token is stale. */
function jumpPast(credential: Credential, ms: number): Date {
  const target = Date.parse(credential.expires_at) + ms;
  emulator.setClockOffset(target - Date.now());
  return new Date(target);
}

describe.each([
  ['the metadata service', () => fromMetadata()],
  ['assume-role', () => assumed()],
])('a credential from %s', (_, obtain) => {
  test('is accepted by ECS and IAM until expires_at on the emulator clock, then refused with 401 "security token expired"', async () => {
    const credential = await obtain();
    expect((await associate(signedWith(credential))).status).toBe(204);
    expect((await listProjects(signedWith(credential))).status).toBe(200);

    const justBefore = jumpPast(credential, -2_000);
    expect((await listProjects({ ...signedWith(credential), date: justBefore })).status).toBe(200);

    const after = jumpPast(credential, 1_000);
    const late = { ...signedWith(credential), date: after };
    for (const result of [await associate(late), await listProjects(late)]) {
      expect(result.status).toBe(401);
      expect(result.json).toEqual({
        error_code: 'APIGW.0301',
        error_msg: expect.stringMatching(/^Incorrect IAM authentication information: the security token expired at \S+Z \(server clock \S+Z\); obtain new/),
        request_id: expect.any(String),
      });
      expect(result.text).not.toContain(credential.securitytoken);
      expect(result.text).not.toContain(credential.secret);
    }
  });

  test('needs its own token, signed', async () => {
    const credential = await obtain();
    const other = await assumed();
    const wrong = await associate({ ...signedWith(credential), signedHeaders: { 'x-security-token': other.securitytoken } });
    expect([wrong.status, wrong.json.error_msg]).toEqual([401, expect.stringMatching(/X-Security-Token does not belong to this access key/)]);
    const unsigned = await associate({ ...signedWith(credential), signedHeaders: {}, unsignedHeaders: { 'x-security-token': credential.securitytoken } });
    expect([unsigned.status, unsigned.json.error_msg]).toEqual([401, expect.stringMatching(/must be listed in SignedHeaders/)]);
    expect(emulator.relations()).toEqual([]);
  });
});

test('metadata credentials may assume the default agency, which trusts every caller', async () => {
  const base = await fromMetadata();
  const credential = await assumed(signedWith(base));
  expect((await associate(signedWith(credential))).status).toBe(204);
});

test('an agency with a trust list refuses metadata credentials and keys it does not list, but trusts what its keys assumed', async () => {
  emulator.setAgencies([{ ...DEMO_AGENCY, trustedAccessKeys: [OTHER.accessKey] }]);
  const assumeStatus = async (overrides: Partial<SignedRequest>) => {
    const result = await signedFetch(emulator.url, {
      method: 'POST',
      path: '/v3.0/OS-CREDENTIAL/securitytokens',
      body: { auth: { identity: { methods: ['assume_role'], assume_role: { agency_name: DEMO_AGENCY.agencyName, domain_id: DEMO_AGENCY.domainId } } } },
      ...overrides,
    });
    return result.status;
  };
  expect(await assumeStatus(signedWith(await fromMetadata()))).toBe(403);
  expect(await assumeStatus({})).toBe(403);
  const chained = await assumed(signedWith(await assumed({ credentials: OTHER })));
  expect(chained.access).toMatch(/^[A-Z0-9]{20}$/);
});

describe('the lifetime cap (temporaryCredentialTtlMs)', () => {
  test('caps assume-role and metadata credentials issued after it is set; null removes it', async () => {
    emulator.setTemporaryCredentialTtl(5_000);
    for (const credential of [await assumed({}, 3_600), await fromMetadata()]) {
      expect(Math.abs(Date.parse(credential.expires_at) - Date.now() - 5_000)).toBeLessThan(2_000);
    }
    emulator.setTemporaryCredentialTtl(undefined);
    expect(Date.parse((await assumed({}, 3_600)).expires_at) - Date.now()).toBeGreaterThan(3_500_000);
    expect(() => emulator.setTemporaryCredentialTtl(0)).toThrow(/invalid temporary credential ttlMs "0": expected a whole number of milliseconds >= 1/);
  });

  test('a short cap lets a credential expire in real time', async () => {
    const own = await FpgaApiEmulator.start({ temporaryCredentialTtlMs: 300 });
    try {
      const credential = await fromMetadata(own.url);
      expect((await associate(signedWith(credential), own.url)).status).toBe(204);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const late = await associate(signedWith(credential), own.url);
      expect([late.status, late.json.error_msg]).toEqual([401, expect.stringMatching(/security token expired/)]);
      // Past the last quarter of its life, the metadata service hands out a fresh one.
      const fresh = await fromMetadata(own.url);
      expect(fresh.access).not.toBe(credential.access);
    } finally {
      await own.stop();
    }
    await expect(FpgaApiEmulator.start({ temporaryCredentialTtlMs: 1.5 })).rejects.toThrow(/invalid EmulatorOptions.temporaryCredentialTtlMs "1.5"/);
  });
});

test('reset forgets every temporary credential: they are unknown from then on', async () => {
  const credential = await assumed();
  emulator.reset();
  const result = await associate(signedWith(credential));
  expect([result.status, result.json.error_msg]).toEqual([401, expect.stringMatching(/unknown access key/)]);
});
