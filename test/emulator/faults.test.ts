import { answer, signedFetch } from './signed-fetch';
import { DEMO_PROJECT_ID, FpgaApiEmulator } from '../../src/emulator/server';
import { associationPath, associationsQueryPath } from '../../src/rules';

const FPGA = '4010a32b5f231f04015f24259efd0429';
const IMAGE = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';

let emulator: FpgaApiEmulator;

beforeAll(async () => {
  emulator = await FpgaApiEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

const associate = (url = emulator.url) =>
  signedFetch(url, { method: 'POST', path: associationPath(DEMO_PROJECT_ID, FPGA), body: { image: { id: IMAGE } } });
const query = () => signedFetch(emulator.url, { method: 'GET', path: `${associationsQueryPath(DEMO_PROJECT_ID)}?image_id=${IMAGE}` });

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

describe('respond', () => {
  test('a scripted sequence: times, raw and JSON bodies, extra headers; then normal service', async () => {
    const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
    emulator.addFaults([
      { method: 'POST', path: '/association', times: 2, status: 502, body: html, headers: { 'Content-Type': 'text/html' } },
      { method: 'post', path: '/association', status: 429, body: { error_code: 'APIGW.0308', error_msg: 'busy' }, headers: { 'Retry-After': '2' } },
    ]);
    const first = await associate();
    expect([first.status, first.text, first.headers.get('content-type')]).toEqual([502, html, 'text/html']);
    expect(first.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect((await associate()).status).toBe(502);
    const third = await associate();
    expect([third.status, third.json, third.headers.get('retry-after')]).toEqual([429, { error_code: 'APIGW.0308', error_msg: 'busy' }, '2']);
    expect((await associate()).status).toBe(204);
    expect(emulator.requests().map((r) => [r.status, r.fault])).toEqual([
      [502, 'respond'],
      [502, 'respond'],
      [429, 'respond'],
      [204, undefined],
    ]);
  });

  test('faults come before authentication, and match on method and path', async () => {
    emulator.addFaults([{ method: 'DELETE', status: 503 }, { path: 'fpga_image_id=', status: 500 }]);
    const unsignedDelete = await answer(await fetch(`${emulator.url}${associationPath(DEMO_PROJECT_ID, FPGA)}`, { method: 'DELETE' }));
    expect(unsignedDelete.status).toBe(503);
    expect((await associate()).status).toBe(204);
    expect((await query()).status).toBe(200);
    const byQuery = await signedFetch(emulator.url, { method: 'GET', path: `${associationsQueryPath(DEMO_PROJECT_ID)}?fpga_image_id=${FPGA}` });
    expect(byQuery.status).toBe(500);
  });

  test('times -1 (or Infinity) applies to every match until cleared', async () => {
    emulator.addFaults([{ path: '/associations', times: -1, status: 503 }]);
    for (let i = 0; i < 3; i++) expect((await query()).status).toBe(503);
    emulator.clearFaults();
    emulator.addFaults([{ path: '/associations', times: Infinity, status: 504 }]);
    for (let i = 0; i < 3; i++) expect((await query()).status).toBe(504);
    emulator.clearFaults();
    expect((await query()).status).toBe(200);
  });

  test('a bad rule is refused with the field named, and nothing of its batch is added', async () => {
    expect(() => emulator.addFaults([{ status: 503 }, { action: 'explode' as any }])).toThrow(/fault rule #1: action "explode" must be one of/);
    expect(() => emulator.addFaults([{ action: 'respond' }])).toThrow(/action "respond" needs a status/);
    expect(() => emulator.addFaults([{ action: 'delay' }])).toThrow(/action "delay" needs delayMs/);
    expect(() => emulator.addFaults([{ status: 503, times: 0 }])).toThrow(/times "0" must be a positive integer/);
    expect(() => emulator.addFaults([{ status: 503, headers: { 'Bad Name': 'x' } }])).toThrow(/header "Bad Name"/);
    expect(() => emulator.addFaults([{ action: 'reset', status: 503 }])).toThrow(/apply only to action "respond"/);
    expect(() => emulator.addFaults([{ status: 503, delay: 5 } as any])).toThrow(/unknown key "delay"/);
    expect((await query()).status).toBe(200);
  });

  test('respond with delayMs waits first', async () => {
    emulator.addFaults([{ status: 503, delayMs: 200 }]);
    const started = Date.now();
    expect((await associate()).status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});

describe('on the IAM and metadata paths', () => {
  const projects = () => signedFetch(emulator.url, { method: 'GET', path: '/v3/projects?name=cn-north-1' });
  const token = async () => answer(await fetch(`${emulator.url}/meta-data/latest/api/token`, { method: 'PUT', headers: { 'X-Metadata-Token-Ttl-Seconds': '60' } }));
  const securityKey = async (metadataToken: string) =>
    answer(await fetch(`${emulator.url}/openstack/latest/securitykey`, { headers: { 'X-Metadata-Token': metadataToken } }));

  test('respond, by method and path, on IAM and on metadata; each request logged under its service', async () => {
    emulator.addFaults([
      { path: '/v3/projects', status: 503, body: { error_code: 'APIGW.0305', error_msg: 'backend unavailable' } },
      { method: 'PUT', path: '/api/token', status: 405 },
      { path: '/securitykey', status: 401, body: 'token expired' },
    ]);
    expect((await projects()).status).toBe(503);
    expect((await projects()).status).toBe(200);
    expect((await token()).status).toBe(405);
    const metadataToken = (await token()).text;
    expect((await securityKey(metadataToken)).text).toBe('token expired');
    expect((await securityKey(metadataToken)).status).toBe(200);
    expect((await query()).status).toBe(200);
    expect(emulator.requests().map((r) => [r.service, r.method, r.status, r.fault])).toEqual([
      ['iam', 'GET', 503, 'respond'],
      ['iam', 'GET', 200, undefined],
      ['metadata', 'PUT', 405, 'respond'],
      ['metadata', 'PUT', 200, undefined],
      ['metadata', 'GET', 401, 'respond'],
      ['metadata', 'GET', 200, undefined],
      ['ecs', 'GET', 200, undefined],
    ]);
  });

  test('reset and delay on metadata; an assume-role whose answer is lost still issued its credential', async () => {
    emulator.addFaults([{ path: '/meta-data/', action: 'reset' }]);
    await expect(token()).rejects.toThrow();
    emulator.addFaults([{ path: '/securitykey', action: 'delay', delayMs: 200 }]);
    const started = Date.now();
    expect((await securityKey((await token()).text)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    emulator.addFaults([{ method: 'POST', path: '/OS-CREDENTIAL/', action: 'reset', takesEffect: true }]);
    const body = { auth: { identity: { methods: ['assume_role'], assume_role: { agency_name: 'fpga_deployer', domain_name: 'emulator_delegating_domain' } } } };
    await expect(signedFetch(emulator.url, { method: 'POST', path: '/v3.0/OS-CREDENTIAL/securitytokens', body })).rejects.toThrow();
    expect(emulator.requests().at(-1)).toEqual(expect.objectContaining({ service: 'iam', fault: 'reset', effect: 201 }));
  });

  test('ECS records keep their fields, with service "ecs" added; unknown paths count as ECS', async () => {
    await associate();
    await answer(await fetch(`${emulator.url}/nope`));
    const [record, unknown] = emulator.requests();
    expect(Object.keys(record).sort()).toEqual(['at', 'method', 'path', 'requestId', 'service', 'status']);
    expect([record.service, record.status, unknown.service, unknown.status]).toEqual(['ecs', 204, 'ecs', 404]);
  });
});

describe('connection faults', () => {
  test('reset drops the connection without a response; the next request is served', async () => {
    emulator.addFaults([{ action: 'reset' }]);
    const failure = await associate().then(
      () => undefined,
      (error: Error & { cause?: { code?: string } }) => error,
    );
    expect(failure?.message).toBe('fetch failed');
    expect(failure?.cause?.code).toBe('ECONNRESET');
    expect(emulator.requests()).toEqual([expect.objectContaining({ fault: 'reset' })]);
    expect(emulator.requests()[0].status).toBeUndefined();
    expect((await associate()).status).toBe(204);
  });

  test('delay waits, then handles the request normally', async () => {
    emulator.addFaults([{ action: 'delay', delayMs: 300 }]);
    const started = Date.now();
    expect((await associate()).status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(emulator.relations()).toHaveLength(1);
    expect(emulator.requests()[0]).toEqual(expect.objectContaining({ status: 204, fault: 'delay' }));
  });

  test('hang never answers, and stop() still returns promptly, delays included', async () => {
    const own = await FpgaApiEmulator.start();
    try {
      own.addFaults([{ method: 'POST', action: 'hang' }, { method: 'GET', action: 'delay', delayMs: 60_000 }]);
      const hung = associate(own.url).then(() => 'answered', () => 'failed');
      const delayed = fetch(`${own.url}/anything`).then(() => 'answered', () => 'failed');
      await waitFor(() => own.requests().length === 2);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const outcomes = own.requests().map((r) => [r.method, r.fault, r.status]);
      expect(outcomes.sort()).toEqual([
        ['GET', 'delay', undefined],
        ['POST', 'hang', undefined],
      ]);

      const started = Date.now();
      await own.stop();
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(await hung).toBe('failed');
      expect(await delayed).toBe('failed');
    } finally {
      await own.stop();
    }
  });
});

describe('takesEffect: the API acts, then the fault decides what the client hears', () => {
  test('reset: the relation is made, the client gets no answer; the log keeps the status the API gave', async () => {
    emulator.addFaults([{ method: 'POST', path: '/association', action: 'reset', takesEffect: true }]);
    await expect(associate()).rejects.toThrow();
    expect(emulator.relations()).toEqual([{ fpgaImageId: FPGA, imageId: IMAGE }]);
    expect(emulator.requests().map((r) => [r.status, r.fault, r.effect])).toEqual([[undefined, 'reset', 204]]);
  });

  test('respond: a 502 after the API acted; a second POST then meets the relation', async () => {
    emulator.addFaults([{ method: 'POST', path: '/association', status: 502, takesEffect: true, times: 2 }]);
    expect((await associate()).status).toBe(502);
    expect((await associate()).status).toBe(502);
    expect(emulator.requests().map((r) => [r.status, r.effect])).toEqual([[502, 204], [502, 400]]);
    expect(emulator.relations()).toHaveLength(1);
  });

  test('delay: the relation exists at once, the real answer comes late', async () => {
    emulator.addFaults([{ method: 'POST', path: '/association', action: 'delay', delayMs: 300, takesEffect: true }]);
    const pending = associate();
    await waitFor(() => emulator.relations().length === 1);
    expect(emulator.requests()[0].status).toBeUndefined();
    expect((await pending).status).toBe(204);
  });

  test('a refused request takes no effect: the gateway still checks signatures first', async () => {
    emulator.addFaults([{ method: 'POST', path: '/association', action: 'reset', takesEffect: true }]);
    const unsigned = fetch(`${emulator.url}${associationPath(DEMO_PROJECT_ID, FPGA)}`, { method: 'POST', body: JSON.stringify({ image: { id: IMAGE } }) });
    await expect(unsigned).rejects.toThrow();
    expect(emulator.relations()).toEqual([]);
    expect(emulator.requests()[0].effect).toBe(401);
  });

  test('takesEffect must be a boolean', () => {
    expect(() => emulator.addFaults([{ action: 'reset', takesEffect: 'yes' as unknown as boolean }])).toThrow(/invalid fault rule #0: takesEffect "yes" must be true or false/);
  });
});

describe('rate limit', () => {
  test('429 APIGW.0308 past the burst, in the gateway shape, without Retry-After; then lifted', async () => {
    emulator.setRateLimit({ requestsPerSecond: 1, burst: 3 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await query()).status);
    const throttled = await query();
    const unsigned = await answer(await fetch(`${emulator.url}/anything`));
    expect([...statuses, throttled.status, unsigned.status]).toEqual([200, 200, 200, 429, 429]);
    expect(throttled.json).toEqual({
      error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:1,time:1 second',
      error_code: 'APIGW.0308',
      request_id: throttled.headers.get('x-request-id'),
    });
    expect(throttled.headers.get('retry-after')).toBeNull();
    expect(emulator.requests()[3]).toEqual(expect.objectContaining({ status: 429, fault: 'rate-limit' }));

    emulator.setRateLimit(undefined);
    expect((await query()).status).toBe(200);
  });

  test('the bucket refills at requestsPerSecond', async () => {
    emulator.setRateLimit({ requestsPerSecond: 10, burst: 1 });
    expect((await query()).status).toBe(200);
    expect((await query()).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await query()).status).toBe(200);
  });

  test('bad limits are refused', () => {
    expect(() => emulator.setRateLimit({ requestsPerSecond: 0 })).toThrow(/requestsPerSecond "0" must be a number > 0/);
    expect(() => emulator.setRateLimit({ requestsPerSecond: 5, burst: 0.5 })).toThrow(/burst "0.5" must be an integer >= 1/);
  });
});

test('the clock offset shows in the Date header and the request log', async () => {
  const dayMs = 86_400_000;
  emulator.setClockOffset(-dayMs);
  const result = await answer(await fetch(`${emulator.url}/anything`));
  expect(Math.abs(Date.parse(result.headers.get('date')!) - (Date.now() - dayMs))).toBeLessThan(5_000);
  expect(Math.abs(emulator.requests()[0].at - (Date.now() - dayMs))).toBeLessThan(5_000);
  expect(() => emulator.setClockOffset(NaN)).toThrow(/invalid clock offset/);
});
