/**
 * Removing associations safely, and many associations in one stack, under real Terraform.
 */
import { randomUUID } from 'node:crypto';
import { TerraformStack } from 'cdktf';
import { availableClis, Cli, sortPairs, Workspace } from './workspace';
import { FpgaImageAssociation, FpgaImageAssociationProps, RemovedFpgaImageAssociation } from '../../src';
import { EmulatorProcess, startEmulatorProcess } from '../../src/emulator/process';
import { DEMO_CREDENTIALS } from '../../src/emulator/server';

const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const IMAGE_ID = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';

let emulator: EmulatorProcess;
let cli: Cli;

beforeAll(async () => {
  [cli] = await availableClis();
  emulator = await startEmulatorProcess();
}, 600_000);
afterAll(() => emulator?.stop());
beforeEach(() => emulator.control.reset());

function workspace(): Workspace {
  return new Workspace(cli, { HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey, HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey });
}

function props(overrides: Partial<FpgaImageAssociationProps> = {}): FpgaImageAssociationProps {
  return { projectId: emulator.projectId, fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID, endpoint: emulator.url, ...overrides };
}

async function expectAgreement(ws: Workspace) {
  expect(await ws.statePairs()).toEqual(sortPairs(await emulator.control.relations()));
}

test('deleting the construct outright orphans the association: the trap the two safe ways avoid', async () => {
  const ws = workspace().synth((stack) => new FpgaImageAssociation(stack, 'Assoc', props()));
  try {
    await ws.init();
    expect((await ws.apply()).status).toBe(0);
    ws.synth(() => undefined);
    expect((await ws.apply()).status).toBe(0);
    expect(await ws.statePairs()).toEqual([]);
    expect(await emulator.control.relations()).toHaveLength(1);
  } finally {
    ws.cleanup();
  }
});

test('enabled: false removes the association; deleting the construct afterwards changes nothing', async () => {
  const ws = workspace().synth((stack) => new FpgaImageAssociation(stack, 'Assoc', props()));
  try {
    await ws.init();
    expect((await ws.apply()).status).toBe(0);
    await expectAgreement(ws);

    ws.synth((stack) => new FpgaImageAssociation(stack, 'Assoc', props({ enabled: false })));
    expect((await ws.apply()).status).toBe(0);
    expect(await emulator.control.relations()).toEqual([]);
    await expectAgreement(ws);

    ws.synth(() => undefined);
    expect(await ws.planExitCode()).toBe(0);
  } finally {
    ws.cleanup();
  }
});

test('RemovedFpgaImageAssociation removes it in one step (a removed block with the destroy provisioner)', async () => {
  const ws = workspace().synth((stack) => new FpgaImageAssociation(stack, 'Assoc', props()));
  try {
    await ws.init();
    expect((await ws.apply()).status).toBe(0);
    await expectAgreement(ws);

    ws.synth((stack: TerraformStack) => new RemovedFpgaImageAssociation(stack, 'Assoc'));
    const applied = await ws.apply();
    expect(applied.status).toBe(0);
    expect(await emulator.control.relations()).toEqual([]);
    await expectAgreement(ws);
  } finally {
    ws.cleanup();
  }
});

test('20 associations in one stack at default parallelism', async () => {
  const images = Array.from({ length: 20 }, () => randomUUID());
  const define = (stack: TerraformStack) => images.forEach((imageId, i) => new FpgaImageAssociation(stack, `Assoc${i}`, props({ imageId })));
  const ws = workspace().synth(define);
  try {
    await ws.init();
    expect((await ws.apply()).status).toBe(0);
    expect(await emulator.control.relations()).toHaveLength(20);
    await expectAgreement(ws);
    expect(await ws.planExitCode()).toBe(0);
    expect((await ws.destroy()).status).toBe(0);
    expect(await emulator.control.relations()).toEqual([]);
    await expectAgreement(ws);
  } finally {
    ws.cleanup();
  }
});
