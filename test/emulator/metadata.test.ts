import { answer, signedFetch } from './signed-fetch';
import { DEMO_PROJECT_ID, FpgaApiEmulator, NO_AGENCY_MESSAGE } from '../../src/emulator/server';
import { associationsQueryPath } from '../../src/rules';

const TOKEN_PATH = '/meta-data/latest/api/token';
const SECURITY_KEY_PATH = '/openstack/latest/securitykey';
const HOUR_MS = 3_600_000;

let emulator: FpgaApiEmulator;

beforeAll(async () => {
  emulator = await FpgaApiEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

/** null sends no TTL header. */
async function sessionToken(ttlSeconds: string | null = '21600') {
  const headers: Record<string, string> = ttlSeconds === null ? {} : { 'X-Metadata-Token-Ttl-Seconds': ttlSeconds };
  return answer(await fetch(`${emulator.url}${TOKEN_PATH}`, { method: 'PUT', headers }));
}

async function securityKey(token?: string) {
  return answer(await fetch(`${emulator.url}${SECURITY_KEY_PATH}`, { headers: token === undefined ? {} : { 'X-Metadata-Token': token } }));
}

/** The Go SDK's sequence: a session token, then the security key with it. */
async function credential() {
  const key = await securityKey((await sessionToken()).text);
  expect(key.status).toBe(200);
  return key.json.credential as { access: string; secret: string; securitytoken: string; expires_at: string };
}

test('a session token, then the security key with it: 200 with a credential that lives 1 hour; both requests unsigned', async () => {
  const token = await sessionToken();
  expect([token.status, token.headers.get('content-type')]).toEqual([200, 'text/plain; charset=utf-8']);
  expect(token.text).toMatch(/^[\w-]{43}$/);
  const before = Date.now();
  const key = await securityKey(token.text);
  expect(key.status).toBe(200);
  expect(key.json).toEqual({
    credential: {
      access: expect.stringMatching(/^[A-Z0-9]{20}$/),
      secret: expect.stringMatching(/^[\w-]{40}$/),
      securitytoken: expect.any(String),
      expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
    },
  });
  expect(Math.abs(Date.parse(key.json.credential.expires_at) - before - HOUR_MS)).toBeLessThan(5_000);
  expect(emulator.requests().map((r) => [r.service, r.method, r.path, r.status])).toEqual([
    ['metadata', 'PUT', TOKEN_PATH, 200],
    ['metadata', 'GET', SECURITY_KEY_PATH, 200],
  ]);
});

test('the credential signs ECS requests with its security token, and only with it', async () => {
  const { access, secret, securitytoken } = await credential();
  const path = `${associationsQueryPath(DEMO_PROJECT_ID)}?image_id=18efee75-e058-4c52-a49c-9e3ba4d1c8de`;
  const credentials = { accessKey: access, secretKey: secret };
  expect((await signedFetch(emulator.url, { method: 'GET', path, credentials, signedHeaders: { 'x-security-token': securitytoken } })).status).toBe(200);
  const without = await signedFetch(emulator.url, { method: 'GET', path, credentials });
  expect([without.status, without.json.error_msg]).toEqual([401, expect.stringMatching(/X-Security-Token is missing/)]);
  const unsigned = await signedFetch(emulator.url, { method: 'GET', path, credentials, unsignedHeaders: { 'x-security-token': securitytoken } });
  expect([unsigned.status, unsigned.json.error_msg]).toEqual([401, expect.stringMatching(/X-Security-Token must be listed in SignedHeaders/)]);
});

describe('session tokens', () => {
  test('securitykey without a token, or with an unknown one: 401, and no credential', async () => {
    const missing = await securityKey();
    expect([missing.status, missing.text]).toEqual([401, expect.stringMatching(/X-Metadata-Token is missing/)]);
    const unknown = await securityKey('not-a-token');
    expect([unknown.status, unknown.text]).toEqual([401, expect.stringMatching(/X-Metadata-Token is unknown or expired/)]);
    expect(missing.text + unknown.text).not.toMatch(/credential/);
  });

  test('a token expires after its TTL on the emulator clock', async () => {
    const token = (await sessionToken('60')).text;
    expect((await securityKey(token)).status).toBe(200);
    emulator.setClockOffset(61_000);
    expect((await securityKey(token)).status).toBe(401);
    expect((await securityKey((await sessionToken('60')).text)).status).toBe(200);
  });

  test.each([[null], ['0'], ['21601'], ['abc'], ['-5'], ['1.5']])('X-Metadata-Token-Ttl-Seconds %p: 400', async (ttl) => {
    const result = await sessionToken(ttl);
    expect([result.status, result.text]).toEqual([400, expect.stringMatching(/must be a whole number of seconds from 1 to 21600/)]);
  });

  test('with tokens off, PUT token answers 404 and securitykey needs none (a sent one is ignored)', async () => {
    emulator.setMetadata({ tokens: false });
    expect((await sessionToken()).status).toBe(404);
    expect((await securityKey()).status).toBe(200);
    expect((await securityKey('whatever')).status).toBe(200);
  });
});

describe('no agency', () => {
  test('securitykey answers 404 with the text the Go SDK looks for; the token still works', async () => {
    emulator.setMetadata({ agency: false });
    const token = await sessionToken();
    expect(token.status).toBe(200);
    const key = await securityKey(token.text);
    expect([key.status, key.text]).toEqual([404, NO_AGENCY_MESSAGE]);
    expect(NO_AGENCY_MESSAGE).toBe('Please configure Cloud Service Agency first');
  });

  test('a session token is still needed first: without one, 401', async () => {
    emulator.setMetadata({ agency: false });
    expect((await securityKey()).status).toBe(401);
  });
});

describe('rotation', () => {
  test('the same credential until a quarter of its life is left, then a new one', async () => {
    const token = (await sessionToken()).text;
    const first = (await securityKey(token)).json.credential;
    emulator.setClockOffset(0.74 * HOUR_MS);
    expect((await securityKey(token)).json.credential).toEqual(first);
    emulator.setClockOffset(0.76 * HOUR_MS);
    const second = (await securityKey(token)).json.credential;
    expect(second.access).not.toBe(first.access);
    expect(Date.parse(second.expires_at)).toBeGreaterThan(Date.parse(first.expires_at));
  });

  test('credentialTtlMs sets the life; a settings change hands out a new credential', async () => {
    const first = await credential();
    emulator.setMetadata({ credentialTtlMs: 600_000 });
    const second = await credential();
    expect(second.access).not.toBe(first.access);
    expect(Math.abs(Date.parse(second.expires_at) - Date.now() - 600_000)).toBeLessThan(5_000);
  });
});

test('unsigned and never throttled; other paths 404 and other methods 405, from the metadata service itself', async () => {
  emulator.setRateLimit({ requestsPerSecond: 1, burst: 1 });
  for (let i = 0; i < 3; i++) expect((await sessionToken()).status).toBe(200);
  const other = await answer(await fetch(`${emulator.url}/openstack/latest/meta_data.json`));
  expect([other.status, other.headers.get('content-type')]).toEqual([404, 'text/plain; charset=utf-8']);
  const post = await answer(await fetch(`${emulator.url}${SECURITY_KEY_PATH}`, { method: 'POST' }));
  expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET']);
  const getToken = await answer(await fetch(`${emulator.url}${TOKEN_PATH}`));
  expect([getToken.status, getToken.headers.get('allow')]).toEqual([405, 'PUT']);
  expect(emulator.requests().every((r) => r.service === 'metadata' && r.fault === undefined)).toBe(true);
});

test('bad settings are refused with the field named', () => {
  expect(() => emulator.setMetadata({ agency: 'no' as never })).toThrow(/invalid metadata.agency "no": expected true or false/);
  expect(() => emulator.setMetadata({ credentialTtlMs: 0 })).toThrow(/invalid metadata.credentialTtlMs "0": expected a whole number of milliseconds >= 1/);
  expect(() => emulator.setMetadata({ agencies: true } as never)).toThrow(/unknown key "agencies"/);
});

test('in-process options: metadata settings at start', async () => {
  const own = await FpgaApiEmulator.start({ metadata: { agency: false, tokens: false } });
  try {
    const key = await answer(await fetch(`${own.url}${SECURITY_KEY_PATH}`));
    expect([key.status, key.text]).toEqual([404, NO_AGENCY_MESSAGE]);
    own.reset();
    expect((await answer(await fetch(`${own.url}${SECURITY_KEY_PATH}`))).status).toBe(404);
  } finally {
    await own.stop();
  }
  await expect(FpgaApiEmulator.start({ metadata: { credentialTtlMs: -1 } })).rejects.toThrow(/invalid EmulatorOptions.metadata.credentialTtlMs "-1"/);
});
