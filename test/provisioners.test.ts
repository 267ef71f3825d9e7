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

/**
 * The synthesized association: its provisioner blocks (the association's destroy-time one, the
 * step's create-time one) and the association's literal triggers, which the step's triggers refer
 * to, so that `self.triggers` is the same in both.
 */
interface Synthesized {
  readonly stackDir: string;
  readonly blocks: any[];
  readonly triggers: Record<string, string>;
}

function synthesizeStack(): Synthesized {
  const stack = new TerraformStack(Testing.app(), 'stack');
  const association = new FpgaImageAssociation(stack, 'Assoc', { projectId: DEMO_PROJECT_ID, fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID, endpoint: emulator.url });
  const stackDir = path.join(Testing.fullSynth(stack), 'stacks', 'stack');
  const { null_resource: resources } = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')).resource;
  const blocks = Object.values(resources).flatMap((r: any) => r.provisioner.map((p: any) => p['local-exec']));
  return { stackDir, blocks, triggers: resources[association.resource.friendlyUniqueId].triggers };
}

function interpolate(value: string, triggers: Record<string, string>): string {
  return value
    .replace(/\$\{self\.triggers\.([a-z_]+)\}/g, (_, key) => triggers[key])
    .replace(/\$\{lookup\(self\.triggers, "([a-z_]+)", "([^"]*)"\)\}/g, (_, key, fallback) => triggers[key] ?? fallback)
    .replace(/\$\{path\.module\}/g, '.');
}

/** Async, like Terraform: the in-process emulator must keep answering while the handler runs. */
function runProvisioner({ blocks, triggers }: Synthesized, when: 'create' | 'destroy', cwd: string, env: NodeJS.ProcessEnv = CREDENTIALS) {
  const block = blocks.find((p: any) => p.when === when);
  const [program, ...args] = [...block.interpreter, block.command].map((v: string) => interpolate(v, triggers));
  const environment = Object.fromEntries(Object.entries(block.environment).map(([k, v]) => [k, interpolate(v as string, triggers)]));
  const { HW_ACCESS_KEY, HW_SECRET_KEY, HW_SECURITY_TOKEN, ...inherited } = process.env;
  const child = spawn(program, args, { cwd, env: { ...inherited, ...env, ...environment }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise<{ status: number | null; stderr: string }>((resolve) => child.on('close', (status) => resolve({ status, stderr })));
}

test('create associates and destroy disassociates', async () => {
  const synthesized = synthesizeStack();
  const { stackDir } = synthesized;
  const created = await runProvisioner(synthesized, 'create', stackDir);
  expect(created.stderr).toMatch(/associated/);
  expect(created.status).toBe(0);
  expect(emulator.relations()).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);

  const destroyed = await runProvisioner(synthesized, 'destroy', stackDir);
  expect(destroyed.status).toBe(0);
  expect(emulator.relations()).toEqual([]);
});

test('the synthesized stack directory is self-contained: it works after being moved', async () => {
  const synthesized = synthesizeStack();
  const { stackDir } = synthesized;
  const moved = fs.mkdtempSync(path.join(os.tmpdir(), 'moved-stack-'));
  fs.cpSync(stackDir, moved, { recursive: true });
  fs.rmSync(stackDir, { recursive: true });
  expect((await runProvisioner(synthesized, 'create', moved)).status).toBe(0);
  expect(emulator.relations()).toHaveLength(1);
});

test('credentials are never in the blocks: without any from where Terraform runs, nothing is sent', async () => {
  const synthesized = synthesizeStack();
  const { stackDir } = synthesized;
  const result = await runProvisioner(synthesized, 'create', stackDir, {});
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/HW_ACCESS_KEY/);
  expect(emulator.requests()).toEqual([]);
});

test('a destroy that the API refuses fails loudly, and succeeds once the fault clears', async () => {
  const synthesized = synthesizeStack();
  const { stackDir } = synthesized;
  expect((await runProvisioner(synthesized, 'create', stackDir)).status).toBe(0);
  emulator.addImages({ images: [{ id: IMAGE_ID, visibility: 'shared' }] });
  const refused = await runProvisioner(synthesized, 'destroy', stackDir);
  expect(refused.status).toBe(3);
  expect(refused.stderr).toMatch(/shar/i);
  expect(emulator.relations()).toHaveLength(1);

  emulator.addImages({ images: [{ id: IMAGE_ID, visibility: 'private' }] });
  expect((await runProvisioner(synthesized, 'destroy', stackDir)).status).toBe(0);
  expect(emulator.relations()).toEqual([]);
});
