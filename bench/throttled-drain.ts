import { BenchContext, BenchResult, Goal } from './lib/bench';
import { associations } from './lib/stacks';
import { ms } from './lib/stats';
import { Lab, mustTimeCommand, PARALLELISM, timedCommand, workspace } from './lib/terraform';

/**
 * 100 destroys at parallelism 10 while the emulator allows R requests per second (a token bucket
 * with a burst of R), with the handlers sharing a budget of R per second (maxRequestsPerSecond: R).
 * A full run also drains without the budget, the default, to show what pacing buys.
 */

const N = 100;
const LIMIT = 1.3;

export interface DrainRun {
  readonly paced: boolean;
  readonly applyMs: number;
  readonly destroyMs: number;
  readonly ok: boolean;
  /** Associations the destroy left behind. */
  readonly failures: number;
  readonly requests: number;
  /** Requests the emulator answered 429. */
  readonly throttled: number;
}

async function drain(context: BenchContext, lab: Lab, paced: boolean): Promise<DrainRun> {
  const rate = context.rate;
  const ws = await workspace(lab, paced ? 'paced' : 'unpaced', (stack) => associations(stack, N, lab.target, paced ? { maxRequestsPerSecond: rate } : {}));
  // The handlers keep their budget in TMPDIR: this run's own, left nowhere else.
  const env = { TMPDIR: ws.outdir };
  try {
    await lab.emulator.control.reset();
    context.progress(`throttled drain (${paced ? `paced at ${rate}/s` : 'unpaced'}): apply`);
    const applyMs = await mustTimeCommand(ws, 'apply', env);
    await lab.emulator.control.setRateLimit({ requestsPerSecond: rate });
    const since = Date.now();
    context.progress(`throttled drain (${paced ? `paced at ${rate}/s` : 'unpaced'}): destroy at ${rate} requests/s`);
    const destroyed = await timedCommand(ws, 'destroy', env);
    const requests = (await lab.emulator.control.requests()).filter((r) => r.at >= since);
    return {
      paced,
      applyMs,
      destroyMs: destroyed.ms,
      ok: destroyed.ok,
      failures: (await lab.emulator.control.relations()).length,
      requests: requests.length,
      throttled: requests.filter((r) => r.fault === 'rate-limit').length,
    };
  } finally {
    await lab.emulator.control.setRateLimit(undefined);
    ws.cleanup();
  }
}

export async function throttledDrain(context: BenchContext): Promise<BenchResult> {
  const idealMs = (N / context.rate) * 1000;
  const paced = await drain(context, context.lab, true);
  const unpaced = context.quick ? undefined : await drain(context, context.lab, false);
  const control = unpaced
    ? `; unpaced (the default): ${ms(unpaced.destroyMs)}, ${unpaced.throttled} answered 429, ${unpaced.failures} failed`
    : '';
  const goals: Goal[] = [
    {
      id: 'drain-failures',
      name: `throttled drain: failures (${N} destroys, ${context.rate} requests/s)`,
      // A failed destroy counts at least once, even if it left no association behind.
      value: paced.ok ? paced.failures : Math.max(1, paced.failures),
      limit: 0,
      unit: 'failures',
      detail: `${paced.requests} requests, ${paced.throttled} answered 429${control}`,
      why: 'a destroy ran out of attempts or time: see the JSON results for the run',
    },
    {
      id: 'drain-time',
      name: `throttled drain: destroy time vs N/R = ${ms(idealMs)}`,
      value: paced.destroyMs / idealMs,
      limit: LIMIT,
      unit: '×',
      detail: `${ms(paced.destroyMs)} at parallelism ${PARALLELISM}, paced at ${context.rate}/s by the shared budget`,
      why: "Terraform's own refresh and plan before the first destroy, and the handler processes' start-up, come on top of N/R",
    },
  ];
  return { goals, data: { n: N, rate: context.rate, idealMs, paced, unpaced } };
}
