/**
 * `npm run bench [-- --quick] [--rate=R] [--only=id,id] [--compare=old/handler.js]`: the benchmarks of
 * docs/BENCHMARKS.md, every one a ratio against a baseline measured in the same run, interleaved.
 * Prints a table of targets with MET or MISSED (by how much, and why), writes the results to
 * bench-results/, and after a full run of everything rewrites docs/BENCHMARKS.md and
 * docs/destroy-time.svg.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyDestroy } from './apply-destroy';
import { bundle } from './bundle';
import { credentials } from './credentials';
import { destroyCurve } from './destroy-curve';
import { firstFetch } from './first-fetch';
import { handlerRun } from './handler-run';
import { BenchContext, BenchResult, formatValue, Goal, met, verdict } from './lib/bench';
import { describeMachine, Machine } from './lib/machine';
import { closeLab, Lab, openLab } from './lib/terraform';
import { plan } from './plan';
import { benchmarksMarkdown, destroyTimeSvg } from './report';
import { synth } from './synth';
import { throttledDrain } from './throttled-drain';
import { INPUT_ENV, METADATA_OFF } from '../src/contract';

// Nothing here may reach the ECS metadata address: every handler this starts inherits the source turned off.
process.env[INPUT_ENV.metadataEndpoint] = METADATA_OFF;

const ROOT = path.join(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench-results');
const BENCHMARKS: Readonly<Record<string, (context: BenchContext) => Promise<BenchResult>>> = {
  'bundle': bundle,
  'handler-run': handlerRun,
  'first-fetch': firstFetch,
  'synth': synth,
  'apply-destroy': applyDestroy,
  'plan': plan,
  'throttled-drain': throttledDrain,
  'credentials': credentials,
  'destroy-curve': destroyCurve,
};
const USAGE = `usage: npm run bench -- [--quick] [--rate=R] [--only=${Object.keys(BENCHMARKS).join(',')}] [--compare=other/handler.js]`;

interface Options {
  readonly quick: boolean;
  readonly rate: number;
  readonly only: string[];
  readonly compare?: string;
}

function parseOptions(args: readonly string[]): Options {
  let quick = false;
  let rate = 10;
  let only = Object.keys(BENCHMARKS);
  let compare: string | undefined;
  for (const arg of args) {
    const [name, value] = arg.split('=', 2);
    if (arg === '--quick') quick = true;
    else if (name === '--rate' && Number(value) > 0) rate = Number(value);
    else if (name === '--only' && value?.split(',').every((id) => id in BENCHMARKS)) only = value.split(',');
    else if (name === '--compare' && value && existsSync(value)) compare = path.resolve(value);
    else throw new Error(`${arg}: not an option. ${USAGE}`);
  }
  return { quick, rate, only, compare };
}

export interface Report {
  readonly command: string;
  readonly quick: boolean;
  readonly machine: Machine;
  readonly wallMs: number;
  readonly goals: readonly (Goal & { readonly met: boolean; readonly verdict: string })[];
  readonly results: Readonly<Record<string, unknown>>;
  readonly errors: Readonly<Record<string, string>>;
}

function table(goals: Report['goals']): string {
  const rows = goals.map((g) => [g.name, formatValue(g), `${g.unit === 'failures' ? '' : '≤ '}${formatValue({ unit: g.unit, value: g.limit })}`, g.verdict]);
  const header = ['target', 'measured', 'limit', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  // A CA bundle in NODE_EXTRA_CA_CERTS is read by every Node process at start-up, baseline included:
  // it is measured apart (handler-run), and kept out of everything else.
  const inheritedCaCerts = process.env.NODE_EXTRA_CA_CERTS;
  delete process.env.NODE_EXTRA_CA_CERTS;
  const handlerBundle = path.join(ROOT, 'assets', 'handler.js');
  const nodeLauncher = path.join(ROOT, 'assets', 'node-launcher.sh');
  for (const file of [handlerBundle, nodeLauncher]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npx projen bundle\` (npm run bench does)`);
  }
  const buildDir = path.join(RESULTS, 'build');
  mkdirSync(buildDir, { recursive: true });

  let lab: Lab | undefined;
  const results: Record<string, BenchResult> = {};
  const errors: Record<string, string> = {};
  try {
    lab = await openLab();
    const machine = describeMachine(`${lab.cli.binaryName} ${(lab.cli as { version?: string }).version ?? ''}`.trim());
    const progress = (line: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
    const context: BenchContext = {
      quick: options.quick,
      lab,
      handlerBundle,
      nodeLauncher,
      inheritedCaCerts,
      compareBundle: options.compare,
      rate: options.rate,
      buildDir,
      rounds: (full, quick) => (options.quick ? quick : full),
      progress,
    };
    for (const id of options.only) {
      progress(id);
      try {
        results[id] = await BENCHMARKS[id](context);
      } catch (error) {
        errors[id] = (error as Error).stack ?? String(error);
        progress(`${id} failed: ${(error as Error).message}`);
      }
    }
    machine.loadAverage.end = os.loadavg()[0];

    const goals = Object.values(results).flatMap((r) => r.goals).map((g) => ({ ...g, met: met(g), verdict: verdict(g) }));
    const report: Report = {
      command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      quick: options.quick,
      machine,
      wallMs: Date.now() - started,
      goals,
      results: Object.fromEntries(Object.entries(results).map(([id, r]) => [id, r.data])),
      errors,
    };
    const stamp = machine.date.replace(/[:.]/g, '-');
    writeFileSync(path.join(RESULTS, `${options.quick ? 'quick-' : ''}${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);

    console.log(`\n${table(goals)}\n`);
    for (const goal of goals.filter((g) => !g.met)) console.log(`${goal.name}: ${goal.verdict}: ${goal.why ?? ''}`);
    for (const [id, error] of Object.entries(errors)) console.log(`${id}: FAILED TO RUN: ${error.split('\n')[0]}`);

    const complete = options.only.length === Object.keys(BENCHMARKS).length && Object.keys(errors).length === 0;
    if (complete && !options.quick) {
      writeFileSync(path.join(ROOT, 'docs', 'BENCHMARKS.md'), benchmarksMarkdown(report));
      writeFileSync(path.join(ROOT, 'docs', 'destroy-time.svg'), destroyTimeSvg(report));
      console.log('docs/BENCHMARKS.md and docs/destroy-time.svg rewritten');
    } else {
      console.log('docs/ left as they are: only a full run of every benchmark rewrites them');
    }
    console.log(`results: bench-results/latest.json (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    return Object.keys(errors).length === 0 ? 0 : 1;
  } finally {
    await closeLab(lab);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  },
);
