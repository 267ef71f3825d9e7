/**
 * `cdktf deploy` / `cdktf destroy` (cdktf-cli) on this repository's example app (cdktf.json at the
 * root), as a user runs them. `--skip-provider-lock` because cdktf would otherwise ask the public
 * registry for checksums of other platforms, which an air-gapped machine cannot reach.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { availableClis, Cli } from './workspace';
import { emulatorAppEnvironment } from '../../examples/emulator-environment';
import { EmulatorProcess, startEmulatorProcess } from '../../src/emulator/process';
import { DEMO_CREDENTIALS } from '../../src/emulator/server';

const ROOT = path.join(__dirname, '..', '..');
const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const ECS_IMAGE_ID = '27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11';

let emulator: EmulatorProcess;
let clis: Cli[];
let outdir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  clis = await availableClis();
  emulator = await startEmulatorProcess();
}, 600_000);

afterAll(() => emulator?.stop());

function prepare(cli: Cli): void {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-cdktf-cli-'));
  env = {
    ...process.env,
    ...cli.env,
    CI: '1',
    ...emulatorAppEnvironment({ ...emulator, fpgaImageId: FPGA_IMAGE_ID, imageId: ECS_IMAGE_ID, statePath: path.join(outdir, 'terraform.fpga-demo.tfstate') }),
  };
}

function cdktf(...args: string[]): Promise<{ status: number | null; output: string }> {
  const cli = require.resolve('cdktf-cli/bundle/bin/cdktf');
  const child = spawn(process.execPath, [cli, ...args, '--output', outdir, '--skip-provider-lock', '--auto-approve', 'fpga-demo'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, output })));
}

test.each(['terraform', 'tofu'])('cdktf deploy associates and cdktf destroy disassociates, with %s', async (name) => {
  const cli = clis.find((c) => c.binaryName === name);
  if (!cli) return console.warn(`${name} is not available here; skipped`);
  prepare(cli);
  await emulator.control.reset();
  const deployed = await cdktf('deploy');
  expect(deployed.status).toBe(0);
  expect(await emulator.control.relations()).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: ECS_IMAGE_ID }]);
  expect(fs.existsSync(env.FPGA_DEMO_STATE_PATH!)).toBe(true);

  const destroyed = await cdktf('destroy');
  expect(destroyed.status).toBe(0);
  expect(await emulator.control.relations()).toEqual([]);

  const state = fs.readFileSync(env.FPGA_DEMO_STATE_PATH!, 'utf8');
  for (const text of [deployed.output, destroyed.output, state]) expect(text).not.toContain(DEMO_CREDENTIALS.secretKey);
  fs.rmSync(outdir, { recursive: true, force: true });
}, 180_000);
