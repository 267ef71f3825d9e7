import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ACCESS_KEY, envFor, itNeverPrintsCredentials, lines, runHandler, useEmulator } from './harness';
import { RateBudget } from '../../src/handler/rate-budget';

/**
 * The shared rate budget: unit behaviour on a private temp directory, then real handler processes
 * started together against a rate-limited emulator. Spacing is asserted loosely and on counts:
 * these tests must pass on a loaded two-core machine.
 */

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'fpga-rate-budget-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const ORIGIN = 'https://ecs.cn-north-1.myhuaweicloud.com';

function budget(options: { requestsPerSecond?: number; directory?: string; accessKey?: string; notes?: string[] } = {}): RateBudget {
  return RateBudget.open({
    origin: ORIGIN,
    accessKey: options.accessKey ?? ACCESS_KEY,
    requestsPerSecond: options.requestsPerSecond ?? 2,
    directory: options.directory ?? path.join(scratch, 'budget'),
    onUnavailable: (reason) => options.notes?.push(reason),
  });
}

describe('slots', () => {
  it('hands out slots 1/R apart across budgets that share endpoint and key, as separate processes do', async () => {
    const slots = [await budget().reserve(), await budget().reserve(), await budget().reserve()] as number[];
    expect(slots[1] - slots[0]).toBeGreaterThanOrEqual(500);
    expect(slots[2] - slots[1]).toBe(500);
  });

  it('keeps a separate budget for another access key', async () => {
    const first = (await budget().reserve())!;
    const other = (await budget({ accessKey: 'ANOTHERACCESSKEY0001' }).reserve())!;
    expect(other - first).toBeLessThan(500);
  });

  it('holds every process back after a throttling answer (defer), then paces again', async () => {
    const until = Date.now() + 60_000;
    await budget().defer(until);
    expect(await budget().reserve()).toBe(until);
    expect(await budget().reserve()).toBe(until + 500);
  });

  it('names the state file after a hash and never writes the key or the endpoint', async () => {
    await budget().reserve();
    const directory = path.join(scratch, 'budget');
    const files = readdirSync(directory);
    expect(files).toEqual([expect.stringMatching(/^rate-[0-9a-f]{24}$/)]);
    const text = readFileSync(path.join(directory, files[0]), 'utf8');
    for (const secret of [ACCESS_KEY, ORIGIN, 'cn-north-1']) expect(`${files[0]} ${text}`).not.toContain(secret);
  });

  it('waits at most until the deadline', async () => {
    await budget().defer(Date.now() + 60_000);
    const started = Date.now();
    await budget().take(started + 50);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('falling back: pacing is best effort, never a failure', () => {
  it('sends unpaced, saying why once, when the directory cannot be created', async () => {
    const notes: string[] = [];
    const file = path.join(scratch, 'a-file');
    writeFileSync(file, '');
    const unusable = budget({ directory: path.join(file, 'budget'), notes });
    expect(await unusable.reserve()).toBeUndefined();
    expect(await unusable.take(Date.now() + 60_000)).toBe(0);
    expect(notes).toEqual([expect.stringMatching(/a-file.*sending without the shared rate budget$/)]);
  });

  it('does not trust a directory that others can write to', async () => {
    const notes: string[] = [];
    const shared = path.join(scratch, 'shared');
    const first = budget({ directory: shared, notes });
    await first.reserve();
    chmodSync(shared, 0o777);
    expect(await budget({ directory: shared, notes }).reserve()).toBeUndefined();
    expect(notes).toEqual([expect.stringMatching(/not private to this user/)]);
  });

  it('clears a lock left by a process that died, and gives up on one held too long', async () => {
    await budget().reserve();
    const directory = path.join(scratch, 'budget');
    const lock = path.join(directory, `${readdirSync(directory)[0]}.lock`);
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    expect(await budget().reserve()).toEqual(expect.any(Number));

    writeFileSync(lock, '');
    const notes: string[] = [];
    expect(await budget({ notes }).reserve()).toBeUndefined();
    expect(notes).toEqual([expect.stringMatching(/stayed locked/)]);
  });
});

describe('handler processes started together against a rate-limited API', () => {
  const context = useEmulator();
  const PROCESSES = 10;

  /** Starts PROCESSES associations of distinct images at once; each is one POST on the happy path. */
  async function associateAll(extraEnv: Record<string, string>) {
    const budgetDir = mkdtempSync(path.join(scratch, 'tmp-'));
    const runs = await Promise.all(Array.from({ length: PROCESSES }, () => runHandler(['associate'], envFor(context.emu, {
      FPGA_ASSOC_IMAGE_ID: randomUUID(),
      // Retries that outlast a 5 s drain at 2 per second.
      FPGA_ASSOC_MAX_ATTEMPTS: '50',
      FPGA_ASSOC_RETRY_MAX_DELAY_MS: '1000',
      TMPDIR: budgetDir,
      ...extraEnv,
    }))));
    const requests = context.emu.requests();
    return {
      runs,
      throttled: requests.filter((r) => r.fault === 'rate-limit').length,
      spanMs: Math.max(...requests.map((r) => r.at)) - Math.min(...requests.map((r) => r.at)),
    };
  }

  // The API allows 2 per second with a burst of 2: unpaced, 10 processes that start together are
  // throttled even if the load spreads their requests over 3 s. Paced at 1.5 per second, 3 requests
  // would have to bunch within 1 s for one to be throttled.
  beforeEach(() => context.emu.setRateLimit({ requestsPerSecond: 2, burst: 2 }));

  it('with FPGA_ASSOC_MAX_REQUESTS_PER_SECOND: no request is throttled and the requests are spread out', async () => {
    const { runs, throttled, spanMs } = await associateAll({ FPGA_ASSOC_MAX_REQUESTS_PER_SECOND: '1.5' });
    expect(runs.map((run) => run.code)).toEqual(Array(PROCESSES).fill(0));
    expect(context.emu.relations()).toHaveLength(PROCESSES);
    expect(throttled).toBe(0);
    expect(runs.flatMap(lines).filter((line) => /retrying/.test(line))).toEqual([]);
    // 9 gaps of 667 ms make 6 s; half of that is far beyond what unpaced processes take.
    expect(spanMs).toBeGreaterThan(3_000);
  }, 30_000);

  it('without it (the control): the same start is throttled and retried', async () => {
    const { runs, throttled } = await associateAll({});
    expect(runs.map((run) => run.code)).toEqual(Array(PROCESSES).fill(0));
    expect(throttled).toBeGreaterThan(0);
  }, 30_000);

  it('refuses a bad FPGA_ASSOC_MAX_REQUESTS_PER_SECOND before sending anything', async () => {
    const run = await runHandler(['associate'], envFor(context.emu, { FPGA_ASSOC_MAX_REQUESTS_PER_SECOND: '0' }));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/invalid FPGA_ASSOC_MAX_REQUESTS_PER_SECOND "0": expected a number of requests per second above 0/);
    expect(context.emu.requests()).toEqual([]);
  });

  itNeverPrintsCredentials();
});
