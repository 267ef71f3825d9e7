/**
 * The network rule, from outside the handler: under FPGA_ASSOC_METADATA_ENDPOINT=off (what jest's
 * setup, the demo and the bench set for every process), a handler that finds no credentials opens
 * no socket and makes no DNS lookup at all: not to the ECS metadata address, not to IAM, not to the
 * API. A recorder preloaded into the process logs every attempt; the positive runs show it sees them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { INPUT_ENV, METADATA_OFF } from '../../src/contract';
import { DEMO_AGENCY } from '../../src/emulator/server';
import { envFor, runHandler, useEmulator } from '../handler/harness';

const RECORDER = path.join(__dirname, 'socket-recorder.js');
const context = useEmulator();

interface Attempt {
  readonly kind: 'connect' | 'dns' | 'udp';
  readonly host?: string;
  readonly port?: number;
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-no-network-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the handler with the recorder preloaded; returns its run and every network attempt it made. */
async function recorded(operation: string, env: Record<string, string | undefined>) {
  const file = path.join(dir, `${operation}-${Math.random().toString(36).slice(2)}.jsonl`);
  fs.writeFileSync(file, '');
  const run = await runHandler([operation], { ...env, NODE_OPTIONS: `--require ${RECORDER}`, SOCKET_RECORD_FILE: file });
  const attempts = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Attempt);
  return { run, attempts };
}

/** The inputs of an association against the emulator, with no credential from any source. */
function withoutCredentials(): Record<string, string | undefined> {
  return { ...envFor(context.emu), HW_ACCESS_KEY: undefined, HW_SECRET_KEY: undefined, [INPUT_ENV.metadataEndpoint]: METADATA_OFF };
}

describe('a handler with no credentials, the metadata source off', () => {
  test.each(['associate', 'disassociate', 'status', 'list'])('%s opens no socket, looks up no name, and says why it sent nothing', async (operation) => {
    const { run, attempts } = await recorded(operation, withoutCredentials());
    expect(attempts).toEqual([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no Huawei Cloud credentials/);
    expect(context.emu.requests()).toEqual([]);
  });

  test.each<[string, Record<string, string | undefined>]>([
    ['an invalid input', { FPGA_ASSOC_IMAGE_ID: 'not-a-uuid' }],
    ['a profile that cannot be read', { HW_SHARED_CONFIG_FILE: path.join(os.tmpdir(), 'fpga-no-such-profile.json') }],
    ['an agency and no IAM address', { FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME: DEMO_AGENCY.agencyName, FPGA_ASSOC_ASSUME_ROLE_DOMAIN_NAME: DEMO_AGENCY.domainName }],
  ])('nor does a handler with %s, whatever its credentials', async (_, overrides) => {
    const { run, attempts } = await recorded('associate', { ...envFor(context.emu), ...overrides });
    expect(attempts).toEqual([]);
    expect(run.code).toBe(2);
  });

  test('without a projectId either (the project lookup needs credentials first): still nothing', async () => {
    const { run, attempts } = await recorded('associate', {
      ...withoutCredentials(),
      FPGA_ASSOC_PROJECT_ID: undefined,
      FPGA_ASSOC_REGION: 'cn-north-1',
      HW_AUTH_URL: `${context.emu.url}/v3`,
    });
    expect(attempts).toEqual([]);
    expect(run.code).toBe(2);
  });
});

describe('the recorder sees what a handler does (so the test above can fail)', () => {
  test('with keys, the associate connects to the emulator on loopback, and only there', async () => {
    const { run, attempts } = await recorded('associate', { ...envFor(context.emu), [INPUT_ENV.metadataEndpoint]: METADATA_OFF });
    expect(run.code).toBe(0);
    const port = Number(new URL(context.emu.url).port);
    expect(attempts.filter((a) => a.kind === 'connect')).toEqual([expect.objectContaining({ host: '127.0.0.1', port })]);
  });

  test('with the metadata source pointed at the emulator, a handler without keys asks it', async () => {
    const { attempts } = await recorded('status', { ...withoutCredentials(), [INPUT_ENV.metadataEndpoint]: context.emu.url });
    expect(attempts.filter((a) => a.kind === 'connect').length).toBeGreaterThan(0);
    expect(attempts.every((a) => a.kind !== 'connect' || a.host === '127.0.0.1')).toBe(true);
  });
});
