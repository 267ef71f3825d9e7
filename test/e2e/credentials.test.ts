/**
 * Credentials and the project where Huawei Cloud users keep them, through real Terraform and OpenTofu
 * against the emulator (whose IAM and metadata services stand in for Huawei's): a user with only a
 * KooCLI profile and no projectId, a runner with only the ECS metadata service, an agency assumed with
 * the assumeRole prop, and an association moved between an omitted and an explicit projectId. After
 * each destroy, nothing is left in the cloud, and no credential was written anywhere.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { availableClis, Cli, sortPairs, Workspace } from './workspace';
import { FpgaImageAssociation, FpgaImageAssociations, FpgaImageAssociationsProps } from '../../src';
import { INPUT_ENV } from '../../src/contract';
import { EmulatorProcess, startEmulatorProcess } from '../../src/emulator/process';
import { DEMO_AGENCY, DEMO_CREDENTIALS, DEMO_REGION, type RequestRecord } from '../../src/emulator/server';

const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const IMAGES = ['18efee75-e058-4c52-a49c-9e3ba4d1c8de', '27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11', '9c1d3f7e-2b4a-4e6f-8a0b-1c2d3e4f5a6b'];
const KEYS = { HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey, HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey };

let emulator: EmulatorProcess;
let clis: Cli[];
let scratch: string;

beforeAll(async () => {
  clis = await availableClis();
  emulator = await startEmulatorProcess();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-e2e-credentials-'));
}, 600_000);
afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});
beforeEach(() => emulator.control.reset());

/** The IAM URL a user points HW_AUTH_URL at, and a temp dir of the run's own: its project cache starts empty. */
function iamAndFreshCache(): Record<string, string> {
  return { HW_AUTH_URL: `${emulator.url}/v3`, TMPDIR: fs.mkdtempSync(path.join(scratch, 'tmp-')) };
}

function many(props: Partial<FpgaImageAssociationsProps> = {}): FpgaImageAssociationsProps {
  return { fpgaImageId: FPGA_IMAGE_ID, imageIds: IMAGES, region: DEMO_REGION, endpoint: emulator.url, ...props };
}

function requestsOf(records: readonly RequestRecord[], service: string, method?: string, pathPrefix = ''): RequestRecord[] {
  return records.filter((r) => r.service === service && (method === undefined || r.method === method) && r.path.startsWith(pathPrefix));
}

async function relations() {
  return sortPairs(await emulator.control.relations());
}

/** Apply, a plan with nothing to do, destroy: the pairs are made, agree with the state, and are all gone at the end. */
async function applyPlanDestroy(ws: Workspace, expected: number, env: Record<string, string>) {
  const applied = await ws.apply([], env);
  if (applied.status !== 0) throw new Error(`apply exited ${applied.status}:\n${applied.stdout}\n${applied.stderr}`);
  expect(await relations()).toHaveLength(expected);
  expect(await ws.statePairs()).toEqual(await relations());
  expect((await ws.run(['plan', '-detailed-exitcode', '-input=false', '-no-color'], env)).status).toBe(0);
  const applyRequests = await emulator.control.requests();
  expect((await ws.destroy([], env)).status).toBe(0);
  expect(await relations()).toEqual([]);
  return applyRequests;
}

describe.each((process.env.FPGA_E2E_CLIS ?? 'terraform,tofu').split(','))('%s', (name) => {
  let cli: Cli | undefined;
  beforeAll(() => {
    cli = clis.find((c) => c.binaryName === name);
  });

  /** A workspace whose commands get `env` and nothing of the demo keys unless `env` has them. */
  function workspace(env: Record<string, string>): Workspace {
    return new Workspace(cli!, env, `credentials-${name}`);
  }

  test('only a KooCLI profile, no projectId: one IAM look-up for a whole apply of three associations, then nothing left', async () => {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    const file = path.join(scratch, `config-${name}.json`);
    const profile = { name: 'deploy', mode: 'AKSK', accessKeyId: DEMO_CREDENTIALS.accessKey, secretAccessKey: DEMO_CREDENTIALS.secretKey, region: DEMO_REGION };
    fs.writeFileSync(file, JSON.stringify({ authEncrypt: 'false', current: 'other', profiles: [{ name: 'other', mode: 'AKSK' }, profile] }), { mode: 0o600 });
    const ws = workspace({ HW_SHARED_CONFIG_FILE: file, HW_PROFILE: 'deploy' }).synth((stack) => new FpgaImageAssociations(stack, 'Gpus', many()));
    try {
      await ws.init();
      const applyRequests = await applyPlanDestroy(ws, IMAGES.length, iamAndFreshCache());
      expect(requestsOf(applyRequests, 'iam', 'GET', '/v3/projects')).toHaveLength(1);
      expect(ws.everythingWritten()).not.toContain(DEMO_CREDENTIALS.secretKey);
      expect(ws.everythingWritten()).not.toContain(DEMO_CREDENTIALS.accessKey);
    } finally {
      ws.cleanup();
    }
  });

  test('only the ECS metadata service: temporary credentials, no key anywhere, then nothing left', async () => {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    const ws = workspace({ [INPUT_ENV.metadataEndpoint]: emulator.url })
      .synth((stack) => new FpgaImageAssociation(stack, 'Assoc', { projectId: emulator.projectId, fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGES[0], endpoint: emulator.url }));
    try {
      await ws.init();
      const applyRequests = await applyPlanDestroy(ws, 1, {});
      expect(requestsOf(applyRequests, 'metadata', 'GET', '/openstack/latest/securitykey').length).toBeGreaterThan(0);
      const temporary = await metadataCredential();
      for (const secret of [temporary.access, temporary.secret, temporary.securitytoken]) expect(ws.everythingWritten()).not.toContain(secret);
    } finally {
      ws.cleanup();
    }
  });

  test('an agency assumed with the assumeRole prop, no projectId: the delegating account\'s project, then nothing left', async () => {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    const assumeRole = { agencyName: DEMO_AGENCY.agencyName, domainName: DEMO_AGENCY.domainName };
    const ws = workspace(KEYS).synth((stack) => new FpgaImageAssociations(stack, 'Gpus', many({ imageIds: IMAGES.slice(0, 2), assumeRole })));
    try {
      await ws.init();
      const applyRequests = await applyPlanDestroy(ws, 2, iamAndFreshCache());
      expect(requestsOf(applyRequests, 'iam', 'POST', '/v3.0/OS-CREDENTIAL/securitytokens').length).toBeGreaterThan(0);
      expect(requestsOf(applyRequests, 'iam', 'GET', '/v3/projects')).toHaveLength(1);
      const destroyRequests = (await emulator.control.requests()).slice(applyRequests.length);
      expect(requestsOf(destroyRequests, 'iam', 'POST', '/v3.0/OS-CREDENTIAL/securitytokens').length).toBeGreaterThan(0);
    } finally {
      ws.cleanup();
    }
  });

  test('moving between an omitted and an explicit projectId replaces the pair: one DELETE, one POST, and destroy leaves nothing', async () => {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    const props = { fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGES[0], region: DEMO_REGION, endpoint: emulator.url };
    const env = iamAndFreshCache();
    const ws = workspace(KEYS).synth((stack) => new FpgaImageAssociation(stack, 'Assoc', props));
    try {
      await ws.init();
      expect((await ws.apply([], env)).status).toBe(0);
      for (const projectId of [emulator.projectId, undefined]) {
        await emulator.control.reset();
        await emulator.control.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGES[0] }]);
        ws.synth((stack) => new FpgaImageAssociation(stack, 'Assoc', { ...props, projectId }));
        expect((await ws.apply([], env)).status).toBe(0);
        expect(requestsOf(await emulator.control.requests(), 'ecs').map((r) => r.method)).toEqual(['DELETE', 'POST']);
        expect(await relations()).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGES[0] }]);
        expect((await ws.run(['plan', '-detailed-exitcode', '-input=false', '-no-color'], env)).status).toBe(0);
      }
      expect((await ws.destroy([], env)).status).toBe(0);
      expect(await relations()).toEqual([]);
    } finally {
      ws.cleanup();
    }
  });
});

/** The credential the emulator's metadata service hands out now (the one the handlers got: it lasts an hour). */
async function metadataCredential(): Promise<{ access: string; secret: string; securitytoken: string }> {
  const token = await (await fetch(`${emulator.url}/meta-data/latest/api/token`, { method: 'PUT', headers: { 'X-Metadata-Token-Ttl-Seconds': '60' } })).text();
  const answer = await fetch(`${emulator.url}/openstack/latest/securitykey`, { headers: { 'X-Metadata-Token': token } });
  return ((await answer.json()) as { credential: { access: string; secret: string; securitytoken: string } }).credential;
}
