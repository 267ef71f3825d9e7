/**
 * The Python binding, as a Python user gets it: the wheel jsii-pacmak builds from the assembly, installed
 * into a fresh virtual environment, synthesizes from Python (app/main.py) what the same stack synthesizes
 * in TypeScript (stack.ts), handler bundle included; and a stack defined in Python applies and destroys with real
 * Terraform against the emulator.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensurePythonWheel, ROOT, run } from './artifacts';
import { outputFiles, STACK_NAME, synthTypeScriptApp } from './stack';
import { freshVenvWithWheel, pythonEnv } from './venv';
import { startEmulatorProcess } from '../../src/emulator/process';
import { DEMO_AGENCY, DEMO_CREDENTIALS, DEMO_REGION } from '../../src/emulator/server';
import { ensureToolchain } from '../../tools/toolchain';

let work: string;
let python: string;

beforeAll(async () => {
  const wheel = await ensurePythonWheel();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-python-'));
  python = await freshVenvWithWheel(path.join(work, 'venv'), wheel);
}, 20 * 60_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function runPython(args: string[], cwd = work): Promise<string> {
  return run(python, args, { cwd, env: pythonEnv() });
}

describe('a stack synthesized from Python', () => {
  let pythonOut: string;
  let typescriptOut: string;

  beforeAll(async () => {
    pythonOut = path.join(work, 'python.out');
    typescriptOut = path.join(work, 'typescript.out');
    // From this process's cwd: the default local backend's state path is absolute, resolved against it.
    await runPython([path.join(__dirname, 'app', 'main.py'), pythonOut], process.cwd());
    synthTypeScriptApp(typescriptOut);
  }, 120_000);

  // Nothing is normalised: both sides run the same cdktf 0.21.0 JavaScript in node (the cdktf wheel embeds
  // its npm tarball), so the `//` metadata (stack name, backend, cdktf version, construct paths) and the
  // logical IDs are the same, and the asset hash is the same because the wheel carries the same bundle.
  test('is what the TypeScript stack synthesizes, file for file', () => {
    expect(outputFiles(pythonOut)).toEqual(outputFiles(typescriptOut));
    const stackJson = (out: string) => fs.readFileSync(path.join(out, 'stacks', STACK_NAME, 'cdk.tf.json'), 'utf8');
    expect(stackJson(pythonOut)).toBe(stackJson(typescriptOut));
  });

  test('ships the handler bundle from the wheel in the stack directory, where every provisioner runs it', () => {
    const stackDir = path.join(pythonOut, 'stacks', STACK_NAME);
    const json = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    const provisioners = [
      ...Object.values<any>(json.resource.null_resource).flatMap((r) => r.provisioner),
      ...json.removed.flatMap((r: any) => r.provisioner ?? []),
    ].map((p) => p['local-exec']);
    expect(provisioners).toHaveLength(7);
    // The interpreter ends with the handler, after the launcher that runs it.
    const handlers = new Set(provisioners.map((p) => p.interpreter.at(-1)));
    expect(handlers.size).toBe(1);
    const [handler] = handlers;
    expect(handler).toMatch(/^\$\{path\.module\}\/assets\/FpgaImageAssociationHandler\/[0-9A-F]{32}\/handler\.js$/);
    const shipped = fs.readFileSync(path.join(stackDir, handler.replace('${path.module}/', '')));
    expect(shipped.equals(fs.readFileSync(path.join(ROOT, 'assets', 'handler.js')))).toBe(true);
  });
});

test('a bad prop raises a Python exception that names the construct, the prop and the value', async () => {
  const script = [
    'import sys',
    'from cdktf import App, TerraformStack',
    'from cdktf_fpga_image_association import FpgaImageAssociation',
    'stack = TerraformStack(App(outdir=sys.argv[1]), "stack")',
    'try:',
    '    FpgaImageAssociation(stack, "Assoc", project_id="nope", fpga_image_id="4010a32b5f231f04015f24259efd0429",',
    '                         image_id="18efee75-e058-4c52-a49c-9e3ba4d1c8de", region="cn-north-1")',
    'except RuntimeError as err:',
    '    print(err)',
    'else:',
    '    sys.exit("no exception")',
  ].join('\n');
  const printed = await runPython(['-c', script, path.join(work, 'bad.out')]);
  // The message names the TypeScript prop (projectId): the library's messages are the same in every language.
  expect(printed).toContain('stack/Assoc: invalid projectId "nope": expected 32 lowercase hexadecimal characters');
}, 60_000);

test("a stack defined in Python, with assume_role and no project_id, applies and destroys with the toolchain's CLI: the relation appears, then is gone", async () => {
  const [cli] = (await ensureToolchain()).clis;
  const emulator = await startEmulatorProcess();
  try {
    const relation = { fpgaImageId: '4010a32b5f231f04015f24259efd0429', imageId: '18efee75-e058-4c52-a49c-9e3ba4d1c8de' };
    const script = [
      'import sys',
      'from cdktf import App, LocalBackend, TerraformStack',
      'from cdktf_fpga_image_association import AssumeRole, FpgaImageAssociation',
      'outdir, endpoint, region, agency, domain = sys.argv[1:]',
      'app = App(outdir=outdir)',
      'stack = TerraformStack(app, "applied")',
      'LocalBackend(stack, path="terraform.tfstate")',
      `FpgaImageAssociation(stack, "Assoc", fpga_image_id="${relation.fpgaImageId}", image_id="${relation.imageId}", endpoint=endpoint, region=region,`,
      '                     assume_role=AssumeRole(agency_name=agency, domain_name=domain))',
      'app.synth()',
    ].join('\n');
    const outdir = path.join(work, 'applied.out');
    await runPython(['-c', script, outdir, emulator.url, DEMO_REGION, DEMO_AGENCY.agencyName, DEMO_AGENCY.domainName]);
    const env = {
      ...process.env,
      ...cli.env,
      HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
      HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey,
      HW_AUTH_URL: `${emulator.url}/v3`,
      TMPDIR: fs.mkdtempSync(path.join(work, 'tmp-')),
    };
    const tf = (...args: string[]) => run(cli.binary, [...args, '-input=false', '-no-color'], { cwd: path.join(outdir, 'stacks', 'applied'), env });
    await tf('init');
    await tf('apply', '-auto-approve');
    expect(await emulator.control.relations()).toEqual([relation]);
    const iam = (await emulator.control.requests()).filter((r) => r.service === 'iam').map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`);
    expect(iam).toEqual(expect.arrayContaining(['POST /v3.0/OS-CREDENTIAL/securitytokens 201', 'GET /v3/projects 200']));
    await tf('destroy', '-auto-approve');
    expect(await emulator.control.relations()).toEqual([]);
  } finally {
    await emulator.stop();
  }
}, 120_000);
