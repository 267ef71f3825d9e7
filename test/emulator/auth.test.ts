import { answer, signedFetch, SignedRequest } from './signed-fetch';
import { DEMO_CREDENTIALS, DEMO_PROJECT_ID, FpgaApiEmulator } from '../../src/emulator/server';
import { associationPath } from '../../src/rules';

const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const IMAGE_ID = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
const TEMPORARY = { accessKey: 'TEMPORARYACCESSKEY01', secretKey: 'temporary-secret', securityToken: 'token-value-that-must-stay-private' };
const OTHER = { accessKey: 'OTHERACCESSKEY000001', secretKey: 'other-secret-never-echoed' };

let emulator: FpgaApiEmulator;

beforeAll(async () => {
  emulator = await FpgaApiEmulator.start({ credentials: [DEMO_CREDENTIALS, OTHER, TEMPORARY] });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

function associate(overrides: Partial<SignedRequest> = {}) {
  return signedFetch(emulator.url, {
    method: 'POST',
    path: associationPath(DEMO_PROJECT_ID, FPGA_IMAGE_ID),
    body: { image: { id: IMAGE_ID } },
    ...overrides,
  });
}

async function expectRejected(overrides: Partial<SignedRequest>, reason: string | RegExp) {
  const result = await associate(overrides);
  expect(result.status).toBe(401);
  expect(result.json).toEqual({
    error_code: 'APIGW.0301',
    error_msg: expect.stringMatching(/^Incorrect IAM authentication information: /),
    request_id: result.headers.get('x-request-id'),
  });
  expect(result.json.error_msg).toMatch(reason);
  expect(emulator.relations()).toEqual([]);
  return result;
}

describe('accepted', () => {
  test('a request signed with a known credential creates the relation', async () => {
    expect((await associate()).status).toBe(204);
    expect(emulator.relations()).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
  });

  test('any of several credentials, and extra signed headers such as X-Project-Id', async () => {
    const result = await associate({ credentials: OTHER, signedHeaders: { 'x-project-id': DEMO_PROJECT_ID } });
    expect(result.status).toBe(204);
  });

  test('the signature covers the exact bytes received, not a re-serialisation', async () => {
    const body = `{ "image" : { "id" : "${IMAGE_ID}" } }\n`;
    expect((await associate({ body })).status).toBe(204);
  });

  test('headers outside SignedHeaders may change freely', async () => {
    const result = await associate({ unsignedHeaders: { 'user-agent': 'changed-after-signing' } });
    expect(result.status).toBe(204);
  });

  test('X-Sdk-Date just inside the 15 minute window', async () => {
    expect((await associate({ date: new Date(Date.now() - 14 * 60_000) })).status).toBe(204);
  });

  test('a temporary credential with its security token signed', async () => {
    const result = await associate({ credentials: TEMPORARY, signedHeaders: { 'x-security-token': TEMPORARY.securityToken } });
    expect(result.status).toBe(204);
  });
});

describe('rejected with 401 APIGW.0301', () => {
  test('wrong secret key', async () => {
    const result = await expectRejected({ credentials: { ...DEMO_CREDENTIALS, secretKey: 'wrong' } }, /signature mismatch/);
    expect(result.text).not.toContain(DEMO_CREDENTIALS.secretKey);
  });

  test('unknown access key', async () => {
    await expectRejected({ credentials: { accessKey: 'NOBODY', secretKey: 'x' } }, /unknown access key "NOBODY"/);
  });

  test('body changed after signing', async () => {
    const tampered = JSON.stringify({ image: { id: 'aaaaaaaa-e058-4c52-a49c-9e3ba4d1c8de' } });
    await expectRejected({ sentBody: tampered }, /signature mismatch.*over a 55-byte body/);
  });

  test('a signed header changed after signing', async () => {
    await expectRejected({ unsignedHeaders: { 'content-type': 'text/plain' } }, /signature mismatch/);
  });

  test('host or x-sdk-date left out of SignedHeaders', async () => {
    await expectRejected({ leaveUnsigned: ['host'] }, /SignedHeaders must include host and x-sdk-date \(got content-type;x-sdk-date\)/);
    await expectRejected(
      { editAuthorization: (value) => value.replace('SignedHeaders=content-type;host;x-sdk-date', 'SignedHeaders=content-type;host') },
      /SignedHeaders must include host and x-sdk-date \(got content-type;host\)/,
    );
  });

  test('a header listed in SignedHeaders but not sent', async () => {
    await expectRejected({ signedHeaders: { 'x-project-id': DEMO_PROJECT_ID }, omitHeaders: ['x-project-id'] }, /signed header x-project-id is missing/);
  });

  test('no Authorization header, or a malformed one', async () => {
    const url = `${emulator.url}${associationPath(DEMO_PROJECT_ID, FPGA_IMAGE_ID)}`;
    const body = JSON.stringify({ image: { id: IMAGE_ID } });
    const missing = await answer(await fetch(url, { method: 'POST', body }));
    expect(missing.status).toBe(401);
    expect(missing.json.error_msg).toMatch(/Authorization header is missing/);
    const malformed = await answer(await fetch(url, { method: 'POST', body, headers: { authorization: 'Bearer abc' } }));
    expect(malformed.status).toBe(401);
    expect(malformed.json.error_msg).toMatch(/Authorization header is malformed/);
  });

  test('X-Sdk-Date missing, unparseable, or more than 15 minutes off: "request expired"', async () => {
    await expectRejected({ omitHeaders: ['x-sdk-date'] }, /request expired: the X-Sdk-Date header is missing/);
    await expectRejected({ signedHeaders: { 'x-sdk-date': '2024-01-01T00:00:00Z' } }, /request expired: X-Sdk-Date "2024-01-01T00:00:00Z" is not of the form/);
    await expectRejected({ date: new Date(Date.now() - 16 * 60_000) }, /request expired: X-Sdk-Date \d{8}T\d{6}Z is 9\d\d s away/);
    await expectRejected({ date: new Date(Date.now() + 16 * 60_000) }, /request expired/);
  });

  test('the skew window follows the emulator clock, not the real one', async () => {
    emulator.setClockOffset(30 * 60_000);
    await expectRejected({}, /request expired/);
    expect((await associate({ date: new Date(Date.now() + 30 * 60_000) })).status).toBe(204);
  });

  test('a temporary credential without its token, with it unsigned, or with the wrong one', async () => {
    await expectRejected({ credentials: TEMPORARY }, /X-Security-Token is missing/);
    await expectRejected(
      { credentials: TEMPORARY, unsignedHeaders: { 'x-security-token': TEMPORARY.securityToken } },
      /X-Security-Token must be listed in SignedHeaders/,
    );
    const wrong = await expectRejected(
      { credentials: TEMPORARY, signedHeaders: { 'x-security-token': 'another-token' } },
      /X-Security-Token does not belong to this access key/,
    );
    expect(wrong.text).not.toContain(TEMPORARY.securityToken);
    expect(wrong.text).not.toContain(TEMPORARY.secretKey);
  });
});

test('a smaller maxClockSkewMs is honoured', async () => {
  const strict = await FpgaApiEmulator.start({ maxClockSkewMs: 1_000 });
  try {
    const result = await signedFetch(strict.url, {
      method: 'POST',
      path: associationPath(DEMO_PROJECT_ID, FPGA_IMAGE_ID),
      body: { image: { id: IMAGE_ID } },
      date: new Date(Date.now() - 5_000),
    });
    expect(result.status).toBe(401);
    expect(result.json.error_msg).toMatch(/at most 1 s is allowed/);
  } finally {
    await strict.stop();
  }
});
