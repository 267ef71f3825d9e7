import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FpgaImageAssociation } from '../src';
import { BenchContext, BenchResult, Goal } from './lib/bench';
import { timed } from './lib/process';
import { FPGA_IMAGE_ID, imageId } from './lib/stacks';
import { interleave, median, ms, summarize, Summary } from './lib/stats';
import { mustTimeCommand, workspace } from './lib/terraform';
import { CREDENTIAL_ENV, INPUT_ENV, METADATA_OFF } from '../src/contract';
import { DEMO_CREDENTIALS, DEMO_REGION, type RequestRecord } from '../src/emulator/server';

/**
 * What the credential sources and the project look-up cost. Handler runs (one associate each)
 * interleaved with keys from the environment, from a KooCLI profile, and from the metadata service
 * (the emulator's); and a Terraform apply of N associations without `projectId`, counting the IAM
 * look-ups the whole apply makes from a cache that starts empty.
 */

const PROFILE_LIMIT = 1.05;
/** The metadata source asks for a session token, then the credentials: two loopback requests. */
const METADATA_EXTRA_REQUESTS = 2;
const N = 100;

const SOURCES = ['environment', 'profile', 'metadata'] as const;
type Source = (typeof SOURCES)[number];

export interface CredentialsData {
  readonly runMs: Record<Source, Summary>;
  /** Requests the emulator saw per run, by service. */
  readonly requests: Record<Source, Record<string, number>>;
  readonly apply: { readonly n: number; readonly projectLookups: number; readonly applyMs: number; readonly explicitApplyMs: number };
}

function writeProfile(dir: string): string {
  const file = path.join(dir, 'hcloud-config.json');
  const profile = { name: 'bench', mode: 'AKSK', accessKeyId: DEMO_CREDENTIALS.accessKey, secretAccessKey: DEMO_CREDENTIALS.secretKey, region: DEMO_REGION };
  fs.writeFileSync(file, JSON.stringify({ authEncrypt: 'false', current: 'bench', profiles: [profile] }), { mode: 0o600 });
  return file;
}

/** The services of `records`, counted. */
function byService(records: readonly RequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) counts[record.service] = (counts[record.service] ?? 0) + 1;
  return counts;
}

async function handlerRuns(context: BenchContext): Promise<Pick<CredentialsData, 'runMs' | 'requests'>> {
  const { emulator, target } = context.lab;
  const base = {
    ...process.env,
    [INPUT_ENV.projectId]: target.projectId,
    [INPUT_ENV.fpgaImageId]: FPGA_IMAGE_ID,
    [INPUT_ENV.endpoint]: target.endpoint,
    [INPUT_ENV.codeCache]: path.join(context.buildDir, 'code-cache-credentials'),
    [INPUT_ENV.metadataEndpoint]: METADATA_OFF,
  };
  const keys = { [CREDENTIAL_ENV.accessKey[0]]: DEMO_CREDENTIALS.accessKey, [CREDENTIAL_ENV.secretKey[0]]: DEMO_CREDENTIALS.secretKey };
  const envs: Record<Source, NodeJS.ProcessEnv> = {
    environment: { ...base, ...keys },
    profile: { ...base, [CREDENTIAL_ENV.sharedConfigFile]: writeProfile(context.buildDir) },
    metadata: { ...base, [INPUT_ENV.metadataEndpoint]: target.endpoint },
  };
  const requests = {} as Record<Source, Record<string, number>>;
  const run = async (source: Source) => {
    const before = (await emulator.control.requests()).length;
    const result = await timed(process.execPath, [context.handlerBundle, 'associate'], { env: { ...envs[source], [INPUT_ENV.imageId]: randomUUID() } });
    if (result.code !== 0) throw new Error(`associate with credentials from the ${source} failed with exit code ${result.code}: ${result.stderr}`);
    requests[source] = byService((await emulator.control.requests()).slice(before));
    return result.ms;
  };
  // The first runs make the code cache, and show each source works, before anything is timed.
  for (const source of SOURCES) await run(source);
  const samples = await interleave(context.rounds(31, 15), SOURCES, run);
  const runMs = Object.fromEntries(SOURCES.map((source) => [source, summarize(samples[source])])) as Record<Source, Summary>;
  return { runMs, requests };
}

/** An apply of N associations without projectId from an empty project cache, and the same with projectId, one round each. */
async function applyWithoutProject(context: BenchContext): Promise<CredentialsData['apply']> {
  const { lab } = context;
  const iam = { HW_AUTH_URL: `${lab.target.endpoint}/v3` };
  const omitted = await workspace(lab, 'without-project', (stack) => {
    for (let i = 0; i < N; i++) {
      new FpgaImageAssociation(stack, `Assoc${i}`, { fpgaImageId: FPGA_IMAGE_ID, imageId: imageId(i), region: DEMO_REGION, endpoint: lab.target.endpoint });
    }
  });
  const explicit = await workspace(lab, 'with-project', (stack) => {
    for (let i = 0; i < N; i++) {
      new FpgaImageAssociation(stack, `Assoc${i}`, { projectId: lab.target.projectId, fpgaImageId: FPGA_IMAGE_ID, imageId: imageId(i), endpoint: lab.target.endpoint });
    }
  });
  // A temp dir of its own: the handlers' private directory, and so the project cache, starts empty.
  const tmp = fs.mkdtempSync(path.join(context.buildDir, 'tmp-'));
  try {
    context.progress(`apply of ${N} associations without projectId`);
    await lab.emulator.control.reset();
    const applyMs = await mustTimeCommand(omitted, 'apply', { ...iam, TMPDIR: tmp });
    const records = await lab.emulator.control.requests();
    const projectLookups = records.filter((r) => r.service === 'iam' && r.method === 'GET' && r.path.startsWith('/v3/projects')).length;
    const made = (await lab.emulator.control.relations()).length;
    if (made !== N) throw new Error(`apply of ${N} associations without projectId made ${made}`);
    await mustTimeCommand(omitted, 'destroy', { ...iam, TMPDIR: tmp });
    context.progress(`apply of ${N} associations with projectId`);
    await lab.emulator.control.reset();
    const explicitApplyMs = await mustTimeCommand(explicit, 'apply', { TMPDIR: tmp });
    await mustTimeCommand(explicit, 'destroy', { TMPDIR: tmp });
    return { n: N, projectLookups, applyMs, explicitApplyMs };
  } finally {
    omitted.cleanup();
    explicit.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export async function credentials(context: BenchContext): Promise<BenchResult> {
  const { runMs, requests } = await handlerRuns(context);
  const apply = await applyWithoutProject(context);
  const data: CredentialsData = { runMs, requests, apply };
  const env = runMs.environment.median;
  const count = (source: Source) => Object.values(requests[source]).reduce((a, b) => a + b, 0);
  const extra = count('metadata') - count('environment');
  const goals: Goal[] = [
    {
      id: 'credentials-profile',
      name: 'handler run with a KooCLI profile vs keys in the environment',
      value: runMs.profile.median / env,
      limit: PROFILE_LIMIT,
      unit: '×',
      detail: `${ms(runMs.profile.median)} vs ${ms(env)}, median of ${runMs.environment.n} interleaved rounds`,
      why: 'reading and parsing one small JSON file should cost well under a millisecond: a miss here is noise on shared cores or a regression',
    },
    {
      id: 'credentials-metadata',
      name: 'loopback requests a handler run with metadata credentials adds',
      value: extra,
      limit: METADATA_EXTRA_REQUESTS,
      unit: 'requests',
      detail: `${JSON.stringify(requests.metadata)} against ${JSON.stringify(requests.environment)}; `
        + `${ms(runMs.metadata.median)} vs ${ms(env)} (${(runMs.metadata.median / env).toFixed(2)}×)`,
      why: 'the session-token request (PUT /meta-data/latest/api/token), then the credentials (GET /openstack/latest/securitykey)',
    },
    {
      id: 'credentials-project-lookups',
      name: `IAM project look-ups in an apply of ${N} associations without projectId`,
      value: apply.projectLookups,
      limit: 1,
      unit: 'requests',
      detail: `apply ${ms(apply.applyMs)}, against ${ms(apply.explicitApplyMs)} with projectId (${(apply.applyMs / apply.explicitApplyMs).toFixed(2)}×, one round each)`,
      why: 'the handlers of one apply share the look-up through a lock and a per-machine cache; more than one means the lock or the cache failed',
    },
  ];
  return { goals, data };
}
