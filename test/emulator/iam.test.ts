import { answer, signedFetch, SignedRequest } from './signed-fetch';
import { ASSUME_ROLE_DURATION } from '../../src/contract';
import { DEMO_AGENCY, DEMO_CREDENTIALS, DEMO_PROJECT_ID, DEMO_REGION, FpgaApiEmulator } from '../../src/emulator/server';
import { associationsQueryPath } from '../../src/rules';

const OTHER = { accessKey: 'OTHERACCESSKEY000001', secretKey: 'other-secret-never-echoed' };
const PROJECT_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const SECURITY_TOKENS = '/v3.0/OS-CREDENTIAL/securitytokens';

let emulator: FpgaApiEmulator;

beforeAll(async () => {
  emulator = await FpgaApiEmulator.start({ credentials: [DEMO_CREDENTIALS, OTHER] });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

const projects = (query: string, overrides: Partial<SignedRequest> = {}) =>
  signedFetch(emulator.url, { method: 'GET', path: `/v3/projects${query}`, ...overrides });

function assumeRoleBody(assumeRole: object = {}) {
  return { auth: { identity: { methods: ['assume_role'], assume_role: { agency_name: DEMO_AGENCY.agencyName, domain_name: DEMO_AGENCY.domainName, ...assumeRole } } } };
}

const assumeRole = (body: string | object = assumeRoleBody(), overrides: Partial<SignedRequest> = {}) =>
  signedFetch(emulator.url, { method: 'POST', path: SECURITY_TOKENS, body, ...overrides });

const withToken = (credential: { access: string; secret: string; securitytoken: string }): Partial<SignedRequest> => ({
  credentials: { accessKey: credential.access, secretKey: credential.secret },
  signedHeaders: { 'x-security-token': credential.securitytoken },
});

describe('GET /v3/projects', () => {
  test('by default the region DEMO_REGION names the one project, shaped as IAM lists it', async () => {
    const result = await projects(`?name=${DEMO_REGION}`);
    expect(result.status).toBe(200);
    expect(result.json).toEqual({
      projects: [
        {
          id: DEMO_PROJECT_ID,
          name: 'cn-north-1',
          domain_id: DEMO_AGENCY.domainId,
          parent_id: DEMO_AGENCY.domainId,
          enabled: true,
          is_domain: false,
          description: '',
          links: { self: `${emulator.url}/v3/projects/${DEMO_PROJECT_ID}` },
        },
      ],
      links: { self: `${emulator.url}/v3/projects?name=cn-north-1`, previous: null, next: null },
    });
    expect(emulator.requests()).toEqual([expect.objectContaining({ service: 'iam', method: 'GET', path: '/v3/projects?name=cn-north-1', status: 200 })]);
  });

  test('0, 1 or several projects match the name; no name lists them all; domain_id filters on the account', async () => {
    emulator.setProjects([
      { id: DEMO_PROJECT_ID, name: 'cn-east-2' },
      { id: PROJECT_B, name: 'cn-east-2' },
      { id: 'cccccccccccccccccccccccccccccccc', name: 'cn-south-1' },
    ]);
    const ids = async (query: string) => ((await projects(query)).json.projects as { id: string }[]).map((project) => project.id);
    expect(await ids('?name=cn-north-1')).toEqual([]);
    expect(await ids('?name=cn-south-1')).toEqual(['cccccccccccccccccccccccccccccccc']);
    expect(await ids('?name=cn-east-2')).toEqual([DEMO_PROJECT_ID, PROJECT_B]);
    expect(await ids('')).toHaveLength(3);
    expect(await ids(`?domain_id=${DEMO_AGENCY.domainId}&name=cn-south-1`)).toEqual(['cccccccccccccccccccccccccccccccc']);
    expect(await ids('?domain_id=ffffffffffffffffffffffffffffffff&name=cn-south-1')).toEqual([]);
  });

  test('any configured credential may ask; an unsigned or badly signed request gets the gateway 401', async () => {
    expect((await projects(`?name=${DEMO_REGION}`, { credentials: OTHER })).status).toBe(200);
    const unsigned = await answer(await fetch(`${emulator.url}/v3/projects?name=${DEMO_REGION}`));
    expect([unsigned.status, unsigned.json.error_code]).toEqual([401, 'APIGW.0301']);
    const wrongSecret = await projects(`?name=${DEMO_REGION}`, { credentials: { ...OTHER, secretKey: 'wrong' } });
    expect([wrongSecret.status, wrongSecret.json.error_msg]).toEqual([401, expect.stringMatching(/signature mismatch/)]);
    expect(wrongSecret.text).not.toContain(OTHER.secretKey);
  });
});

describe('POST /v3.0/OS-CREDENTIAL/securitytokens (assume-role)', () => {
  test('201 with a temporary credential that lives duration_seconds; it signs ECS and IAM requests with its token', async () => {
    const before = Date.now();
    const result = await assumeRole(assumeRoleBody({ duration_seconds: 3600 }));
    expect(result.status).toBe(201);
    const { credential } = result.json;
    expect(credential).toEqual({
      access: expect.stringMatching(/^[A-Z0-9]{20}$/),
      secret: expect.stringMatching(/^[\w-]{40}$/),
      securitytoken: expect.stringMatching(/^gQ[\w-]{200,}$/),
      expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
    });
    const lifetime = Date.parse(credential.expires_at) - before;
    expect(lifetime).toBeGreaterThanOrEqual(3_600_000 - 1_000);
    expect(lifetime).toBeLessThanOrEqual(3_600_000 + 5_000);

    const ecs = await signedFetch(emulator.url, { method: 'GET', path: `${associationsQueryPath(DEMO_PROJECT_ID)}?image_id=18efee75-e058-4c52-a49c-9e3ba4d1c8de`, ...withToken(credential) });
    expect(ecs.status).toBe(200);
    expect((await projects(`?name=${DEMO_REGION}`, withToken(credential))).status).toBe(200);
    const withoutToken = await projects(`?name=${DEMO_REGION}`, { credentials: { accessKey: credential.access, secretKey: credential.secret } });
    expect([withoutToken.status, withoutToken.json.error_msg]).toEqual([401, expect.stringMatching(/X-Security-Token is missing/)]);
  });

  test('by domain_id too; duration_seconds defaults to ASSUME_ROLE_DURATION.default; each call a new credential', async () => {
    const first = await assumeRole(assumeRoleBody({ domain_name: undefined, domain_id: DEMO_AGENCY.domainId }));
    const second = await assumeRole(assumeRoleBody({ domain_id: DEMO_AGENCY.domainId }));
    expect([first.status, second.status]).toEqual([201, 201]);
    const lifetime = Date.parse(first.json.credential.expires_at) - Date.now();
    expect(Math.abs(lifetime - ASSUME_ROLE_DURATION.default * 1000)).toBeLessThan(5_000);
    expect(second.json.credential.access).not.toBe(first.json.credential.access);
  });

  test('an assumed credential may assume again (it acts for the key behind it)', async () => {
    const { credential } = (await assumeRole()).json;
    const again = await assumeRole(assumeRoleBody(), withToken(credential));
    expect(again.status).toBe(201);
  });

  test.each([
    ['an unknown agency', { agency_name: 'nobody' }, /no agency "nobody" in the account with domain_name "emulator_delegating_domain"/],
    ['the wrong domain name', { domain_name: 'someone_else' }, /no agency "fpga_deployer" in the account with domain_name "someone_else"/],
    ['the wrong domain id', { domain_name: undefined, domain_id: 'ffffffffffffffffffffffffffffffff' }, /domain_id "ffffffffffffffffffffffffffffffff"/],
    ['a domain name and id that do not belong together', { domain_id: 'ffffffffffffffffffffffffffffffff' }, /do not belong together/],
  ])('403 IAM.0003 Forbidden for %s', async (_, fields, message) => {
    const result = await assumeRole(assumeRoleBody(fields));
    expect(result.status).toBe(403);
    expect(result.json).toEqual({ error: { code: 'IAM.0003', title: 'Forbidden', message: expect.stringMatching(message) } });
  });

  test('403 for a caller the agency does not trust; a trusted one still gets in', async () => {
    emulator.setAgencies([{ ...DEMO_AGENCY, trustedAccessKeys: [OTHER.accessKey] }]);
    const refused = await assumeRole();
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toBe(`the agency "fpga_deployer" of "emulator_delegating_domain" does not trust the caller (access key "${DEMO_CREDENTIALS.accessKey}")`);
    expect((await assumeRole(assumeRoleBody(), { credentials: OTHER })).status).toBe(201);
  });

  test.each([
    ['not JSON', '{"auth":', /the request body is not JSON/],
    ['no assume_role method', { auth: { identity: { methods: ['token'] } } }, /auth.identity.methods must contain "assume_role"/],
    ['no assume_role object', { auth: { identity: { methods: ['assume_role'] } } }, /auth.identity.assume_role is missing/],
    ['no agency name', assumeRoleBody({ agency_name: '' }), /agency_name must be a non-empty string/],
    ['no domain', assumeRoleBody({ domain_name: undefined }), /needs domain_name or domain_id/],
    ['a domain that is not a string', assumeRoleBody({ domain_id: 7 }), /domain_id must be a non-empty string/],
    ['a duration below 900 s', assumeRoleBody({ duration_seconds: 899 }), /duration_seconds "899" must be a whole number of seconds from 900 to 86400/],
    ['a duration above 86400 s', assumeRoleBody({ duration_seconds: 86_401 }), /duration_seconds "86401"/],
    ['a fractional duration', assumeRoleBody({ duration_seconds: 1000.5 }), /duration_seconds "1000.5"/],
  ])('400 IAM.0007 Bad Request for %s', async (_, body, message) => {
    const result = await assumeRole(body);
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: { code: 'IAM.0007', title: 'Bad Request', message: expect.stringMatching(message) } });
  });

  test('the edges of the duration are accepted', async () => {
    expect((await assumeRole(assumeRoleBody({ duration_seconds: 900 }))).status).toBe(201);
    expect((await assumeRole(assumeRoleBody({ duration_seconds: 86_400 }))).status).toBe(201);
  });

  test('unsigned: 401 from the gateway, no credential issued', async () => {
    const result = await answer(await fetch(`${emulator.url}${SECURITY_TOKENS}`, { method: 'POST', body: JSON.stringify(assumeRoleBody()) }));
    expect([result.status, result.json.error_code]).toEqual([401, 'APIGW.0301']);
  });
});

test('other IAM paths and methods get the gateway 404; rate limiting covers IAM', async () => {
  const wrongMethod = await signedFetch(emulator.url, { method: 'DELETE', path: '/v3/projects' });
  expect([wrongMethod.status, wrongMethod.json.error_code]).toEqual([404, 'APIGW.0101']);
  const other = await signedFetch(emulator.url, { method: 'GET', path: '/v3/auth/domains' });
  expect([other.status, other.json.error_code]).toEqual([404, 'APIGW.0101']);

  emulator.setRateLimit({ requestsPerSecond: 1, burst: 1 });
  expect((await projects(`?name=${DEMO_REGION}`)).status).toBe(200);
  const throttled = await projects(`?name=${DEMO_REGION}`);
  expect([throttled.status, throttled.json.error_code]).toEqual([429, 'APIGW.0308']);
  expect(emulator.requests().map((r) => [r.service, r.fault])).toEqual([
    ['iam', undefined],
    ['iam', undefined],
    ['iam', undefined],
    ['iam', 'rate-limit'],
  ]);
});

test('bad projects and agencies are refused with the field named, and leave the old ones in place', async () => {
  expect(() => emulator.setProjects([{ id: 'nope', name: 'cn-north-1' }])).toThrow(/invalid projects\[0\]\.id "nope": expected 32 lowercase hexadecimal/);
  expect(() => emulator.setProjects([{ id: PROJECT_B, name: '' }])).toThrow(/invalid projects\[0\]\.name "": expected a non-empty string/);
  expect(() => emulator.setProjects(undefined as never)).toThrow(/invalid projects: expected an array/);
  expect(() => emulator.setAgencies([{ ...DEMO_AGENCY, domainId: 'X' }])).toThrow(/invalid agencies\[0\]\.domainId "X"/);
  expect(() => emulator.setAgencies([{ ...DEMO_AGENCY, trustedAccessKeys: [''] }])).toThrow(/invalid agencies\[0\]\.trustedAccessKeys\[0\]/);
  expect(() => emulator.setAgencies([{ ...DEMO_AGENCY, trusted: [] } as never])).toThrow(/unknown key "trusted"/);
  expect((await projects(`?name=${DEMO_REGION}`)).json.projects).toHaveLength(1);
  expect((await assumeRole()).status).toBe(201);
});
