import { request } from 'node:http';
import { answer, signedFetch } from './signed-fetch';
import { CONTROL_TOKEN_HEADER } from '../../src/emulator/control-plane';
import { EmulatorControl } from '../../src/emulator/process';
import { DEMO_AGENCY, DEMO_PROJECT_ID, DEMO_REGION, FpgaApiEmulator } from '../../src/emulator/server';
import { associationPath, associationsQueryPath } from '../../src/rules';

const FPGA = '4010a32b5f231f04015f24259efd0429';
const IMAGE = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';

let emulator: FpgaApiEmulator;
let control: EmulatorControl;

beforeAll(async () => {
  emulator = await FpgaApiEmulator.start();
  control = new EmulatorControl(emulator);
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

const query = () => signedFetch(emulator.url, { method: 'GET', path: `${associationsQueryPath(DEMO_PROJECT_ID)}?image_id=${IMAGE}` });

test('state, images and relations round-trip over HTTP', async () => {
  await control.addImages({ images: [{ id: IMAGE, visibility: 'shared' }], fpgaImages: [{ id: FPGA, name: 'ocl_001' }] });
  await control.addRelations([{ fpgaImageId: FPGA, imageId: IMAGE }]);
  expect(await control.state()).toEqual({
    projectId: DEMO_PROJECT_ID,
    relations: [{ fpgaImageId: FPGA, imageId: IMAGE }],
    images: [{ id: IMAGE, visibility: 'shared' }],
    fpgaImages: [{ id: FPGA, name: 'ocl_001' }],
  });
  expect(await control.relations()).toEqual(emulator.relations());
  const blocked = await signedFetch(emulator.url, { method: 'DELETE', path: associationPath(DEMO_PROJECT_ID, FPGA), body: { image: { id: IMAGE } } });
  expect(blocked.status).toBe(400);
});

test('requests lists API requests in arrival order, never the control plane', async () => {
  await query();
  await control.state();
  await answer(await fetch(`${emulator.url}/nope`, { method: 'DELETE' }));
  expect((await control.requests()).map((r) => [r.method, r.path.split('?')[0], r.status])).toEqual([
    ['GET', associationsQueryPath(DEMO_PROJECT_ID), 200],
    ['DELETE', '/nope', 404],
  ]);
});

test('faults (Infinity sent as -1), rate limit and clock, then reset clears everything', async () => {
  await control.addFaults([{ path: '/associations', times: Infinity, status: 503 }]);
  expect((await query()).status).toBe(503);
  expect((await query()).status).toBe(503);
  await control.clearFaults();
  expect((await query()).status).toBe(200);

  await control.setRateLimit({ requestsPerSecond: 1, burst: 1 });
  expect((await query()).status).toBe(200);
  expect((await query()).status).toBe(429);
  expect((await control.state()).projectId).toBe(DEMO_PROJECT_ID);
  await control.setRateLimit(undefined);
  expect((await query()).status).toBe(200);

  await control.setClockOffset(3_600_000);
  const shifted = await query();
  expect(Date.parse(shifted.headers.get('date')!) - Date.now()).toBeGreaterThan(3_590_000);

  await control.addRelations([{ fpgaImageId: FPGA, imageId: IMAGE }]);
  await control.addFaults([{ status: 500, times: -1 }]);
  await control.setRateLimit({ requestsPerSecond: 1, burst: 1 });
  await control.reset();
  expect(await control.state()).toEqual({ projectId: DEMO_PROJECT_ID, relations: [], images: [], fpgaImages: [] });
  expect(await control.requests()).toEqual([]);
  const fresh = await query();
  expect(fresh.status).toBe(200);
  expect(Math.abs(Date.parse(fresh.headers.get('date')!) - Date.now())).toBeLessThan(5_000);
});

describe('IAM and metadata controls', () => {
  const PROJECT_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
  const projectIds = async () =>
    ((await signedFetch(emulator.url, { method: 'GET', path: `/v3/projects?name=${DEMO_REGION}` })).json.projects as { id: string }[]).map((p) => p.id);
  const assumeRole = () =>
    signedFetch(emulator.url, {
      method: 'POST',
      path: '/v3.0/OS-CREDENTIAL/securitytokens',
      body: { auth: { identity: { methods: ['assume_role'], assume_role: { agency_name: 'other_agency', domain_id: DEMO_AGENCY.domainId } } } },
    });
  const securityKey = async () => {
    const token = await answer(await fetch(`${emulator.url}/meta-data/latest/api/token`, { method: 'PUT', headers: { 'X-Metadata-Token-Ttl-Seconds': '60' } }));
    return answer(await fetch(`${emulator.url}/openstack/latest/securitykey`, { headers: token.status === 200 ? { 'X-Metadata-Token': token.text } : {} }));
  };

  test('projects, agencies, metadata and the lifetime cap over HTTP; reset restores the start settings', async () => {
    await control.setProjects([{ id: DEMO_PROJECT_ID, name: DEMO_REGION }, { id: PROJECT_B, name: DEMO_REGION }]);
    expect(await projectIds()).toEqual([DEMO_PROJECT_ID, PROJECT_B]);
    await control.setProjects([]);
    expect(await projectIds()).toEqual([]);

    expect((await assumeRole()).status).toBe(403);
    await control.setAgencies([{ ...DEMO_AGENCY, agencyName: 'other_agency' }]);
    expect((await assumeRole()).status).toBe(201);

    await control.setMetadata({ agency: false });
    expect((await securityKey()).status).toBe(404);
    await control.setMetadata({ agency: true, tokens: false, credentialTtlMs: 600_000 });
    const key = await securityKey();
    expect(key.status).toBe(200);
    expect(Math.abs(Date.parse(key.json.credential.expires_at) - Date.now() - 600_000)).toBeLessThan(5_000);

    await control.setTemporaryCredentialTtl(2_000);
    expect(Math.abs(Date.parse((await securityKey()).json.credential.expires_at) - Date.now() - 2_000)).toBeLessThan(1_000);
    await control.setTemporaryCredentialTtl(undefined);
    expect(Date.parse((await securityKey()).json.credential.expires_at) - Date.now()).toBeGreaterThan(500_000);

    await control.setMetadata({ agency: false });
    await control.setTemporaryCredentialTtl(2_000);
    await control.reset();
    expect(await projectIds()).toEqual([DEMO_PROJECT_ID]);
    expect((await assumeRole()).status).toBe(403);
    const restored = await securityKey();
    expect(restored.status).toBe(200);
    expect(Date.parse(restored.json.credential.expires_at) - Date.now()).toBeGreaterThan(3_500_000);
  });
});

test('the control plane is not subject to faults or throttling', async () => {
  emulator.addFaults([{ times: -1, action: 'reset' }]);
  emulator.setRateLimit({ requestsPerSecond: 1, burst: 1 });
  for (let i = 0; i < 3; i++) expect((await control.state()).projectId).toBe(DEMO_PROJECT_ID);
});

describe('bad control requests get a 4xx with a message saying what is wrong', () => {
  async function control4xx(method: string, route: string, body?: string) {
    const headers = { [CONTROL_TOKEN_HEADER]: emulator.controlToken, 'content-type': 'application/json' };
    const result = await answer(await fetch(`${emulator.url}/_emulator/${route}`, { method, body, headers }));
    return [result.status, result.json?.error];
  }

  test('invalid content names the field', async () => {
    expect(await control4xx('POST', 'images', '{"images":[{"id":"nope"}]}')).toEqual([400, expect.stringMatching(/^invalid images\[0\]\.id "nope": expected a lowercase UUID/)]);
    expect(await control4xx('POST', 'relations', `{"relations":[{"fpgaImageId":"${FPGA}"}]}`)).toEqual([400, expect.stringMatching(/invalid relations\[0\]\.imageId: expected a string/)]);
    expect(await control4xx('POST', 'relations', '[]')).toEqual([400, expect.stringMatching(/invalid body: expected a JSON object with relations/)]);
    expect(await control4xx('POST', 'faults', '{"faults":[{"action":"respond"}]}')).toEqual([400, expect.stringMatching(/fault rule #0: action "respond" needs a status/)]);
    expect(await control4xx('PUT', 'rate-limit', '{"requestsPerSecond":-1}')).toEqual([400, expect.stringMatching(/requestsPerSecond/)]);
    expect(await control4xx('PUT', 'clock', '{"offset":5}')).toEqual([400, expect.stringMatching(/unknown key "offset"/)]);
    expect(await control4xx('POST', 'images', '{"images":')).toEqual([400, 'the body of POST /_emulator/images is not JSON']);
    expect(await control4xx('PUT', 'projects', '{"projects":[{"id":"x","name":"cn-north-1"}]}')).toEqual([400, expect.stringMatching(/^invalid projects\[0\]\.id "x"/)]);
    expect(await control4xx('PUT', 'projects', '{}')).toEqual([400, 'invalid projects: expected an array (possibly empty)']);
    expect(await control4xx('PUT', 'agencies', '{"agencies":[{"agencyName":"a","domainName":"d"}]}')).toEqual([400, expect.stringMatching(/^invalid agencies\[0\]\.domainId "undefined"/)]);
    expect(await control4xx('PUT', 'metadata', '{"tokens":"off"}')).toEqual([400, expect.stringMatching(/^invalid metadata\.tokens "off": expected true or false/)]);
    expect(await control4xx('PUT', 'metadata', '{"agencyName":"x"}')).toEqual([400, expect.stringMatching(/unknown key "agencyName"/)]);
    expect(await control4xx('PUT', 'temporary-credentials', '{}')).toEqual([400, expect.stringMatching(/expected \{"ttlMs": <milliseconds>\}/)]);
    expect(await control4xx('PUT', 'temporary-credentials', '{"ttlMs":-1}')).toEqual([400, expect.stringMatching(/ttlMs "-1"/)]);
    expect(emulator.state().images).toEqual([]);
  });

  test('unknown routes and methods list what exists', async () => {
    expect(await control4xx('GET', 'nope')).toEqual([404, expect.stringMatching(/unknown control route \/_emulator\/nope; the control plane has: GET \/_emulator\/state, /)]);
    expect(await control4xx('GET', 'faults')).toEqual([405, expect.stringMatching(/^GET is not supported on \/_emulator\/faults/)]);
  });

  test('EmulatorControl turns a refusal into an Error with the message', async () => {
    await expect(control.addImages({ images: [{ id: 'nope' }] })).rejects.toThrow(/failed with 400: .*invalid images\[0\]\.id/);
  });
});

test('addRelations never builds a state the API forbids: at most 10 FPGA images per ECS image', () => {
  const tooMany = Array.from({ length: 11 }, (_, n) => ({ fpgaImageId: n.toString(16).padStart(32, '0'), imageId: IMAGE }));
  expect(() => emulator.addRelations(tooMany)).toThrow(/invalid relations\[10\]: image .* would have more than 10 FPGA images/);
  expect(emulator.relations()).toEqual([]);
});

describe('only programs on this machine that hold the control token: never a web page', () => {
  /** A raw request, so that Host and Origin are exactly what a browser (or a rebound DNS name) would send. */
  function raw(method: string, route: string, headers: Record<string, string>, body?: string): Promise<{ status: number; error: string }> {
    return new Promise((resolve, reject) => {
      const req = request(`${emulator.url}/_emulator/${route}`, { method, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, error: text && JSON.parse(text).error }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  const token = () => ({ [CONTROL_TOKEN_HEADER]: emulator.controlToken });
  const json = { 'content-type': 'application/json' };
  const fault = JSON.stringify({ faults: [{ status: 500, times: -1 }] });

  test('a token-holding client on loopback drives it, with any loopback Host', async () => {
    const port = new URL(emulator.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, '127.0.0.2']) {
      expect(await raw('GET', 'state', { ...token(), host })).toEqual({ status: 200, error: undefined });
    }
    expect((await raw('POST', 'faults', { ...token(), 'content-type': 'application/json; charset=utf-8' }, fault)).status).toBe(204);
    expect((await query()).status).toBe(500);
  });

  const withToken = (headers: Record<string, string>) => () => ({ ...token(), ...json, ...headers });
  test.each([
    ['no token', () => json, 401, /^missing or wrong x-emulator-control-token: send the controlToken of the emulator's ready line/],
    ['a wrong token', () => ({ ...json, [CONTROL_TOKEN_HEADER]: 'f'.repeat(48) }), 401, /^missing or wrong/],
    ['an Origin header', withToken({ origin: 'http://127.0.0.1:8000' }), 403, /^a request with an Origin header \("http:\/\/127\.0\.0\.1:8000"\) comes from a web page/],
    ['a foreign Host (DNS rebinding)', withToken({ host: 'rebound.example.com:80' }), 403, /^Host "rebound\.example\.com:80" is not a loopback host/],
    ['text/plain (a form or a simple fetch)', withToken({ 'content-type': 'text/plain' }), 415, /^a body must be sent as Content-Type: application\/json \(got "text\/plain"\)/],
  ])('%s is refused, and nothing changes', async (_, headers, status, error) => {
    expect(await raw('POST', 'faults', headers(), fault)).toEqual({ status, error: expect.stringMatching(error) });
    expect((await query()).status).toBe(200);
  });

  test('the API keeps working for signed clients, whatever their Origin', async () => {
    const path = `${associationsQueryPath(DEMO_PROJECT_ID)}?image_id=${IMAGE}`;
    const signed = await signedFetch(emulator.url, { method: 'GET', path, unsignedHeaders: { origin: 'http://example.com' } });
    expect(signed.status).toBe(200);
  });
});
