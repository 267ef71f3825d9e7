import { BenchContext, BenchResult } from './lib/bench';
import { associations, nodeNoopResources } from './lib/stacks';
import { median } from './lib/stats';
import { mustTimeCommand, workspace } from './lib/terraform';

/**
 * Destroy time against N, for associations and for the same graph whose provisioners run
 * `node -e 0`: the data of docs/destroy-time.svg. Each point applies (untimed), then destroys.
 */

export interface CurvePoint {
  readonly n: number;
  /** Median destroy time in ms. */
  readonly association: number;
  readonly baseline: number;
}

export async function destroyCurve(context: BenchContext): Promise<BenchResult> {
  const { lab } = context;
  const sizes = context.quick ? [1, 25, 100] : [1, 10, 50, 100, 200];
  const rounds = context.rounds(3, 1);
  const kinds = {
    association: { define: associations, ws: await workspace(lab, 'curve-associations', (stack) => associations(stack, 1, lab.target)) },
    baseline: { define: nodeNoopResources, ws: await workspace(lab, 'curve-baseline', (stack) => nodeNoopResources(stack, 1, lab.target)) },
  };
  const points: CurvePoint[] = [];
  try {
    for (const n of sizes) {
      const samples: Record<keyof typeof kinds, number[]> = { association: [], baseline: [] };
      for (let round = 0; round < rounds; round++) {
        for (const kind of (round % 2 === 0 ? ['association', 'baseline'] : ['baseline', 'association']) as (keyof typeof kinds)[]) {
          context.progress(`destroy curve: ${n} (${kind})`);
          const { define, ws } = kinds[kind];
          ws.synth((stack) => define(stack, n, lab.target));
          await lab.emulator.control.reset();
          await mustTimeCommand(ws, 'apply');
          samples[kind].push(await mustTimeCommand(ws, 'destroy'));
        }
      }
      points.push({ n, association: median(samples.association), baseline: median(samples.baseline) });
    }
  } finally {
    Object.values(kinds).forEach(({ ws }) => ws.cleanup());
  }
  return { goals: [], data: { points } };
}
