import { randomUUID } from 'node:crypto';
import { BenchContext, BenchResult, Goal } from './lib/bench';
import { cpuTimed, timed } from './lib/process';
import { FPGA_IMAGE_ID } from './lib/stacks';
import { interleave, median, ms, summarize, Summary } from './lib/stats';
import { startEmulatorProcess } from '../src/emulator/process';
import { DEMO_CREDENTIALS } from '../src/emulator/server';
import { CertificateDirectory } from '../test/security/certificates';

/**
 * Wall time of one handler process (one signed request to the loopback emulator) against a bare
 * `node -e 0`, interleaved in one run. The "floor" is the least any Node program that makes one
 * HTTP request can cost: a `node:http` (or `node:https`) GET, no signing, no checks, no output.
 */

const LIMIT = 1.5;
/**
 * `fetch` is the floor with Node's built-in fetch (undici) instead of node:http; `compare` is an
 * associate run of the --compare bundle, for a before/after.
 */
type Variant = 'bare' | 'associate' | 'disassociate' | 'floor' | 'fetch' | 'compare';

const FLOOR_SCRIPT = "const url = process.env.FPGA_ASSOC_ENDPOINT; require(url.startsWith('https:') ? 'node:https' : 'node:http').get(`${url}/v1/floor`, (r) => r.resume())";

export interface HandlerRunEnvironment {
  readonly name: string;
  readonly samples: Partial<Record<Variant, Summary>>;
  /** Median of the handler runs (associate and disassociate together) over the median bare run. */
  readonly ratio: number;
  readonly floorRatio: number;
  /** CPU time (user + system) of bare, associate and floor runs, when measured. */
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
  };
  const commands: Record<Variant, string[]> = {
    bare: ['-e', '0'],
    associate: [context.handlerBundle, 'associate'],
    disassociate: [context.handlerBundle, 'disassociate'],
    floor: ['-e', FLOOR_SCRIPT],
    fetch: ['-e', 'fetch(`${process.env.FPGA_ASSOC_ENDPOINT}/v1/floor`).then((r) => r.text())'],
    compare: [context.compareBundle ?? '', 'associate'],
  };
  const samples = await interleave(context.rounds(31, 15), setup.variants, async (variant) => {
    // Each run is the happy path, one request: a new pair to associate, an existing one to disassociate.
    const imageId = randomUUID();
    if (variant === 'disassociate') await setup.associate!(imageId);
    const run = await timed(process.execPath, commands[variant], { env: { ...env, FPGA_ASSOC_IMAGE_ID: imageId } });
    if (run.code !== 0) throw new Error(`${variant} run (${setup.name}) failed with exit code ${run.code}: ${run.stderr}`);
    return run.ms;
  });
  const bare = median(samples.bare);
  const handler = [...(samples.associate ?? []), ...(samples.disassociate ?? [])];
  return {
    name: setup.name,
    samples: Object.fromEntries(setup.variants.map((v) => [v, summarize(samples[v])])),
    ratio: median(handler) / bare,
    floorRatio: median(samples.floor) / bare,
    cpu: setup.cpu ? await measureCpu(context, env, commands) : undefined,
  };
}

type Samples = Partial<Record<Variant, Summary>>;

/** CPU time of bare, associate and floor runs; undefined without bash. */
async function measureCpu(context: BenchContext, env: NodeJS.ProcessEnv, commands: Record<Variant, string[]>): Promise<Samples | undefined> {
  const variants = ['bare', 'associate', 'floor'] as const;
  const samples = await interleave(context.rounds(31, 15), variants, async (variant) =>
    (await cpuTimed(process.execPath, commands[variant], { env: { ...env, FPGA_ASSOC_IMAGE_ID: randomUUID() } })) ?? NaN);
  if (variants.some((v) => samples[v].some(Number.isNaN))) return undefined;
  return Object.fromEntries(variants.map((v) => [v, summarize(samples[v])]));
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
        variants: ['bare', 'associate', 'floor'],
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
  const { emulator, target } = context.lab;
  const loopback = (name: string, env: Record<string, string>): Setup => ({
    name,
    endpoint: target.endpoint,
    env,
    variants: ['bare', 'associate', 'disassociate', 'floor', ...(context.compareBundle ? ['compare' as const] : [])],
    associate: (imageId) => emulator.control.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId }]),
  });
  const clean = await measure(context, { ...loopback('clean', {}), cpu: true, variants: [...loopback('clean', {}).variants, 'fetch'] });
  const environments = [clean];
  if (context.inheritedCaCerts) environments.push(await measure(context, loopback('NODE_EXTRA_CA_CERTS', { NODE_EXTRA_CA_CERTS: context.inheritedCaCerts })));
  const https = await overHttps(context);
  if (https) environments.push(https);

  const s = clean.samples as Record<Variant, Summary>;
  const handlerMs = median([s.associate.median, s.disassociate.median]);
  const goal: Goal = {
    id: 'handler-run',
    name: 'handler run vs `node -e 0`',
    value: clean.ratio,
    limit: LIMIT,
    unit: '×',
    detail: `${ms(handlerMs)} vs ${ms(s.bare.median)}, median of ${s.bare.n} interleaved rounds; `
      + `a bare node:http GET (the floor) is ${clean.floorRatio.toFixed(2)}×${https ? `; over https ${https.ratio.toFixed(2)}× (floor ${https.floorRatio.toFixed(2)}×)` : ''}`
      + (clean.cpu ? `; CPU time ${ms(clean.cpu.associate!.median)} vs ${ms(clean.cpu.bare!.median)} (${(clean.cpu.associate!.median / clean.cpu.bare!.median).toFixed(2)}×)` : ''),
    why: `any Node process that makes one HTTP request costs ${clean.floorRatio.toFixed(2)}× a bare start here (the floor: \`node:http\` GET, nothing else)`
      + (clean.floorRatio >= LIMIT
        ? ', already beyond the target, so no handler can meet it on this machine'
        : `, which leaves ${ms((LIMIT - clean.floorRatio) * s.bare.median)} for the handler's own work`)
      + `; the handler adds ${ms(handlerMs - s.floor.median)} to the floor: loading crypto (to sign) and https/tls (which production needs), `
      + `checking its inputs, signing, writing its line${https ? `. Over https, as in production, it costs ${https.ratio.toFixed(2)}× against a floor of ${https.floorRatio.toFixed(2)}×` : ''}`,
  };
  return { goals: [goal], data: { environments } };
}
