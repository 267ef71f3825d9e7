import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { BenchContext, BenchResult } from './lib/bench';
import { mustTime, timed } from './lib/process';
import { FPGA_IMAGE_ID, imageId } from './lib/stacks';
import { interleave, summarize, Summary } from './lib/stats';
import { DEMO_CREDENTIALS } from '../src/emulator/server';

/**
 * The handler bundle: its size, how long `require()` of it takes in a fresh process (compiling and
 * running it, and loading the Node built-ins it imports), and which built-ins a whole run loads
 * beyond those a bare `node -e 0` has. No target: these explain the handler-run ratio.
 */

/** Prints the milliseconds `require(bundle)` took; the handler then stops at its usage check, sending nothing. */
const REQUIRE_SCRIPT = 'const t = performance.now(); require(process.env.BENCH_BUNDLE); process.stdout.write(String(performance.now() - t));';

/** Runs `BENCH_MODULES_OF status` (or nothing) and prints the built-ins loaded as the last line of stderr. */
const MODULES_SCRIPT = [
  "process.on('exit', () => process.stderr.write('\\n' + JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)))));",
  'if (process.env.BENCH_MODULES_OF) { process.argv.splice(1, 0, process.env.BENCH_MODULES_OF, "status"); require(process.env.BENCH_MODULES_OF); }',
].join('\n');

export interface BundleData {
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly requireMs: Summary;
  readonly builtinsBare: number;
  readonly builtinsRun: number;
  /** Built-ins a `status` run loads that `node -e 0` does not, in load order. */
  readonly builtinsAdded: string[];
}

async function builtins(context: BenchContext, script?: string): Promise<string[]> {
  const { target } = context.lab;
  const run = await mustTime(process.execPath, ['-e', MODULES_SCRIPT], {
    env: {
      ...process.env,
      BENCH_MODULES_OF: script ?? '',
      FPGA_ASSOC_PROJECT_ID: target.projectId,
      FPGA_ASSOC_FPGA_IMAGE_ID: FPGA_IMAGE_ID,
      FPGA_ASSOC_IMAGE_ID: imageId(0),
      FPGA_ASSOC_ENDPOINT: target.endpoint,
      HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
      HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey,
    },
  });
  return JSON.parse(run.stderr.trim().split('\n').pop()!) as string[];
}

export async function bundle(context: BenchContext): Promise<BenchResult> {
  const bytes = readFileSync(context.handlerBundle);
  const samples = await interleave(context.rounds(31, 15), ['require'] as const, async () => {
    const run = await timed(process.execPath, ['-e', REQUIRE_SCRIPT], { env: { ...process.env, BENCH_BUNDLE: context.handlerBundle } });
    // The usage check exits with 2, by design.
    if (run.code !== 2 || !/^\d+(\.\d+)?$/.test(run.stdout)) throw new Error(`require() of the bundle failed (exit ${run.code}): ${run.stderr}`);
    return Number(run.stdout);
  });
  const bare = await builtins(context);
  const run = await builtins(context, context.handlerBundle);
  const data: BundleData = {
    bytes: bytes.length,
    gzipBytes: gzipSync(bytes).length,
    requireMs: summarize(samples.require),
    builtinsBare: bare.length,
    builtinsRun: run.length,
    builtinsAdded: run.filter((m) => !bare.includes(m)),
  };
  return { goals: [], data };
}
