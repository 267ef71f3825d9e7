import { mkdtempSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { BenchContext, BenchResult, Goal } from './lib/bench';
import { mustTime } from './lib/process';
import { interleave, mb, ms, summarize, Summary } from './lib/stats';

/**
 * Synth time and peak memory of N associations against N plain null_resources with the same
 * triggers, each synth in a fresh process, interleaved. A third kind, the same null_resources with
 * the same two provisioner blocks and no construct, tells how much of the difference is the
 * provisioners' JSON itself. A fourth, the previous shape (one null_resource per association with
 * both provisioners, no step that associates), tells what the step costs. The child is bundled like the library ships (compiled JavaScript,
 * dependencies from node_modules), not run through a TypeScript loader.
 */

const LIMIT = 1.2;
const KINDS = ['association', 'single', 'plain', 'provisioned'] as const;
type Kind = (typeof KINDS)[number];

export interface SynthPoint {
  readonly n: number;
  readonly synthMs: Record<Kind, Summary>;
  readonly maxRssKb: Record<Kind, Summary>;
  readonly processMs: Record<Kind, Summary>;
}

/** The child lands two levels below the root, where the library finds ../../assets/handler.js. */
function buildChild(buildDir: string): string {
  const outfile = path.join(buildDir, 'synth-child.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'synth-child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

/** What the step that associates costs: the previous shape (one resource per association) against plain, and the step's share. */
function step(p: SynthPoint, field: 'synthMs' | 'maxRssKb'): string {
  const single = p[field].single.median / p[field].plain.median;
  return `the previous shape (one null_resource per association, no step) ${single.toFixed(2)}×, so the step costs ${(p[field].association.median / p[field].single.median).toFixed(2)}×`;
}

export async function synth(context: BenchContext): Promise<BenchResult> {
  const child = buildChild(context.buildDir);
  const sizes = context.quick ? [[1, 5], [100, 3], [1000, 3]] : [[1, 9], [100, 7], [1000, 5]];
  const points: SynthPoint[] = [];
  for (const [n, rounds] of sizes) {
    context.progress(`synth of ${n}`);
    type Run = { synthMs: number; maxRssKb: number; processMs: number };
    const runs = Object.fromEntries(KINDS.map((kind) => [kind, []])) as unknown as Record<Kind, Run[]>;
    await interleave(rounds, KINDS, async (kind) => {
      const outdir = mkdtempSync(path.join(context.buildDir, 'synth-'));
      try {
        const run = await mustTime(process.execPath, [child, kind, String(n), outdir]);
        runs[kind].push({ ...JSON.parse(run.stdout), processMs: run.ms });
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
      return 0;
    });
    const by = (field: 'synthMs' | 'maxRssKb' | 'processMs') =>
      Object.fromEntries(KINDS.map((k) => [k, summarize(runs[k].map((r) => r[field]))])) as Record<Kind, Summary>;
    points.push({ n, synthMs: by('synthMs'), maxRssKb: by('maxRssKb'), processMs: by('processMs') });
  }

  const goals: Goal[] = points.flatMap((p) => {
    const ratio = (field: 'synthMs' | 'maxRssKb', kind: Kind) => p[field][kind].median / p[field].plain.median;
    const plural = p.n === 1 ? '' : 's';
    // The ratio splits into the provisioners' JSON (provisioned / plain) and the construct (association / provisioned).
    const provisioned = (field: 'synthMs' | 'maxRssKb') =>
      `of ${ratio(field, 'association').toFixed(2)}×, the two provisioner blocks' JSON alone (the same null_resources with them, no construct) `
      + `make ${ratio(field, 'provisioned').toFixed(2)}×: cdktf resolves every value it writes, twice, and the blocks triple a null_resource's values; `
      + `the construct makes the other ${(p[field].association.median / p[field].provisioned.median).toFixed(2)}×: a scope per association, `
      + 'the step that associates (a second null_resource, whose triggers reference the first), and a validation that renders the resource once more';
    return [
      {
        id: `synth-time-${p.n}`,
        name: `synth time, ${p.n} association${plural}`,
        value: ratio('synthMs', 'association'),
        limit: LIMIT,
        unit: '×' as const,
        detail: `${ms(p.synthMs.association.median)} vs ${ms(p.synthMs.plain.median)}; provisioned null_resources ${ratio('synthMs', 'provisioned').toFixed(2)}×; `
          + `${step(p, 'synthMs')} (median of ${p.synthMs.plain.n})`,
        why: p.n === 1
          ? `one association costs a fixed ${ms(p.synthMs.association.median - p.synthMs.plain.median)} per stack (the handler asset, hashed and copied; the provider aspect; the construct's code run for the first time), `
            + `against a ${ms(p.synthMs.plain.median)} synth of one plain resource`
          : provisioned('synthMs'),
      },
      {
        id: `synth-memory-${p.n}`,
        name: `synth peak memory, ${p.n} association${plural}`,
        value: ratio('maxRssKb', 'association'),
        limit: LIMIT,
        unit: '×' as const,
        detail: `${mb(p.maxRssKb.association.median)} vs ${mb(p.maxRssKb.plain.median)} peak RSS of the process; provisioned null_resources ${ratio('maxRssKb', 'provisioned').toFixed(2)}×; `
          + step(p, 'maxRssKb'),
        why: provisioned('maxRssKb'),
      },
    ];
  });
  return { goals, data: { points } };
}
