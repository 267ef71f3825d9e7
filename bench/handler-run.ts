import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { BenchContext, BenchResult, Goal } from './lib/bench';
import { cpuTimed, mustTime, timed } from './lib/process';
import { FPGA_IMAGE_ID } from './lib/stacks';
import { interleave, median, ms, summarize, Summary } from './lib/stats';
import { INPUT_ENV } from '../src/contract';
import { startEmulatorProcess } from '../src/emulator/process';
import { DEMO_CREDENTIALS } from '../src/emulator/server';
import { CertificateDirectory } from '../test/security/certificates';

/**
 * Wall and CPU time of one handler process (one signed request to the loopback emulator) against
 * the floor, interleaved in one run. The handler runs as Terraform runs it, `sh node-launcher.sh
 * handler.js <operation>` (the launcher finds this Node on PATH), and beside it directly, `node
 * handler.js associate`, for what the launcher costs. The "floor" is the least any Node program that makes one
 * HTTP request can cost: a `node:http` (or `node:https`) GET, no signing, no checks, no output.
 * Beside them: a bare `node -e 0`, and the least undici request (./undici-request.ts) with V8's
 * default flags and with the handler's `--liftoff-only`, which say what undici itself costs.
 */

const LIMIT = 1.5;
/** A run through the launcher against a direct one. */
const LAUNCHER_LIMIT = 1.1;
/**
 * `cold` is an associate run without the code cache (FPGA_ASSOC_CODE_CACHE=off), as a machine's first
 * run is; the other handler runs use the cache, made by a first run before the rounds.
 * `direct` is an associate run without the launcher, `node handler.js associate`.
 * `compare` is an associate run of the --compare bundle, for a before/after.
 */
type Variant = 'bare' | 'floor' | 'undici' | 'undiciLiftoff' | 'associate' | 'disassociate' | 'cold' | 'direct' | 'compare';
/** The variants whose CPU time is measured too, in separate runs. */
const CPU_VARIANTS = ['bare', 'floor', 'undici', 'undiciLiftoff', 'associate', 'direct'] as const;

const FLOOR_SCRIPT = "const url = process.env.FPGA_ASSOC_ENDPOINT; require(url.startsWith('https:') ? 'node:https' : 'node:http').get(`${url}/v1/floor`, (r) => r.resume())";

export interface HandlerRunEnvironment {
  readonly name: string;
  readonly samples: Partial<Record<Variant, Summary>>;
  /** Median of the handler runs (associate and disassociate together) over the median floor run: the target. */
  readonly ratio: number;
  /** The floor's median over the bare run's. */
  readonly floorRatio: number;
  /** Median of the associate runs through the launcher over the median of the direct ones. */
  readonly launcherRatio?: number;
  /** CPU time (user + system, every thread) of the CPU_VARIANTS, when measured. */
  readonly cpu?: Partial<Record<Variant, Summary>>;
}

interface Setup {
  readonly name: string;
  readonly endpoint: string;
  readonly env: Readonly<Record<string, string>>;
  readonly variants: readonly Variant[];
  /** Makes the pair a disassociate run removes; absent when the run has no disassociate. */
  readonly associate?: (imageId: string) => Promise<void>;
  /** Also measure CPU time, in separate runs. */
  readonly cpu?: boolean;
}

/** ./undici-request.ts, bundled and minified as the handler is. */
function undiciRequestBundle(context: BenchContext): string {
  const outfile = path.join(context.buildDir, 'undici-request.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'undici-request.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // As the handler: undici's Client without node:http2 (see src/handler/no-http2.ts).
    alias: { 'node:http2': path.join(__dirname, '..', 'src', 'handler', 'no-http2.ts') },
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

async function measure(context: BenchContext, setup: Setup): Promise<HandlerRunEnvironment> {
  context.progress(`handler run: ${setup.name}`);
  const env = {
    ...process.env,
    ...setup.env,
    FPGA_ASSOC_PROJECT_ID: context.lab.target.projectId,
    FPGA_ASSOC_FPGA_IMAGE_ID: FPGA_IMAGE_ID,
    FPGA_ASSOC_ENDPOINT: setup.endpoint,
    HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
    HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey,
    // A cache of this run's own, not whatever an earlier build left in the user's.
    [INPUT_ENV.codeCache]: path.join(context.buildDir, `code-cache-${setup.name.replace(/\W+/g, '-')}`),
  };
  const undici = undiciRequestBundle(context);
  const node = (...args: string[]) => [process.execPath, ...args];
  const launched = (...args: string[]) => ['sh', context.nodeLauncher, ...args];
  const commands: Record<Variant, string[]> = {
    bare: node('-e', '0'),
    floor: node('-e', FLOOR_SCRIPT),
    undici: node(undici),
    undiciLiftoff: node(undici),
    associate: launched(context.handlerBundle, 'associate'),
    disassociate: launched(context.handlerBundle, 'disassociate'),
    cold: launched(context.handlerBundle, 'associate'),
    direct: node(context.handlerBundle, 'associate'),
    compare: launched(context.compareBundle ?? '', 'associate'),
  };
  const envOf = (variant: Variant): NodeJS.ProcessEnv => ({
    ...env,
    FPGA_ASSOC_IMAGE_ID: randomUUID(),
    BENCH_LIFTOFF_ONLY: variant === 'undiciLiftoff' ? '1' : '0',
    ...(variant === 'cold' ? { [INPUT_ENV.codeCache]: 'off' } : {}),
  });
  // The first run makes the code cache that the measured ones use.
  const first = await timed(commands.associate[0], commands.associate.slice(1), { env: envOf('associate') });
  if (first.code !== 0) throw new Error(`first handler run (${setup.name}) failed with exit code ${first.code}: ${first.stderr}`);
  const samples = await interleave(context.rounds(31, 15), setup.variants, async (variant) => {
    // Each run is the happy path, one request: a new pair to associate, an existing one to disassociate.
    const runEnv = envOf(variant);
    if (variant === 'disassociate') await setup.associate!(runEnv.FPGA_ASSOC_IMAGE_ID!);
    const run = await timed(commands[variant][0], commands[variant].slice(1), { env: runEnv });
    // A run that fails fast would look cheap: every exit code is checked.
    if (run.code !== 0) throw new Error(`${variant} run (${setup.name}) failed with exit code ${run.code}: ${run.stderr}`);
    return run.ms;
  });
  const handler = [...(samples.associate ?? []), ...(samples.disassociate ?? [])];
  return {
    name: setup.name,
    samples: Object.fromEntries(setup.variants.map((v) => [v, summarize(samples[v])])),
    ratio: median(handler) / median(samples.floor),
    floorRatio: median(samples.floor) / median(samples.bare),
    launcherRatio: samples.direct ? median(samples.associate) / median(samples.direct) : undefined,
    cpu: setup.cpu ? await measureCpu(context, envOf, commands) : undefined,
  };
}

type Samples = Partial<Record<Variant, Summary>>;

/** CPU time of the CPU_VARIANTS; undefined without bash, or if a run failed. */
async function measureCpu(
  context: BenchContext,
  envOf: (variant: Variant) => NodeJS.ProcessEnv,
  commands: Record<Variant, string[]>,
): Promise<Samples | undefined> {
  const samples = await interleave(context.rounds(31, 15), CPU_VARIANTS, async (variant) =>
    (await cpuTimed(commands[variant][0], commands[variant].slice(1), { env: envOf(variant) })) ?? NaN);
  if (CPU_VARIANTS.some((v) => samples[v].some(Number.isNaN))) return undefined;
  return Object.fromEntries(CPU_VARIANTS.map((v) => [v, summarize(samples[v])]));
}

/** The same over https, as in production: an emulator with a self-signed certificate that both sides trust. */
async function overHttps(context: BenchContext): Promise<HandlerRunEnvironment | undefined> {
  let certificates: CertificateDirectory | undefined;
  try {
    certificates = new CertificateDirectory();
    const { certFile, keyFile } = certificates.selfSigned(['127.0.0.1']);
    const emulator = await startEmulatorProcess({ args: ['--tls-cert', certFile, '--tls-key', keyFile] });
    try {
      return await measure(context, {
        name: 'https',
        endpoint: emulator.url,
        env: { NODE_EXTRA_CA_CERTS: certFile },
        variants: ['bare', 'associate', 'direct', 'floor'],
      });
    } finally {
      await emulator.stop();
    }
  } catch (error) {
    context.progress(`handler run over https skipped: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  } finally {
    certificates?.remove();
  }
}

export async function handlerRun(context: BenchContext): Promise<BenchResult> {
  // Through the launcher and directly must be the same Node, or the comparison would be of two Nodes.
  const which = await mustTime('sh', [context.nodeLauncher, '--which']);
  const picked = /: (\/.*)\n$/.exec(which.stdout)?.[1];
  if (!picked || realpathSync(picked) !== realpathSync(process.execPath)) {
    throw new Error(`the launcher would run another Node than this one (${process.execPath}): ${which.stdout.trim()}; put this Node first on PATH`);
  }
  const { emulator, target } = context.lab;
  const loopback = (name: string, env: Record<string, string>, more: readonly Variant[] = []): Setup => ({
    name,
    endpoint: target.endpoint,
    env,
    variants: ['bare', 'floor', ...more, 'associate', 'disassociate', 'cold', 'direct', ...(context.compareBundle ? ['compare' as const] : [])],
    associate: (imageId) => emulator.control.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId }]),
  });
  const clean = await measure(context, { ...loopback('clean', {}, ['undici', 'undiciLiftoff']), cpu: true });
  const environments = [clean];
  if (context.inheritedCaCerts) environments.push(await measure(context, loopback('NODE_EXTRA_CA_CERTS', { NODE_EXTRA_CA_CERTS: context.inheritedCaCerts })));
  const https = await overHttps(context);
  if (https) environments.push(https);

  const s = clean.samples as Record<Variant, Summary>;
  const handlerMs = median([s.associate.median, s.disassociate.median]);
  const launcherMs = s.associate.median - s.direct.median;
  const cpu = clean.cpu as Record<(typeof CPU_VARIANTS)[number], Summary> | undefined;
  const cpuRatio = cpu ? cpu.associate.median / cpu.floor.median : undefined;
  const goal: Goal = {
    id: 'handler-run',
    name: 'handler run vs a `node:http` request (the floor)',
    value: clean.ratio,
    limit: LIMIT,
    unit: '×',
    detail: `${ms(handlerMs)} vs ${ms(s.floor.median)} wall, median of ${s.floor.n} interleaved rounds`
      + (cpu ? `; CPU time ${ms(cpu.associate.median)} vs ${ms(cpu.floor.median)} (${cpuRatio!.toFixed(2)}×)` : '')
      + `; the least undici request ${(s.undici.median / s.floor.median).toFixed(2)}×, with \`--liftoff-only\` ${(s.undiciLiftoff.median / s.floor.median).toFixed(2)}×`
      + `; without the code cache (a machine's first run) ${(s.cold.median / s.floor.median).toFixed(2)}×`
      + `; a bare \`node -e 0\` is ${(s.bare.median / s.floor.median).toFixed(2)}× the floor`
      + (https ? `; over https the handler is ${https.ratio.toFixed(2)}× its floor` : ''),
    why: `of the ${ms(handlerMs - s.floor.median)} the handler adds to the floor as Terraform runs it, the launcher accounts for `
      + `${ms(launcherMs)} (\`node handler.js\` directly is ${(s.direct.median / s.floor.median).toFixed(2)}× the floor), undici's least request for `
      + `${ms(s.undiciLiftoff.median - s.floor.median)} (loading its JavaScript, compiling llhttp's WebAssembly with Liftoff); `
      + `the handler's own work (loading crypto, checking its inputs, signing, writing its line) the other ${ms(handlerMs - launcherMs - s.undiciLiftoff.median)}. `
      + 'Without `--liftoff-only`, V8 compiles llhttp a second time with TurboFan before the process may exit: '
      + `${ms(s.undici.median - s.undiciLiftoff.median)} more for the least undici request`,
  };
  const launcher: Goal = {
    id: 'launcher',
    name: 'handler run through the launcher vs `node handler.js`',
    value: clean.launcherRatio!,
    limit: LAUNCHER_LIMIT,
    unit: '×',
    detail: `associate: \`sh node-launcher.sh handler.js\` ${ms(s.associate.median)} vs \`node handler.js\` ${ms(s.direct.median)} wall, median of ${s.direct.n} interleaved rounds`
      + (cpu ? `; CPU time ${ms(cpu.associate.median)} vs ${ms(cpu.direct.median)}` : '')
      + (https?.launcherRatio ? `; over https ${https.launcherRatio.toFixed(2)}×` : ''),
    why: `the launcher adds ${ms(launcherMs)}: a \`sh\` start, \`command -v node\`, and an \`ls\` of the Node found, to find the note that it was checked to be 20.19+ (a \`node --version\` the first time), before it hands over with \`exec\``,
  };
  return { goals: [goal, launcher], data: { environments } };
}
