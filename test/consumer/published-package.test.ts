/**
 * What a user gets, from a clean copy of the repository (clean-copy.ts):
 *
 * - packaging refuses to run before the build, and `npm run compile` builds lib/ and both bundles, from which a
 *   stack synthesizes;
 * - the jsii npm tarball (`npx projen package:js`), installed into a fresh directory outside the repository next to
 *   cdktf, constructs and @cdktf/provider-null, serves a TypeScript app compiled as a user would: it synthesizes, the
 *   package's `fpga-image-emulator` bin starts, and the toolchain's CLI applies (the relation appears, and `npx
 *   fpga-image-association list` shows it) and destroys (it is gone);
 * - the installed package's runtime files import only its declared dependencies and Node's built-ins.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanCopy, ROOT } from './clean-copy';
import { DEMO_CREDENTIALS } from '../../src/emulator/options';
import { EmulatorControl } from '../../src/emulator/process';
import { ensureToolchain, ToolchainCli } from '../../tools/toolchain';

const PACKAGE = 'cdktf-fpga-image-association';
const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const ECS_IMAGE_ID = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';

interface Run {
  readonly status: number | null;
  readonly output: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

async function mustRun(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const result = await run(command, args, cwd, env);
  if (result.status !== 0) throw new Error(`\`${[path.basename(command), ...args].join(' ')}\` in ${cwd} exited ${result.status}:\n${result.output}`);
  return result.output;
}

const timings: string[] = [];
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings.push(`${label} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

let copy: string;
let consumer: string;
let packagingBeforeBuild: Run;

beforeAll(async () => {
  copy = await timed('clean copy', async () => cleanCopy('fpga-clean-copy-'));
  consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-consumer-'));
  packagingBeforeBuild = await timed('package:js before compile', () => run('npx', ['projen', 'package:js'], copy));
  await timed('npm run compile', () => mustRun('npm', ['run', 'compile'], copy));
}, 300_000);

afterAll(() => {
  process.stderr.write(`[consumer] ${timings.join(', ')}\n`);
  for (const dir of [copy, consumer]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('no packaging task packages an unbuilt library', async () => {
  expect(packagingBeforeBuild.status).not.toBe(0);
  expect(packagingBeforeBuild.output).toContain('cannot package: assets/handler.js (the handler bundle that Terraform runs) is missing');
  expect(packagingBeforeBuild.output).toContain('run `npm run compile` first');
  expect(fs.existsSync(path.join(copy, 'dist', 'js'))).toBe(false);
  const unbuilt = cleanCopy('fpga-unbuilt-');
  const pythonBeforeBuild = await run('npx', ['projen', 'package:python'], unbuilt).finally(() => fs.rmSync(unbuilt, { recursive: true, force: true }));
  expect(pythonBeforeBuild.status).not.toBe(0);
  expect(pythonBeforeBuild.output).toContain('cannot package: lib/index.js (the compiled library) is missing');
});

test('`npm run compile` on a clean copy builds lib/ and both bundles, and a stack synthesizes from them', async () => {
  for (const file of ['lib/index.js', 'lib/index.d.ts', '.jsii', 'assets/handler.js', 'assets/emulator.js']) {
    expect(fs.statSync(path.join(copy, file)).size).toBeGreaterThan(0);
  }
  const app = [
    "const { App, TerraformStack } = require('cdktf');",
    "const { FpgaImageAssociation } = require('./lib');",
    'const app = new App({ outdir: process.argv[1] });',
    "new FpgaImageAssociation(new TerraformStack(app, 'compiled'), 'Assoc', {",
    `  projectId: '${'0'.repeat(32)}', fpgaImageId: '${FPGA_IMAGE_ID}', imageId: '${ECS_IMAGE_ID}', region: 'cn-north-1',`,
    '});',
    'app.synth();',
  ].join('\n');
  // Outside the copy: package:js packs whatever lies in it.
  const outdir = path.join(consumer, 'compiled.out');
  await mustRun(process.execPath, ['-e', app, outdir], copy);
  expectStackShipsHandler(path.join(outdir, 'stacks', 'compiled'), path.join(copy, 'assets', 'handler.js'));
});

describe('the published npm package, installed into a fresh app', () => {
  let installed: string;
  let cli: ToolchainCli;

  beforeAll(async () => {
    cli = (await ensureToolchain()).clis[0];
    await timed('package:js', () => mustRun('npx', ['projen', 'package:js'], copy));
    const [tarball] = fs.readdirSync(path.join(copy, 'dist', 'js')).filter((f) => f.endsWith('.tgz'));
    // The versions the library is developed and tested with: the lowest its peer ranges allow.
    const { devDependencies } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const peers = ['cdktf', 'constructs', '@cdktf/provider-null'].map((name) => `${name}@${devDependencies[name]}`);
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'fpga-consumer', private: true }));
    await timed('npm install', () =>
      mustRun(
        'npm',
        ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', path.join(copy, 'dist', 'js', tarball), ...peers, '@types/node@20'],
        consumer,
      ),
    );
    installed = path.join(consumer, 'node_modules', PACKAGE);
  }, 300_000);

  test('a TypeScript app synthesizes; the bin starts the emulator; apply associates, `npx fpga-image-association list` shows it, destroy disassociates', async () => {
    fs.writeFileSync(
      path.join(consumer, 'main.ts'),
      [
        "import { App, LocalBackend, TerraformStack } from 'cdktf';",
        `import { FpgaImageAssociation } from '${PACKAGE}';`,
        '',
        'const [outdir, endpoint, projectId] = process.argv.slice(2);',
        'const app = new App({ outdir });',
        "const stack = new TerraformStack(app, 'consumer');",
        "new LocalBackend(stack, { path: 'terraform.tfstate' });",
        `new FpgaImageAssociation(stack, 'Accelerator', { projectId, fpgaImageId: '${FPGA_IMAGE_ID}', imageId: '${ECS_IMAGE_ID}', endpoint });`,
        'app.synth();',
        '',
      ].join('\n'),
    );
    const compilerOptions = { strict: true, module: 'commonjs', target: 'es2022', types: ['node'], outDir: 'out' };
    fs.writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['main.ts'] }));
    // The project's TypeScript compiles it; the types it checks against are the installed package's.
    await timed('tsc', () => mustRun(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', '.'], consumer));

    const bin = path.join(consumer, 'node_modules', '.bin', 'fpga-image-emulator');
    const emulator = spawn(bin, ['--port', '0'], { cwd: consumer, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const ready = await readyLine(emulator);
      const { url, projectId } = ready;
      const relations = async () => (await new EmulatorControl(ready).state()).relations;

      const outdir = path.join(consumer, 'cdktf.out');
      await timed('synth', () => mustRun(process.execPath, ['out/main.js', outdir, url, projectId], consumer));
      const stackDir = path.join(outdir, 'stacks', 'consumer');
      expectStackShipsHandler(stackDir, path.join(installed, 'assets', 'handler.js'));

      const env = { ...process.env, ...cli.env, HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey, HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey };
      const tf = (...args: string[]) => mustRun(cli.binary, [...args, '-input=false', '-no-color'], stackDir, env);
      await timed(`${cli.binaryName} init+apply`, async () => {
        await tf('init');
        await tf('apply', '-auto-approve');
      });
      expect(await relations()).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: ECS_IMAGE_ID }]);
      // The operator CLI, as an operator runs it: npx finds the installed bin (offline: nothing is fetched).
      const listed = await mustRun('npx', ['fpga-image-association', 'list', '--endpoint', url, '--project-id', projectId, '--json'], consumer, {
        ...env, npm_config_offline: 'true',
      });
      // Its output is stdout and stderr together, where npm may warn: the document is the line that starts with {.
      expect(JSON.parse(listed.split('\n').find((line) => line.startsWith('{'))!).associations).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: ECS_IMAGE_ID, fpgaImageName: expect.any(String) }]);
      await timed(`${cli.binaryName} destroy`, () => tf('destroy', '-auto-approve'));
      expect(await relations()).toEqual([]);
    } finally {
      emulator.kill('SIGTERM');
    }
  }, 180_000);

  test("the package's runtime files import only its declared dependencies and Node's built-ins", () => {
    const files = (fs.readdirSync(installed, { recursive: true }) as string[]).filter((f) => f.endsWith('.js'));
    expect(files).toEqual(expect.arrayContaining(['lib/index.js', 'assets/handler.js', 'assets/cli.js', 'assets/emulator.js']));
    expect(importsOutside(installed)).toEqual([]);

    // The check itself sees what it is for: a devDependency left unbundled, a file left out of the package.
    const planted = fs.mkdtempSync(path.join(consumer, 'planted-'));
    fs.writeFileSync(path.join(planted, 'package.json'), JSON.stringify({ peerDependencies: { cdktf: '^0.21.0' } }));
    fs.writeFileSync(path.join(planted, 'index.js'), 'require("cdktf"); require("node:fs"); require("undici"); require("./handler");');
    expect(importsOutside(planted)).toEqual(['index.js: undici', 'index.js: ./handler (not in the package)']);
  });
});

/** Every require/import in the package's .js files that is neither relative and present, a built-in, nor a declared dependency. */
function importsOutside(packageDir: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
  const builtins = new Set(builtinModules);
  const outside: string[] = [];
  for (const file of (fs.readdirSync(packageDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.js'))) {
    const source = fs.readFileSync(path.join(packageDir, file), 'utf8');
    // Everything here is CommonJS (jsii's lib/, esbuild's cjs bundles, which turn import() into require() too);
    // `import('...')` appears only in bundled JSDoc types.
    for (const [, specifier] of source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(path.join(packageDir, file)), specifier);
        if (!['', '.js', '.json', '/index.js'].some((ext) => fs.existsSync(target + ext))) outside.push(`${file}: ${specifier} (not in the package)`);
        continue;
      }
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      // `node:` names only built-ins, some newer than this Node (undici loads node:sqlite only where it exists).
      if (!specifier.startsWith('node:') && !builtins.has(name) && !declared.has(name)) outside.push(`${file}: ${specifier}`);
    }
  }
  return outside;
}

/** The stack's provisioners run the handler bundle copied from `bundle` into the stack directory. */
function expectStackShipsHandler(stackDir: string, bundle: string): void {
  const json = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
  const handlers = new Set<string>(
    Object.values<any>(json.resource.null_resource)
      .flatMap((resource) => resource.provisioner ?? [])
      // The interpreter ends with the handler, after the launcher that runs it.
      .map((provisioner) => provisioner['local-exec'].interpreter.at(-1)),
  );
  expect(handlers.size).toBe(1);
  const [handler] = handlers;
  expect(handler).toMatch(/assets\/FpgaImageAssociationHandler\/[0-9A-F]{32}\/handler\.js$/);
  const shipped = fs.readFileSync(path.join(stackDir, handler.replace('${path.module}/', '')));
  expect(shipped.equals(fs.readFileSync(bundle))).toBe(true);
}

function readyLine(child: ReturnType<typeof spawn>): Promise<{ url: string; projectId: string; controlToken: string }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`fpga-image-emulator exited ${code} before its ready line:\n${stderr}`)));
    child.stdout!.on('data', (d) => {
      stdout += d;
      const newline = stdout.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(stdout.slice(0, newline)));
    });
  });
}
