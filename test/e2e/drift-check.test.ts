/**
 * The opt-in drift check under real Terraform (and OpenTofu where available), against the emulator:
 * silent while the relations exist; a warning naming the pair, at plan time, once one was removed
 * behind Terraform's back; a warning, not a failure, when the API cannot answer. The plan's exit code
 * keeps meaning what it means: 0 without changes, warnings or not.
 */
import { TerraformStack, TerraformVariable } from 'cdktf';
import { availableClis, Cli, Workspace } from './workspace';
import { FpgaImageAssociation, FpgaImageAssociations } from '../../src';
import { EmulatorProcess, startEmulatorProcess } from '../../src/emulator/process';
import { DEMO_CREDENTIALS } from '../../src/emulator/server';

const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const [A, B, C, D] = [
  '18efee75-e058-4c52-a49c-9e3ba4d1c8de',
  '27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11',
  '9c1d3f7e-2b4a-4e6f-8a0b-1c2d3e4f5a6b',
  'a3b4c5d6-e7f8-4a9b-8c0d-1e2f3a4b5c6d',
];
const ASSERTION_FAILED = 'Warning: Check block assertion failed';

let emulator: EmulatorProcess;
let clis: Cli[];

beforeAll(async () => {
  clis = await availableClis();
  emulator = await startEmulatorProcess();
}, 600_000);
afterAll(() => emulator?.stop());
beforeEach(async () => {
  await emulator.control.reset();
  await emulator.control.clearFaults();
});

function workspace(cli: Cli): Workspace {
  return new Workspace(cli, { HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey, HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey });
}

function pairs(imageIds: string[]) {
  return imageIds.map((imageId) => ({ fpgaImageId: FPGA_IMAGE_ID, imageId }));
}

/** Removes relations the way someone outside Terraform would: the emulator keeps only `keep`. */
async function removeBehindTerraformsBack(keep: string[]): Promise<void> {
  await emulator.control.reset();
  await emulator.control.addRelations(pairs(keep));
}

/** Everything a command printed, on one line: the CLIs wrap diagnostics at 78 columns. */
function flat(result: { stdout: string; stderr: string }): string {
  return `${result.stdout}${result.stderr}`.replace(/\s+/g, ' ');
}

async function plan(ws: Workspace, args: string[] = []) {
  const result = await ws.run(['plan', '-detailed-exitcode', '-input=false', '-no-color', ...args]);
  return { status: result.status, output: flat(result) };
}

/** The line that names a pair, as the warning prints it. */
function gone(path: string, imageId: string): string {
  return `${path}: FPGA image ${FPGA_IMAGE_ID} is no longer associated with ECS image ${imageId}, although the Terraform state says it is: it was removed outside Terraform.`;
}

describe.each((process.env.FPGA_E2E_CLIS ?? 'terraform,tofu').split(','))('%s', (name) => {
  let cli: Cli | undefined;
  beforeAll(() => {
    cli = clis.find((c) => c.binaryName === name);
  });

  test('one association: silent while it exists; a warning naming the pair once it is gone; the -replace it suggests restores it', async () => {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    const ws = workspace(cli).synth(
      (stack) =>
        new FpgaImageAssociation(stack, 'Assoc', { projectId: emulator.projectId, fpgaImageId: FPGA_IMAGE_ID, imageId: A, endpoint: emulator.url, driftCheck: true }),
    );
    try {
      await ws.init();
      const applied = await ws.apply();
      expect(applied.status).toBe(0);
      expect(flat(applied)).not.toContain('Check block assertion');
      const present = await plan(ws);
      expect(present.status).toBe(0);
      expect(present.output).not.toContain('Warning');

      await removeBehindTerraformsBack([]);
      const drifted = await plan(ws);
      expect(drifted.status).toBe(0);
      expect(drifted.output).toContain(ASSERTION_FAILED);
      expect(drifted.output).toContain(gone('e2e/Assoc', A));
      const replace = /terraform apply -replace='([^']+)'/.exec(drifted.output)?.[1];
      expect(replace).toMatch(/^null_resource\.Assoc_Associate_[0-9A-F]{8}$/);
      // What a CI job reads from a saved plan to fail on drift: the check's status.
      await ws.mustRun(['plan', '-out=drift.tfplan', '-input=false', '-no-color']);
      const [check] = JSON.parse((await ws.mustRun(['show', '-json', 'drift.tfplan'])).stdout).checks;
      expect(check).toMatchObject({ address: { kind: 'check' }, status: 'fail' });
      expect(check.instances[0].problems[0].message).toContain(gone('e2e/Assoc', A));

      const restored = await ws.apply([`-replace=${replace}`]);
      expect(restored.status).toBe(0);
      expect(await emulator.control.relations()).toEqual(pairs([A]));
      expect(flat(restored)).not.toContain(ASSERTION_FAILED);
      expect((await plan(ws)).output).not.toContain('Warning');

      expect((await ws.destroy()).status).toBe(0);
      expect(await emulator.control.relations()).toEqual([]);
      expect(ws.everythingWritten()).not.toContain(DEMO_CREDENTIALS.secretKey);
    } finally {
      ws.cleanup();
    }
  }, 120_000);

  test('many associations from a variable: the warning names only the pairs that are gone; a pair being added is not one of them', async () => {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    let path = '';
    const ws = workspace(cli).synth((stack: TerraformStack) => {
      const ids = new TerraformVariable(stack, 'ids', { type: 'list(string)' });
      const many = new FpgaImageAssociations(stack, 'Gpus', {
        projectId: emulator.projectId,
        fpgaImageId: FPGA_IMAGE_ID,
        imageIds: ids.listValue,
        endpoint: emulator.url,
        driftCheck: true,
      });
      path = many.node.path;
    });
    const vars = (ids: string[]) => [`-var=ids=${JSON.stringify(ids)}`];
    try {
      await ws.init();
      expect((await ws.apply(vars([A, B, C]))).status).toBe(0);
      expect((await plan(ws, vars([C, B, A]))).status).toBe(0);

      await removeBehindTerraformsBack([A, C]);
      const drifted = await plan(ws, vars([A, B, C]));
      expect(drifted.status).toBe(0);
      expect(drifted.output).toContain(ASSERTION_FAILED);
      expect(drifted.output).toContain(gone(path, B));
      expect(drifted.output).toMatch(new RegExp(`terraform apply -replace='null_resource\\.Gpus_Associate_[0-9A-F]{8}\\["${B}"\\]'`));
      expect(drifted.output).not.toContain(`ECS image ${A},`);
      expect(drifted.output).not.toContain(`ECS image ${C},`);

      // D is planned for creation: the check waits for the apply rather than call D gone.
      const adding = await plan(ws, vars([A, B, C, D]));
      expect(adding.status).toBe(2);
      expect(adding.output).not.toContain(`ECS image ${D},`);
      const added = await ws.apply(vars([A, B, C, D]));
      expect(added.status).toBe(0);
      expect(flat(added)).toContain(gone(path, B));
      expect(flat(added)).not.toContain(`ECS image ${D},`);

      expect((await ws.destroy(vars([A, B, C, D]))).status).toBe(0);
      expect(await emulator.control.relations()).toEqual([]);
    } finally {
      ws.cleanup();
    }
  }, 120_000);

  test('an API that cannot answer gives a warning, never a failed plan', async () => {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    const ws = workspace(cli).synth(
      (stack) =>
        new FpgaImageAssociation(stack, 'Assoc', {
          projectId: emulator.projectId,
          fpgaImageId: FPGA_IMAGE_ID,
          imageId: A,
          endpoint: emulator.url,
          driftCheck: true,
          maxAttempts: 3,
        }),
    );
    try {
      await ws.init();
      expect((await ws.apply()).status).toBe(0);

      await emulator.control.addFaults([{ method: 'GET', status: 503, times: Infinity }]);
      const started = Date.now();
      const unanswered = await plan(ws);
      expect(unanswered.status).toBe(0);
      expect(unanswered.output).toContain(ASSERTION_FAILED);
      expect(unanswered.output).toContain(`e2e/Assoc: could not check whether FPGA image ${FPGA_IMAGE_ID} is still associated with ECS image ${A}:`);
      expect(unanswered.output).toContain('HTTP 503');
      expect(Date.now() - started).toBeLessThan(30_000);

      await emulator.control.clearFaults();
      expect((await ws.destroy()).status).toBe(0);
    } finally {
      ws.cleanup();
    }
  }, 120_000);
});
