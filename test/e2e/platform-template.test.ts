/**
 * The platform template (examples/platform-template.ts) as product teams use it: one app, two stacks
 * stamped from the same template, applied with real Terraform against the emulator. One lists its
 * images in code, the other takes them from a variable; reordering either list plans no change.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { availableClis, Cli, Workspace } from './workspace';
import { definePlatformStacks, PlatformInputs } from '../../examples/platform-template';
import { FpgaImageAssociations, RemovedFpgaImageAssociation } from '../../src';
import { EmulatorProcess, startEmulatorProcess } from '../../src/emulator/process';
import { DEMO_CREDENTIALS } from '../../src/emulator/server';

const VIDEO_FPGA = '4010a32b5f231f04015f24259efd0429';
const GENOMICS_FPGA = '5020b43c6f342f15126f35360afe1530';
const [A, B, C, D, E] = [
  '18efee75-e058-4c52-a49c-9e3ba4d1c8de',
  '27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11',
  '9c1d3f7e-2b4a-4e6f-8a0b-1c2d3e4f5a6b',
  'a3b4c5d6-e7f8-4a9b-8c0d-1e2f3a4b5c6d',
  'e5f60718-293a-4b4c-9d5e-6f708192a3b4',
];
const CREDENTIALS = { HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey, HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey };

let emulator: EmulatorProcess;
let cli: Cli;

beforeAll(async () => {
  [cli] = await availableClis();
  emulator = await startEmulatorProcess();
}, 600_000);
afterAll(() => emulator?.stop());
beforeEach(() => emulator.control.reset());

/** One stack of an app that has several, synthesized together into `appDir`. */
class AppStack extends Workspace {
  constructor(
    private readonly appDir: string,
    private readonly stack: string,
  ) {
    super(cli, CREDENTIALS, stack);
    fs.rmSync(this.outdir, { recursive: true, force: true });
  }

  get dir(): string {
    return path.join(this.appDir, 'stacks', this.stack);
  }

  async outputs(): Promise<Record<string, unknown>> {
    const { stdout } = await this.mustRun(['output', '-json', '-no-color']);
    return Object.fromEntries(Object.entries(JSON.parse(stdout)).map(([name, output]: [string, any]) => [name, output.value]));
  }
}

/** Synthesizes the example app, as `cdktf synth` would, into `appDir`. */
function synthApp(appDir: string, videoImageIds: string[]): void {
  const inputs: PlatformInputs = {
    projectId: emulator.projectId,
    endpoint: emulator.url,
    video: { fpgaImageId: VIDEO_FPGA, imageIds: videoImageIds },
    genomics: { fpgaImageId: GENOMICS_FPGA },
  };
  const app = new App({ outdir: appDir });
  // Each stack's state in its own directory: cdktf's default puts it in this process's cwd (the repo).
  for (const stack of definePlatformStacks(app, inputs)) new LocalBackend(stack, { path: 'terraform.tfstate' });
  app.synth();
}

const genomicsVar = (ids: string[]) => [`-var=ecs_image_ids=${JSON.stringify(ids)}`];

async function relationsOf(fpgaImageId: string): Promise<string[]> {
  return (await emulator.control.relations())
    .filter((r) => r.fpgaImageId === fpgaImageId)
    .map((r) => r.imageId)
    .sort();
}

test('two stacks stamped from the template apply, output their associations, ignore reordering, and remove exactly what was removed', async () => {
  const appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-platform-'));
  const video = new AppStack(appDir, 'video');
  const genomics = new AppStack(appDir, 'genomics');
  try {
    synthApp(appDir, [A, B, C]);
    await Promise.all([video.init(), genomics.init()]);
    const applied = await Promise.all([video.apply(), genomics.apply(genomicsVar([D, E]))]);
    expect(applied.map((r) => r.status)).toEqual([0, 0]);
    expect(await relationsOf(VIDEO_FPGA)).toEqual([A, B, C]);
    expect(await relationsOf(GENOMICS_FPGA)).toEqual([D, E]);

    expect(await video.outputs()).toEqual({
      association_ids: { [A]: `${VIDEO_FPGA}/${A}`, [B]: `${VIDEO_FPGA}/${B}`, [C]: `${VIDEO_FPGA}/${C}` },
      fpga_image_id: VIDEO_FPGA,
    });
    expect(await genomics.outputs()).toEqual({
      association_ids: { [D]: `${GENOMICS_FPGA}/${D}`, [E]: `${GENOMICS_FPGA}/${E}` },
      fpga_image_id: GENOMICS_FPGA,
    });
    // The drift check ran in both applies and found nothing to report.
    for (const result of applied) expect(result.stdout + result.stderr).not.toContain('Check block assertion');

    // Reordered: in code (re-synthesized) and in the variable. Nothing to do; the only requests are
    // the drift check's queries, one per pair.
    synthApp(appDir, [C, A, B]);
    const before = (await emulator.control.requests()).length;
    expect(await video.planExitCode()).toBe(0);
    expect((await genomics.run(['plan', '-detailed-exitcode', '-input=false', '-no-color', ...genomicsVar([E, D])])).status).toBe(0);
    const sent = (await emulator.control.requests()).slice(before);
    expect(sent.map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'GET', 'GET']);

    // B removed from the list: only B is disassociated.
    synthApp(appDir, [C, A]);
    const removed = await video.apply();
    expect(removed.status).toBe(0);
    expect(removed.stdout).toContain('0 added, 0 changed, 2 destroyed');
    expect(await relationsOf(VIDEO_FPGA)).toEqual([A, C]);
    expect(await relationsOf(GENOMICS_FPGA)).toEqual([D, E]);

    const destroyed = await Promise.all([video.destroy(), genomics.destroy(genomicsVar([D, E]))]);
    expect(destroyed.map((r) => r.status)).toEqual([0, 0]);
    expect(await emulator.control.relations()).toEqual([]);
    for (const ws of [video, genomics]) {
      expect(ws.everythingWritten()).not.toContain(DEMO_CREDENTIALS.secretKey);
      expect(ws.everythingWritten()).not.toContain(DEMO_CREDENTIALS.accessKey);
    }
  } finally {
    fs.rmSync(appDir, { recursive: true, force: true });
  }
}, 180_000);

test("a bad ID in the variable fails the apply with the handler's clear error, and nothing is sent for it", async () => {
  const appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-platform-'));
  const genomics = new AppStack(appDir, 'genomics');
  try {
    synthApp(appDir, [A]);
    await genomics.init();
    const failed = await genomics.apply(genomicsVar([D, 'NOT-A-UUID']));
    expect(failed.status).not.toBe(0);
    expect(failed.stdout + failed.stderr).toContain(
      'invalid FPGA_ASSOC_IMAGE_ID "NOT-A-UUID": expected a lowercase UUID such as 18efee75-e058-4c52-a49c-9e3ba4d1c8de (the ID of a private ECS image)',
    );
    expect(await relationsOf(GENOMICS_FPGA)).toEqual([D]);
    expect((await emulator.control.requests()).filter((r) => r.path.includes('NOT-A-UUID'))).toEqual([]);

    // Fixed, the next apply associates it; the good pair is untouched.
    expect((await genomics.apply(genomicsVar([D, E]))).status).toBe(0);
    expect(await relationsOf(GENOMICS_FPGA)).toEqual([D, E]);
    expect((await genomics.destroy(genomicsVar([D, E]))).status).toBe(0);
  } finally {
    fs.rmSync(appDir, { recursive: true, force: true });
  }
}, 120_000);

test('a RemovedFpgaImageAssociation with the same id removes every pair in one step', async () => {
  const props = { projectId: emulator.projectId, fpgaImageId: VIDEO_FPGA, imageIds: [A, B], endpoint: emulator.url };
  const ws = new Workspace(cli, CREDENTIALS).synth((stack: TerraformStack) => new FpgaImageAssociations(stack, 'Gpus', props));
  try {
    await ws.init();
    expect((await ws.apply()).status).toBe(0);
    expect(await relationsOf(VIDEO_FPGA)).toEqual([A, B]);

    ws.synth((stack: TerraformStack) => new RemovedFpgaImageAssociation(stack, 'Gpus'));
    expect((await ws.apply()).status).toBe(0);
    expect(await emulator.control.relations()).toEqual([]);
    expect(await ws.statePairs()).toEqual([]);
  } finally {
    ws.cleanup();
  }
}, 120_000);
