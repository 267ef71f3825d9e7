/**
 * The association's whole life under real Terraform (and OpenTofu where available) with the null
 * provider, against the emulator: after every step, Terraform's state and the emulator's relations agree.
 */
import { availableClis, Cli, sortPairs, Workspace } from './workspace';
import { imageId as benchImageId, singleResourceAssociations } from '../../bench/lib/stacks';
import { FpgaImageAssociation, FpgaImageAssociationProps } from '../../src';
import { EmulatorProcess, startEmulatorProcess } from '../../src/emulator/process';

const ACCESS_KEY = 'E2EACCESSKEY00000001';
const SECRET_KEY = 'e2e-secret-key-that-must-never-be-written-anywhere';
const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const IMAGE_A = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
const IMAGE_B = '27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11';

let emulator: EmulatorProcess;
let clis: Cli[];

beforeAll(async () => {
  clis = await availableClis();
  emulator = await startEmulatorProcess({ env: { FPGA_EMULATOR_ACCESS_KEY: ACCESS_KEY, FPGA_EMULATOR_SECRET_KEY: SECRET_KEY } });
}, 600_000);
afterAll(() => emulator?.stop());
beforeEach(() => emulator.control.reset());

function props(imageId: string): FpgaImageAssociationProps {
  return { projectId: emulator.projectId, fpgaImageId: FPGA_IMAGE_ID, imageId, endpoint: emulator.url };
}

async function expectAgreement(ws: Workspace) {
  expect(await ws.statePairs()).toEqual(sortPairs(await emulator.control.relations()));
}

function workspace(cli: Cli): Workspace {
  return new Workspace(cli, { HW_ACCESS_KEY: ACCESS_KEY, HW_SECRET_KEY: SECRET_KEY });
}

const each = () => (process.env.FPGA_E2E_CLIS ?? 'terraform,tofu').split(',');

describe.each(each())('%s', (name) => {
  let cli: Cli | undefined;
  beforeAll(() => {
    cli = clis.find((c) => c.binaryName === name);
  });

  test('apply associates, a second plan is empty, changing imageId replaces, destroy disassociates', async () => {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    const ws = workspace(cli).synth((stack) => new FpgaImageAssociation(stack, 'Assoc', props(IMAGE_A)));
    try {
      await ws.init();
      expect((await ws.apply()).status).toBe(0);
      expect(await emulator.control.relations()).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_A }]);
      await expectAgreement(ws);
      expect(await ws.planExitCode()).toBe(0);

      await emulator.control.reset();
      await emulator.control.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_A }]);
      ws.synth((stack) => new FpgaImageAssociation(stack, 'Assoc', props(IMAGE_B)));
      expect((await ws.apply()).status).toBe(0);
      expect(await emulator.control.relations()).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_B }]);
      const calls = (await emulator.control.requests()).map((r: any) => r.method);
      expect(calls).toEqual(['DELETE', 'POST']);
      await expectAgreement(ws);

      expect((await ws.destroy()).status).toBe(0);
      expect(await emulator.control.relations()).toEqual([]);
      await expectAgreement(ws);

      expect(ws.everythingWritten()).not.toContain(SECRET_KEY);
      expect(ws.everythingWritten()).not.toContain(ACCESS_KEY);
    } finally {
      ws.cleanup();
    }
  });

  test('a refused destroy keeps the resource in state; a later destroy succeeds once the fault clears', async () => {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    const ws = workspace(cli).synth((stack) => new FpgaImageAssociation(stack, 'Assoc', props(IMAGE_A)));
    try {
      await ws.init();
      expect((await ws.apply()).status).toBe(0);
      await expectAgreement(ws);

      await emulator.control.addImages({ images: [{ id: IMAGE_A, visibility: 'shared' }] });
      const refused = await ws.destroy();
      expect(refused.status).not.toBe(0);
      expect(refused.stdout + refused.stderr).toMatch(/not private|shar/);
      expect(await ws.statePairs()).toHaveLength(1);
      await expectAgreement(ws);

      await emulator.control.addImages({ images: [{ id: IMAGE_A, visibility: 'private' }] });
      expect((await ws.destroy()).status).toBe(0);
      expect(await ws.statePairs()).toEqual([]);
      await expectAgreement(ws);
      expect(ws.everythingWritten()).not.toContain(SECRET_KEY);
    } finally {
      ws.cleanup();
    }
  });

  test('a state from the one-resource shape: the next apply adds the step (one POST, already associated), then plans nothing', async () => {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    const target = { projectId: emulator.projectId, endpoint: emulator.url };
    const ws = workspace(cli).synth((stack) => singleResourceAssociations(stack, 1, target));
    try {
      await ws.init();
      expect((await ws.apply()).status).toBe(0);
      expect(await emulator.control.relations()).toHaveLength(1);
      const before = (await emulator.control.requests()).length;

      ws.synth((stack) => new FpgaImageAssociation(stack, 'Assoc0', props(benchImageId(0))));
      expect((await ws.apply()).status).toBe(0);
      expect((await emulator.control.requests()).slice(before).map((r) => `${r.method} ${r.status}`)).toEqual(['POST 400', 'GET 200']);
      await expectAgreement(ws);
      expect(await ws.planExitCode()).toBe(0);
      expect((await ws.destroy()).status).toBe(0);
      expect(await emulator.control.relations()).toEqual([]);
    } finally {
      ws.cleanup();
    }
  });

  test('a refused create leaves nothing in state (tainted, then retried on the next apply)', async () => {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    const ws = workspace(cli).synth((stack) => new FpgaImageAssociation(stack, 'Assoc', props(IMAGE_A)));
    try {
      await ws.init();
      await emulator.control.addImages({ images: [{ id: IMAGE_A, visibility: 'shared' }] });
      expect((await ws.apply()).status).not.toBe(0);
      expect(await emulator.control.relations()).toEqual([]);

      await emulator.control.addImages({ images: [{ id: IMAGE_A, visibility: 'private' }] });
      expect((await ws.apply()).status).toBe(0);
      await expectAgreement(ws);
      expect(await ws.planExitCode()).toBe(0);
      expect((await ws.destroy()).status).toBe(0);
      await expectAgreement(ws);
    } finally {
      ws.cleanup();
    }
  });
});
