import { createServer } from 'node:net';
import { envFor, FPGA_IMAGE_ID, IMAGE_ID, itNeverPrintsCredentials, lines, runHandler, seen, useEmulator } from './harness';
import { EXIT_CODES } from '../../src/contract';

/** Throttling, flaky networks, slow or broken answers, clock skew: what is retried, how long, and what is said. */

const context = useEmulator();

const THROTTLED = {
  error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:200,time:5 minute',
  error_code: 'APIGW.0308',
  request_id: 'd4e8174b8df00840aef0c6907ec0e384',
};

/** Milliseconds between the arrivals of the emulator's requests `a` and `b`. */
function gap(a: number, b: number): number {
  const requests = context.emu.requests();
  return requests[b].at - requests[a].at;
}

describe('transient answers are retried, then the operation succeeds', () => {
  it('429 APIGW.0308 without Retry-After: backoff, one short line per retry', async () => {
    const { emu } = context;
    emu.addFaults([{ method: 'POST', path: '/association', times: 2, action: 'respond', status: 429, body: THROTTLED }]);
    const run = await runHandler(['associate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(seen(emu)).toEqual(['POST 429', 'POST 429', 'POST 204']);
    const [first, second, done] = lines(run);
    expect(first).toMatch(new RegExp(
      `^fpga-image-association: associate FPGA image ${FPGA_IMAGE_ID} with ECS image ${IMAGE_ID}: `
      + 'attempt 1 of 8 got HTTP 429 APIGW.0308: The throttling threshold has been reached: .{0,70}… '
      + `\\(request id ${emu.requests()[0].requestId}\\); retrying in \\d+ ms$`));
    expect(second).toContain('attempt 2 of 8 got HTTP 429 APIGW.0308');
    // X-Request-Id comes before the body's request_id.
    expect(run.stderr).not.toContain(THROTTLED.request_id);
    expect(done).toContain('associated FPGA image');
    expect(lines(run)).toHaveLength(3);
  });

  it('429 with Retry-After in seconds: waits that long', async () => {
    const { emu } = context;
    emu.addFaults([{ method: 'DELETE', path: '/association', action: 'respond', status: 429, body: THROTTLED, headers: { 'Retry-After': '1' } }]);
    const run = await runHandler(['disassociate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(seen(emu)).toEqual(['DELETE 429', 'DELETE 404', 'GET 200']);
    expect(gap(0, 1)).toBeGreaterThanOrEqual(950);
    expect(run.stderr).toContain('retrying in 1.0 s');
  });

  it('429 with Retry-After as an HTTP date: waits until then', async () => {
    const { emu } = context;
    const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
    emu.addFaults([{ method: 'POST', action: 'respond', status: 429, body: THROTTLED, headers: { 'Retry-After': inTwoSeconds } }]);
    const run = await runHandler(['associate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(seen(emu)).toEqual(['POST 429', 'POST 204']);
    // The date has one-second resolution: the wait is between 1 and 2 seconds.
    expect(gap(0, 1)).toBeGreaterThanOrEqual(900);
  });

  it('Common.0024 is throttling even when it comes with 202', async () => {
    const { emu } = context;
    emu.addFaults([{ method: 'POST', action: 'respond', status: 202, body: { error: { code: 'Common.0024', message: 'exceeds flow over limit' } } }]);
    const run = await runHandler(['associate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(seen(emu)).toEqual(['POST 202', 'POST 204']);
    expect(run.stderr).toContain('got HTTP 202 Common.0024: exceeds flow over limit');
    expect(emu.relations()).toHaveLength(1);
  });

  it('503 Common.1503, then a 503 HTML page, then success', async () => {
    const { emu } = context;
    emu.addFaults([
      { method: 'POST', action: 'respond', status: 503, body: { error: { code: 'Common.1503', message: 'Api flow control Error because busy.' } } },
      { method: 'POST', action: 'respond', status: 503, body: '<html><head><title>503</title></head><body><h1>503 Service Temporarily Unavailable</h1><hr>nginx</body></html>' },
    ]);
    const run = await runHandler(['associate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(seen(emu)).toEqual(['POST 503', 'POST 503', 'POST 204']);
    expect(lines(run)[0]).toContain('got HTTP 503 Common.1503: Api flow control Error because busy.');
    expect(lines(run)[1]).toContain('got HTTP 503: response body: 503 503 Service Temporarily Unavailable nginx (request id ');
  });

  it('a connection reset', async () => {
    const { emu } = context;
    emu.addFaults([{ method: 'DELETE', action: 'reset' }]);
    emu.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
    const run = await runHandler(['disassociate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(seen(emu)).toEqual(['DELETE reset', 'DELETE 204']);
    expect(lines(run)[0]).toMatch(/attempt 1 of 8 got .*ECONNRESET.*; retrying in \d+ ms$/);
  });

  it('a hung request: the attempt times out, the next one succeeds', async () => {
    const { emu } = context;
    emu.addFaults([{ method: 'POST', action: 'hang' }]);
    const run = await runHandler(['associate'], envFor(emu, { FPGA_ASSOC_ATTEMPT_TIMEOUT_MS: '500' }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(seen(emu)).toEqual(['POST hang', 'POST 204']);
    expect(lines(run)[0]).toContain('attempt 1 of 8 got no answer within 500 ms (ETIMEDOUT); retrying in');
    expect(run.ms).toBeLessThan(3000);
  });

  it('a throttling emulator shared by five concurrent runs', async () => {
    const { emu } = context;
    emu.setRateLimit({ requestsPerSecond: 4, burst: 2 });
    const ids = ['1', '2', '3', '4', '5'].map((digit) => digit.repeat(32));
    const env = { FPGA_ASSOC_RETRY_BASE_DELAY_MS: '200', FPGA_ASSOC_RETRY_MAX_DELAY_MS: '1000', FPGA_ASSOC_MAX_ATTEMPTS: '20' };
    const runs = await Promise.all(ids.map((id) => runHandler(['associate'], envFor(emu, { ...env, FPGA_ASSOC_FPGA_IMAGE_ID: id }))));

    expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 0, 0]);
    expect(emu.relations()).toHaveLength(5);
    expect(emu.requests().filter((r) => r.fault === 'rate-limit').length).toBeGreaterThan(0);
  });
});

describe('clock skew', () => {
  it('signs again once with the API\'s clock, and keeps it for the rest of the run', async () => {
    const { emu } = context;
    emu.setClockOffset(20 * 60_000);
    emu.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
    const run = await runHandler(['associate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.ok);
    // The follow-up query is signed with the corrected clock at once.
    expect(seen(emu)).toEqual(['POST 401', 'POST 400', 'GET 200']);
    expect(lines(run)[0]).toMatch(/attempt 1 got HTTP 401 APIGW\.0301: .*request expired.*; the API's clock is 20 min ahead of this machine's: signing again with the API's time$/);
    expect(run.stderr).toContain('was already associated');
  });

  it('signs again only once: a second expired answer is an authentication failure', async () => {
    const { emu } = context;
    const farAhead = new Date(Date.now() + 30 * 60_000).toUTCString();
    emu.addFaults([{
      method: 'POST',
      times: -1,
      action: 'respond',
      status: 401,
      body: { error_msg: 'Incorrect IAM authentication information: request expired', error_code: 'APIGW.0301', request_id: 'r' },
      headers: { Date: farAhead },
    }]);
    const run = await runHandler(['associate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.authFailed);
    expect(seen(emu)).toEqual(['POST 401', 'POST 401']);
  });
});

describe('giving up: exit 5, within the time allowed', () => {
  it('after FPGA_ASSOC_MAX_ATTEMPTS', async () => {
    const { emu } = context;
    emu.addFaults([{ method: 'POST', times: -1, action: 'respond', status: 503, body: { error: { code: 'Common.1503', message: 'busy' } } }]);
    const run = await runHandler(['associate'], envFor(emu, { FPGA_ASSOC_MAX_ATTEMPTS: '3' }));

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(seen(emu)).toEqual(['POST 503', 'POST 503', 'POST 503']);
    const failure = lines(run)[lines(run).length - 1];
    expect(failure).toMatch(new RegExp(
      `^fpga-image-association: associate FPGA image ${FPGA_IMAGE_ID} with ECS image ${IMAGE_ID} failed: `
      + 'gave up after 3 attempts in \\d+ ms \\(FPGA_ASSOC_MAX_ATTEMPTS=3 reached\\); the last got HTTP 503 Common.1503: busy \\(request id \\w+\\)\\. '
      + 'The API is throttling requests or is unavailable: run again later, or allow more with FPGA_ASSOC_TOTAL_TIMEOUT_MS and FPGA_ASSOC_MAX_ATTEMPTS$'));
  });

  it('at FPGA_ASSOC_TOTAL_TIMEOUT_MS, however many attempts are left', async () => {
    const { emu } = context;
    emu.addFaults([{ method: 'DELETE', times: -1, action: 'respond', status: 503, body: '<html>Service Unavailable</html>' }]);
    const env = { FPGA_ASSOC_TOTAL_TIMEOUT_MS: '1500', FPGA_ASSOC_MAX_ATTEMPTS: '1000', FPGA_ASSOC_RETRY_BASE_DELAY_MS: '100', FPGA_ASSOC_RETRY_MAX_DELAY_MS: '300' };
    const run = await runHandler(['disassociate'], envFor(emu, env));

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(run.ms).toBeLessThan(1500 + 1000);
    expect(emu.requests().length).toBeGreaterThan(2);
    expect(run.stderr).toContain('(FPGA_ASSOC_TOTAL_TIMEOUT_MS=1500 reached); the last got HTTP 503: response body: Service Unavailable');
  });

  it('at FPGA_ASSOC_TOTAL_TIMEOUT_MS when every attempt hangs, cutting the last attempt short', async () => {
    const { emu } = context;
    emu.addFaults([{ method: 'POST', times: -1, action: 'hang' }]);
    const run = await runHandler(['associate'], envFor(emu, { FPGA_ASSOC_TOTAL_TIMEOUT_MS: '1500', FPGA_ASSOC_ATTEMPT_TIMEOUT_MS: '60000' }));

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(run.ms).toBeLessThan(1500 + 1000);
    expect(seen(emu)).toEqual(['POST hang']);
    expect(run.stderr).toContain('the last got no answer within');
    expect(run.stderr).toContain('check the network, any proxy or firewall');
    expect(run.stderr).toContain(`The association of FPGA image ${FPGA_IMAGE_ID} with ECS image ${IMAGE_ID} may have been made`);
  });

  it('at once when Retry-After asks for more time than is left', async () => {
    const { emu } = context;
    emu.addFaults([{ method: 'POST', action: 'respond', status: 429, body: THROTTLED, headers: { 'Retry-After': '60' } }]);
    const run = await runHandler(['associate'], envFor(emu, { FPGA_ASSOC_TOTAL_TIMEOUT_MS: '5000' }));

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(seen(emu)).toEqual(['POST 429']);
    expect(run.ms).toBeLessThan(2000);
    expect(run.stderr).toContain('(the API asked to wait 60 s, past FPGA_ASSOC_TOTAL_TIMEOUT_MS=5000)');
  });

  it('at once when Retry-After leaves less than a useful attempt before the deadline, keeping the last real answer', async () => {
    const { emu } = context;
    emu.addFaults([{ method: 'POST', times: -1, action: 'respond', status: 429, body: THROTTLED, headers: { 'Retry-After': '1' } }]);
    const run = await runHandler(['associate'], envFor(emu, { FPGA_ASSOC_TOTAL_TIMEOUT_MS: '1150' }));

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(seen(emu)).toEqual(['POST 429']);
    expect(run.stderr).toContain('(the API asked to wait 1.0 s, leaving too little of FPGA_ASSOC_TOTAL_TIMEOUT_MS=1150 for another attempt); the last got HTTP 429');
  });

  it('when nothing listens at the endpoint', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const run = await runHandler(['status'], envFor(context.emu, { FPGA_ASSOC_ENDPOINT: `http://127.0.0.1:${closedPort}`, FPGA_ASSOC_MAX_ATTEMPTS: '2' }));

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(lines(run)).toHaveLength(2);
    expect(lines(run)[1]).toContain('gave up after 2 attempts in');
    expect(lines(run)[1]).toContain(`connect ECONNREFUSED 127.0.0.1:${closedPort}`);
    expect(run.stdout).toBe('');
  });
});

describe('unreadable answers still give a readable line', () => {
  it('an HTML error page: status and a short single-line excerpt', async () => {
    const { emu } = context;
    const page = `<html>\n<head><title>400 Bad Request</title></head>\n<body>\n<center><h1>400 Bad Request</h1></center>\n${'<p>filler</p>\n'.repeat(500)}</body></html>`;
    emu.addFaults([{ method: 'POST', action: 'respond', status: 400, body: page }]);
    const run = await runHandler(['associate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.rejected);
    expect(lines(run)).toHaveLength(1);
    const [line] = lines(run);
    expect(line).toContain('failed: HTTP 400: response body: 400 Bad Request 400 Bad Request filler filler');
    expect(line).toContain('…');
    expect(line.length).toBeLessThan(700);
  });

  it('a truncated JSON body on a 403', async () => {
    const { emu } = context;
    emu.addFaults([{ method: 'DELETE', action: 'respond', status: 403, body: '{"error": {"code": "Ecs.00' }]);
    const run = await runHandler(['disassociate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.authFailed);
    expect(lines(run)).toHaveLength(1);
    expect(run.stderr).toContain('failed: HTTP 403: response body: not valid JSON at line 1, column 27 (in error.code) (request id ');
    expect(run.stderr).toContain('grant their user the IAM action ecs:cloudServerFpgaImages:unrelate');
  });

  it('a 200 that is not the associations document: exit 1, never a guess', async () => {
    const { emu } = context;
    emu.addFaults([{ method: 'GET', path: '/associations', action: 'respond', status: 200, body: '<html>Please log in</html>' }]);
    const run = await runHandler(['status'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.internal);
    expect(run.stdout).toBe('');
    expect(lines(run)).toHaveLength(1);
    expect(run.stderr).toContain('failed: HTTP 200 without an "associations" list: HTTP 200: response body: Please log in');
  });
});

itNeverPrintsCredentials();
