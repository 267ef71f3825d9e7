import { BenchContext, BenchResult, Goal } from './lib/bench';
import { associations, plainNullResources, singleResourceAssociations } from './lib/stacks';
import { interleave, median, ms, summarize, Summary } from './lib/stats';
import { workspace } from './lib/terraform';

/**
 * `terraform plan` of N applied associations (refresh included, nothing to change) against N applied
 * plain null_resources, and against the previous shape (one null_resource per association with both
 * provisioners, no step that associates): what the step, a second resource per association, costs
 * each plan. Interleaved round by round, real Terraform against the emulator.
 */

const LIMIT = 1.2;
const N = 100;
const KINDS = ['association', 'single', 'plain'] as const;
type Kind = (typeof KINDS)[number];

export interface PlanData {
  readonly n: number;
  readonly planMs: Record<Kind, Summary>;
}

export async function plan(context: BenchContext): Promise<BenchResult> {
  const { lab } = context;
  await lab.emulator.control.reset();
  const spaces = {
    association: await workspace(lab, 'plan-associations', (stack) => associations(stack, N, lab.target)),
    // Other ECS images, so that both shapes' associations live side by side in the emulator.
    single: await workspace(lab, 'plan-single', (stack) => singleResourceAssociations(stack, N, lab.target, N)),
    plain: await workspace(lab, 'plan-plain', (stack) => plainNullResources(stack, N, lab.target)),
  };
  try {
    context.progress(`apply of ${N} for the plan benchmark`);
    for (const ws of Object.values(spaces)) await ws.mustRun(['apply', '-auto-approve', '-input=false', '-no-color']);
    const made = (await lab.emulator.control.relations()).length;
    if (made !== 2 * N) throw new Error(`the applies made ${made} associations, expected ${2 * N}`);
    const samples = await interleave(context.rounds(7, 3), KINDS, async (kind, round) => {
      context.progress(`plan of ${N} (${kind}, round ${round + 1})`);
      const started = process.hrtime.bigint();
      const { status } = await spaces[kind].run(['plan', '-detailed-exitcode', '-input=false', '-no-color']);
      if (status !== 0) throw new Error(`plan of ${N} ${kind} resources exited ${status}, expected 0 (no changes)`);
      return Number(process.hrtime.bigint() - started) / 1e6;
    });
    for (const ws of Object.values(spaces)) await ws.mustRun(['destroy', '-auto-approve', '-input=false', '-no-color']);
    const data: PlanData = { n: N, planMs: Object.fromEntries(KINDS.map((kind) => [kind, summarize(samples[kind])])) as Record<Kind, Summary> };
    const ratio = (kind: Kind) => median(samples[kind]) / median(samples.plain);
    const goal: Goal = {
      id: 'plan',
      name: `plan of ${N} applied associations vs plain null_resources`,
      value: ratio('association'),
      limit: LIMIT,
      unit: '×',
      detail: `${ms(data.planMs.association.median)} vs ${ms(data.planMs.plain.median)} (median of ${samples.plain.length}); `
        + `the previous shape (one null_resource per association, no step) ${ms(data.planMs.single.median)}, ${ratio('single').toFixed(2)}×, `
        + `so the step costs ${(median(samples.association) / median(samples.single)).toFixed(2)}×`,
      why: `a plan refreshes every resource in the state: ${2 * N} null_resources against ${N}, each one provider call; `
        + 'the provisioners and the handler play no part in a plan',
    };
    return { goals: [goal], data };
  } finally {
    Object.values(spaces).forEach((ws) => ws.cleanup());
  }
}
