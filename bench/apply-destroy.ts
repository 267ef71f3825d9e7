import * as os from 'node:os';
import { BenchContext, BenchResult, Goal } from './lib/bench';
import { associations, nodeNoopResources, singleResourceAssociations } from './lib/stacks';
import { interleave, median, ms, summarize, Summary } from './lib/stats';
import { mustTimeCommand, PARALLELISM, workspace } from './lib/terraform';

/**
 * `terraform apply` then `destroy` of N associations against the same graph whose provisioners run
 * `node -e 0`, both with real Terraform at the default parallelism, interleaved round by round; and
 * the previous shape (one null_resource per association with both provisioners, no step that
 * associates), to tell what the step costs.
 */

const LIMIT = 1.2;
const N = 100;
const KINDS = ['association', 'single', 'baseline'] as const;
type Kind = (typeof KINDS)[number];

export interface ApplyDestroyData {
  readonly n: number;
  readonly parallelism: number;
  readonly applyMs: Record<Kind, Summary>;
  readonly destroyMs: Record<Kind, Summary>;
  readonly totalMs: Record<Kind, Summary>;
}

export async function applyDestroy(context: BenchContext): Promise<BenchResult> {
  const { lab } = context;
  const spaces = {
    association: await workspace(lab, 'associations', (stack) => associations(stack, N, lab.target)),
    single: await workspace(lab, 'single', (stack) => singleResourceAssociations(stack, N, lab.target)),
    baseline: await workspace(lab, 'baseline', (stack) => nodeNoopResources(stack, N, lab.target)),
  };
  const apply: Record<Kind, number[]> = { association: [], single: [], baseline: [] };
  const destroy: Record<Kind, number[]> = { association: [], single: [], baseline: [] };
  try {
    const totals = await interleave(context.rounds(5, 2), KINDS, async (kind, round) => {
      context.progress(`apply + destroy of ${N} (${kind}, round ${round + 1})`);
      await lab.emulator.control.reset();
      apply[kind].push(await mustTimeCommand(spaces[kind], 'apply'));
      const made = (await lab.emulator.control.relations()).length;
      if (made !== (kind === 'baseline' ? 0 : N)) throw new Error(`apply of ${N} ${kind} resources made ${made} associations`);
      destroy[kind].push(await mustTimeCommand(spaces[kind], 'destroy'));
      const left = (await lab.emulator.control.relations()).length;
      if (left !== 0) throw new Error(`destroy of ${N} ${kind} resources left ${left} associations`);
      return apply[kind][apply[kind].length - 1] + destroy[kind][destroy[kind].length - 1];
    });
    const by = (samples: Record<Kind, number[]>) =>
      Object.fromEntries(KINDS.map((kind) => [kind, summarize(samples[kind])])) as Record<Kind, Summary>;
    const data: ApplyDestroyData = { n: N, parallelism: PARALLELISM, applyMs: by(apply), destroyMs: by(destroy), totalMs: by(totals) };
    const ratio = median(totals.association) / median(totals.baseline);
    const goal: Goal = {
      id: 'apply-destroy',
      name: `apply + destroy of ${N} vs \`node -e 0\` provisioners`,
      value: ratio,
      limit: LIMIT,
      unit: '×',
      detail: `${ms(data.totalMs.association.median)} vs ${ms(data.totalMs.baseline.median)} (median of ${totals.baseline.length}, parallelism ${PARALLELISM}); `
        + `the previous shape (one null_resource per association, no step) ${ms(data.totalMs.single.median)}, `
        + `${(median(totals.single) / median(totals.baseline)).toFixed(2)}×, so the step costs ${(median(totals.association) / median(totals.single)).toFixed(2)}×`,
      why: `the ${2 * N} provisioner runs take ${ms(median(totals.association) - median(totals.baseline))} more in all, `
        + `${ms((median(totals.association) - median(totals.baseline)) / (2 * N))} each: ${PARALLELISM} at a time on ${os.cpus().length} cores, `
        + 'they queue for CPU, and a handler process with its HTTP request needs more CPU than a bare Node start (see the handler run\'s CPU time), '
        + 'besides the emulator answering on the same cores, which a real API does not',
    };
    return { goals: [goal], data };
  } finally {
    Object.values(spaces).forEach((ws) => ws.cleanup());
  }
}
