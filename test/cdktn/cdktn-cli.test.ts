/**
 * The cdktn CLI (cdktn-cli 0.24, Node 22) deploys and destroys an app that installs the packed library by
 * the README's recipe ("Leaving CDKTF" › cdktn), against the emulator, with terraform and tofu. Also which
 * of docs/CDKTN.md's observations holds for cdktn 0.24 next to the real cdktf 0.21: `Testing.synth` or
 * `app.synth()`.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureNode22 } from './node22';
import { ensureWorkspace, installLibrary, packLibrary, SIDE_BY_SIDE } from './workspaces';
import { EmulatorProcess, startEmulatorProcess } from '../../src/emulator/process';
import { DEMO_CREDENTIALS } from '../../src/emulator/server';
import { availableClis, Cli } from '../e2e/workspace';
import { ROOT, run } from '../python/artifacts';

const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const IMAGE_ID = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
const PACKAGE = 'cdktf-fpga-image-association';

/** The cdktn app of the test: it imports from cdktn, so it declares the default null provider (docs/CDKTN.md). */
const APP = `const { App, TerraformStack } = require('cdktn');
const { NullProvider } = require('@cdktf/provider-null/lib/provider');
const { FpgaImageAssociation } = require('${PACKAGE}');

const app = new App();
const stack = new TerraformStack(app, 'fpga');
new NullProvider(stack, 'null');
new FpgaImageAssociation(stack, 'Assoc', {
  projectId: process.env.PROJECT_ID,
  fpgaImageId: '${FPGA_IMAGE_ID}',
  imageId: '${IMAGE_ID}',
  endpoint: process.env.ENDPOINT,
});
app.synth();
`;

/** The README's cdktn recipe: the shell block under "Leaving CDKTF" › "cdktn". */
function readmeRecipe(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Leaving CDKTF'));
  const subsection = section?.split(/^### /m).find((s) => s.startsWith('cdktn'));
  const block = subsection && /```sh\n([\s\S]*?)```/.exec(subsection)?.[1];
  if (!block) throw new Error('README.md has no shell block under "Leaving CDKTF" › "cdktn"');
  return block.trim().split('\n');
}

let work: string;
let app: string;
let emulator: EmulatorProcess;
let clis: Cli[];
let node22: { bin: string } | { unavailable: string };

beforeAll(async () => {
  clis = await availableClis();
  node22 = await ensureNode22();
  if ('unavailable' in node22) return;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-cdktn-cli-'));
  const tarball = await packLibrary(work);
  app = path.join(work, 'app');
  fs.mkdirSync(app);
  await run('npm', ['init', '-y'], { cwd: app, env: withNode22() });
  // The recipe, with the packed tarball for the package name (what the registry would serve).
  for (const line of readmeRecipe().filter((l) => l.startsWith('npm '))) {
    const args = line.split(/\s+/).slice(1).map((arg) => arg.replace(/^'(.*)'$/, '$1')).map((arg) => (arg === PACKAGE ? tarball : arg));
    await run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, env: withNode22() });
  }
  fs.writeFileSync(path.join(app, 'main.js'), APP);
  fs.writeFileSync(path.join(app, 'cdktf.json'), JSON.stringify({ language: 'javascript', app: 'node main.js', sendCrashReports: 'false' }));
  emulator = await startEmulatorProcess();
}, 10 * 60_000);
afterAll(async () => {
  await emulator?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** The environment with Node 22 first on PATH: npm, the cdktn CLI, the app and the handler all run on it. */
function withNode22(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { bin } = node22 as { bin: string };
  return { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, ...extra };
}

/** `npx cdktn <command>`, as the recipe says, non-interactive and without the provider lock (which asks the public registry). */
function cdktn(command: string, cli: Cli): Promise<{ status: number | null; output: string }> {
  const recipe = readmeRecipe().find((l) => l === `npx cdktn ${command}`);
  if (!recipe) throw new Error(`README.md's cdktn recipe has no \`npx cdktn ${command}\``);
  const child = spawn('npx', ['cdktn', command, '--auto-approve', '--skip-provider-lock'], {
    cwd: app,
    env: withNode22({
      ...cli.env,
      CI: '1',
      CHECKPOINT_DISABLE: '1',
      FPGA_ASSOC_METADATA_ENDPOINT: 'off',
      HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
      HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey,
      PROJECT_ID: emulator.projectId,
      ENDPOINT: emulator.url,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, output })));
}

const each = () => (process.env.FPGA_E2E_CLIS ?? 'terraform,tofu').split(',');

test.each(each())('cdktn deploy associates and cdktn destroy disassociates, on Node 22, with %s', async (name) => {
  if ('unavailable' in node22) return console.warn(`skipped: the cdktn CLI needs Node 22.19+, and ${node22.unavailable}`);
  const cli = clis.find((c) => c.binaryName === name);
  if (!cli) return console.warn(`${name} is not available here; skipped`);
  await emulator.control.reset();
  const deployed = await cdktn('deploy', cli);
  expect(deployed.status).toBe(0);
  expect(await emulator.control.relations()).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
  const destroyed = await cdktn('destroy', cli);
  expect(destroyed.status).toBe(0);
  expect(await emulator.control.relations()).toEqual([]);
  for (const output of [deployed.output, destroyed.output]) expect(output).not.toContain(DEMO_CREDENTIALS.secretKey);
}, 180_000);

test('next to the real cdktf 0.21, Testing.synth of cdktn 0.24 passes but misses the null provider; with validations, and app.synth(), it fails', async () => {
  const workspace = await ensureWorkspace(SIDE_BY_SIDE);
  const tarball = await packLibrary(fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-cdktn-sbs-')));
  await installLibrary(workspace, tarball);
  fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
  const script = path.join(workspace, 'synth-ways.js');
  fs.writeFileSync(script, `const { App, TerraformStack, Testing } = require('cdktn');
const { FpgaImageAssociation } = require('${PACKAGE}');
const props = { projectId: '0123456789abcdef0123456789abcdef', fpgaImageId: '${FPGA_IMAGE_ID}', imageId: '${IMAGE_ID}', region: 'cn-north-1' };
const define = (app) => { const stack = new TerraformStack(app, 's'); new FpgaImageAssociation(stack, 'A', props); return stack; };
const attempt = (f) => { try { return f(); } catch (e) { return 'throws ' + e.message.split('\\n')[0]; } };
console.log(JSON.stringify({
  testingSynth: attempt(() => { const out = JSON.parse(Testing.synth(define(Testing.app()))); return { resources: Object.keys(out.resource.null_resource).length, provider: out.provider ?? null }; }),
  testingSynthValidated: attempt(() => Testing.synth(define(Testing.app()), true) && 'ok'),
  appSynth: attempt(() => { const app = new App({ outdir: process.argv[2] }); define(app); app.synth(); return 'ok'; }),
}));
`);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-cdktn-sbs-out-'));
  try {
    const result = JSON.parse(await run('node', [script, outdir], { cwd: workspace }));
    const missing = 'throws e._resetResolveDiscoveredProviderFeatureUsage is not a function';
    expect(result).toEqual({ testingSynth: { resources: 2, provider: null }, testingSynthValidated: missing, appSynth: missing });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}, 10 * 60_000);
