/**
 * Runs the synthesized provisioners the way Terraform's local-exec runs them: `interpreter` plus
 * `command` as argv (no shell), `environment` with `self.triggers.*` and `path.module` substituted,
 * inheriting the caller's environment, from the stack directory. The real-Terraform runs are in test/e2e.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { FpgaImageAssociation } from '../src';
import { DEMO_CREDENTIALS, DEMO_PROJECT_ID, FpgaApiEmulator } from '../src/emulator/server';

const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const IMAGE_ID = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
const CREDENTIALS = { HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey, HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey };

let emulator: FpgaApiEmulator;
beforeAll(async () => {
  emulator = await FpgaApiEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

function synthesizeStack(): { stackDir: string; resource: any } {
  const stack = new TerraformStack(Testing.app(), 'stack');
  new FpgaImageAssociation(stack, 'Assoc', { projectId: DEMO_PROJECT_ID, fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID, endpoint: emulator.url });
  const stackDir = path.join(Testing.fullSynth(stack), 'stacks', 'stack');
  const json = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
  const [resource] = Object.values(json.resource.null_resource) as any[];
  return { stackDir, resource };
}

function interpolate(value: string, triggers: Record<string, string>): string {
  return value
    .replace(/\$\{self\.triggers\.([a-z_]+)\}/g, (_, key) => triggers[key])
    .replace(/\$\{path\.module\}/g, '.');
}

/** Async, like Terraform: the in-process emulator must keep answering while the handler runs. */
function runProvisioner(resource: any, when: 'create' | 'destroy', cwd: string, env: NodeJS.ProcessEnv = CREDENTIALS) {
  const block = resource.provisioner.map((p: any) => p['local-exec']).find((p: any) => p.when === when);
  const [program, ...args] = [...block.interpreter, block.command].map((v: string) => interpolate(v, resource.triggers));
  const environment = Object.fromEntries(Object.entries(block.environment).map(([k, v]) => [k, interpolate(v as string, resource.triggers)]));
  const { HW_ACCESS_KEY, HW_SECRET_KEY, HW_SECURITY_TOKEN, ...inherited } = process.env;
  const child = spawn(program, args, { cwd, env: { ...inherited, ...env, ...environment }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise<{ status: number | null; stderr: string }>((resolve) => child.on('close', (status) => resolve({ status, stderr })));
}

test('create associates and destroy disassociates', async () => {
  const { stackDir, resource } = synthesizeStack();
  const created = await runProvisioner(resource, 'create', stackDir);
  expect(created.stderr).toMatch(/associated/);
  expect(created.status).toBe(0);
  expect(emulator.relations()).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);

  const destroyed = await runProvisioner(resource, 'destroy', stackDir);
  expect(destroyed.status).toBe(0);
  expect(emulator.relations()).toEqual([]);
});

test('the synthesized stack directory is self-contained: it works after being moved', async () => {
  const { stackDir, resource } = synthesizeStack();
  const moved = fs.mkdtempSync(path.join(os.tmpdir(), 'moved-stack-'));
  fs.cpSync(stackDir, moved, { recursive: true });
  fs.rmSync(stackDir, { recursive: true });
  expect((await runProvisioner(resource, 'create', moved)).status).toBe(0);
  expect(emulator.relations()).toHaveLength(1);
});

test('credentials come only from the environment: without them nothing is sent', async () => {
  const { stackDir, resource } = synthesizeStack();
  const result = await runProvisioner(resource, 'create', stackDir, {});
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/HW_ACCESS_KEY/);
  expect(emulator.requests()).toEqual([]);
});

test('a destroy that the API refuses fails loudly, and succeeds once the fault clears', async () => {
  const { stackDir, resource } = synthesizeStack();
  expect((await runProvisioner(resource, 'create', stackDir)).status).toBe(0);
  emulator.addImages({ images: [{ id: IMAGE_ID, visibility: 'shared' }] });
  const refused = await runProvisioner(resource, 'destroy', stackDir);
  expect(refused.status).toBe(3);
  expect(refused.stderr).toMatch(/shar/i);
  expect(emulator.relations()).toHaveLength(1);

  emulator.addImages({ images: [{ id: IMAGE_ID, visibility: 'private' }] });
  expect((await runProvisioner(resource, 'destroy', stackDir)).status).toBe(0);
  expect(emulator.relations()).toEqual([]);
});
