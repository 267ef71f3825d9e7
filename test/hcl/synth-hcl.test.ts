/**
 * HashiCorp's way out of CDKTF: `cdktf synth --hcl`, then plain Terraform. The real cdktf CLI
 * synthesizes a stack holding each construct (test/hcl/app.ts) as HCL once; each CLI (terraform, tofu)
 * applies, plans and destroys it against the emulator, and takes over a stack applied from the JSON
 * synthesis (what `cdktf deploy` runs) with its state: the plan shows no change, destroy disassociates.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { defineStack, FPGA_IMAGE_ID, IMAGE_ONE, IMAGES_MANY, STACK } from './app';
import { EmulatorProcess, startEmulatorProcess } from '../../src/emulator/process';
import { DEMO_CREDENTIALS } from '../../src/emulator/server';
import { availableClis, Cli, Workspace } from '../e2e/workspace';
import { ROOT, run } from '../python/artifacts';

const ALL_IMAGES = [IMAGE_ONE, ...IMAGES_MANY].sort();

let emulator: EmulatorProcess;
let clis: Cli[];
let synthDir: string;
/** The stack directory `cdktf synth --hcl` wrote: cdk.tf and the handler asset. */
let hclStack: string;

/** `cdktf synth --hcl` of test/hcl/app.ts, as a user runs it (the CLI sets SYNTH_HCL_OUTPUT for the app). */
async function cdktfSynthHcl(outdir: string): Promise<void> {
  fs.writeFileSync(path.join(synthDir, 'cdktf.json'), JSON.stringify({
    language: 'typescript',
    app: `node -r ts-node/register/transpile-only ${path.join(__dirname, 'app.ts')}`,
    sendCrashReports: 'false',
  }));
  await run(process.execPath, [require.resolve('cdktf-cli/bundle/bin/cdktf'), 'synth', '--hcl', '--output', outdir], {
    cwd: synthDir,
    env: {
      ...process.env,
      CI: '1',
      // No network but loopback and the package registries: the CLI's version check stays off.
      CHECKPOINT_DISABLE: '1',
      FPGA_ASSOC_METADATA_ENDPOINT: 'off',
      NODE_PATH: path.join(ROOT, 'node_modules'),
      TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json'),
      FPGA_HCL_ENDPOINT: emulator.url,
      FPGA_HCL_PROJECT_ID: emulator.projectId,
    },
  });
}

beforeAll(async () => {
  clis = await availableClis();
  emulator = await startEmulatorProcess();
  synthDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-synth-hcl-'));
  await cdktfSynthHcl(path.join(synthDir, 'out'));
  hclStack = path.join(synthDir, 'out', 'stacks', STACK);
}, 600_000);
afterAll(async () => {
  await emulator?.stop();
  if (synthDir) fs.rmSync(synthDir, { recursive: true, force: true });
});
beforeEach(() => emulator.control.reset());

test('synth --hcl writes both resources of every association with bare keywords; it leaves out the drift check and the removed blocks', () => {
  const hcl = fs.readFileSync(path.join(hclStack, 'cdk.tf'), 'utf8');
  expect(hcl.match(/^resource "null_resource" /gm)).toHaveLength(4);
  expect(hcl.match(/^\s*when\s+= destroy$/gm)).toHaveLength(2);
  expect(hcl.match(/^\s*when\s+= create$/gm)).toHaveLength(2);
  expect(hcl.match(/^\s*on_failure\s+= fail$/gm)).toHaveLength(4);
  expect(hcl).not.toMatch(/"(destroy|create|fail)"/);
  // The JSON synthesis of the same stack has them: cdktf 0.21's HCL renderer knows no `check` or `removed` block,
  // and renders only elements of its own classes (docs/LEAVING-CDKTF.md says what to do about it).
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-synth-json-')) });
  const stack = new TerraformStack(app, STACK);
  defineStack(stack, emulator.url, emulator.projectId);
  app.synth();
  const json = JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', STACK, 'cdk.tf.json'), 'utf8'));
  fs.rmSync(app.outdir, { recursive: true, force: true });
  expect(Object.keys(json)).toEqual(expect.arrayContaining(['removed', 'check', 'data']));
  expect(hcl).not.toMatch(/^(removed|check|data) /m);
});

const each = () => (process.env.FPGA_E2E_CLIS ?? 'terraform,tofu').split(',');

describe.each(each())('%s', (name) => {
  let cli: Cli | undefined;
  beforeAll(() => {
    cli = clis.find((c) => c.binaryName === name);
  });

  const workspace = (c: Cli) => new Workspace(c, {
    HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
    HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey,
    FPGA_ASSOC_METADATA_ENDPOINT: 'off',
  }, STACK);
  const relations = async () => (await emulator.control.relations()).map((r) => r.imageId).sort();
  const quiet = (output: string) => expect(output).not.toMatch(/Quoted keywords are deprecated/);

  test('the HCL of a stack with each construct: apply, plan unchanged, destroy', async () => {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    const ws = workspace(cli);
    try {
      fs.cpSync(hclStack, ws.dir, { recursive: true });
      await ws.init();
      const applied = await ws.apply();
      expect(applied.status).toBe(0);
      quiet(applied.stdout + applied.stderr);
      expect(await relations()).toEqual(ALL_IMAGES);
      expect(JSON.parse((await ws.mustRun(['output', '-json', 'one'])).stdout)).toBe(`${FPGA_IMAGE_ID}/${IMAGE_ONE}`);
      expect(await ws.planExitCode()).toBe(0);
      const destroyed = await ws.destroy();
      expect(destroyed.status).toBe(0);
      quiet(destroyed.stdout + destroyed.stderr);
      expect(await relations()).toEqual([]);
    } finally {
      ws.cleanup();
    }
  });

  test('a stack applied from the JSON synthesis moves to the HCL with its state: no change planned, destroy disassociates', async () => {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    const ws = workspace(cli).synth((stack) => defineStack(stack, emulator.url, emulator.projectId));
    try {
      await ws.init();
      expect((await ws.apply()).status).toBe(0);
      expect(await relations()).toEqual(ALL_IMAGES);

      // The recipe: replace cdk.tf.json with the cdk.tf of `cdktf synth --hcl`, keep the state and the assets, init.
      fs.rmSync(path.join(ws.dir, 'cdk.tf.json'));
      fs.cpSync(hclStack, ws.dir, { recursive: true });
      await ws.init();
      const plan = await ws.run(['plan', '-detailed-exitcode', '-input=false', '-no-color']);
      expect(plan.status).toBe(0);
      quiet(plan.stdout + plan.stderr);
      expect((await ws.destroy()).status).toBe(0);
      expect(await relations()).toEqual([]);
      expect(ws.everythingWritten()).not.toContain(DEMO_CREDENTIALS.secretKey);
    } finally {
      ws.cleanup();
    }
  });
});
