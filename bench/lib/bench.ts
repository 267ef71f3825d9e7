import type { Lab } from './terraform';

/** What every benchmark module gets and gives back. */

export interface BenchContext {
  readonly quick: boolean;
  readonly lab: Lab;
  /** assets/handler.js, as bundled by `npx projen bundle`. */
  readonly handlerBundle: string;
  /** assets/node-launcher.sh, which runs the handler as Terraform runs it: `sh node-launcher.sh handler.js <operation>`. */
  readonly nodeLauncher: string;
  /** NODE_EXTRA_CA_CERTS as the run found it; removed from this process's environment for everything else. */
  readonly inheritedCaCerts?: string;
  /** Another handler bundle to run beside assets/handler.js in handler-run (--compare): a before/after. */
  readonly compareBundle?: string;
  /** R of the throttled drain: requests per second the emulator allows. */
  readonly rate: number;
  /** Where build products of the benchmarks go (gitignored). */
  readonly buildDir: string;
  /** Rounds for a full run or a --quick one. */
  rounds(full: number, quick: number): number;
  progress(line: string): void;
}

/** One target of the issue, judged: `value` must be at most `limit`. */
export interface Goal {
  readonly id: string;
  readonly name: string;
  readonly value: number;
  readonly limit: number;
  readonly unit: '×' | 's' | 'failures' | 'requests';
  /** What was measured, for the table. */
  readonly detail: string;
  /** Why the value is what it is; shown when the target is missed. */
  readonly why?: string;
}

export interface BenchResult {
  readonly goals: readonly Goal[];
  /** Everything measured, for bench-results/*.json and the docs. */
  readonly data: unknown;
}

export function met(goal: Goal): boolean {
  return goal.value <= goal.limit;
}

/** `MET`, or `MISSED by 0.12× (8%)`. */
export function verdict(goal: Goal): string {
  if (met(goal)) return 'MET';
  const over = goal.value - goal.limit;
  const amount = goal.unit === '×' ? `${over.toFixed(2)}×` : goal.unit === 's' ? `${over.toFixed(1)} s` : `${over}`;
  const share = goal.limit > 0 ? ` (${Math.round((over / goal.limit) * 100)}%)` : '';
  return `MISSED by ${amount}${share}`;
}

export function formatValue(goal: Pick<Goal, 'unit' | 'value'>): string {
  if (goal.unit === '×') return `${goal.value.toFixed(2)}×`;
  if (goal.unit === 's') return `${goal.value.toFixed(1)} s`;
  return String(goal.value);
}
