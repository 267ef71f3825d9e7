/**
 * Registry first (tools/toolchain/registry.ts), each path run as a user would, in a toolchain directory of its own
 * (TOOLCHAIN_DIR) so the project's .toolchain is left alone:
 *
 * - reachable: a user CLI configuration whose filesystem mirror serves both providers under their real names stands
 *   in for the registry; with `go` off PATH the demo runs against them and nothing is built;
 * - nothing reachable: the stand-ins are built from tools/*-provider, and a stack applies with them;
 * - nothing reachable and no Go, or no CLI and no Go: the message says what to install.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureToolchain, Toolchain } from '../../tools/toolchain';
import { terraformPlatform } from '../../tools/toolchain/go';

const ROOT = path.join(__dirname, '..', '..');
const TS_NODE = ['-r', 'ts-node/register/transpile-only'];
let work: string;
let projectToolchain: Toolchain;

beforeAll(async () => {
  projectToolchain = await ensureToolchain();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'provider-source-'));
}, 20 * 60_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A CLI configuration file with one filesystem mirror: what a user who mirrors providers writes. */
function userCliConfig(name: string, mirror: string): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`);
  return file;
}

/**
 * The environment of a user whose PATH has no `go` (and, with `withoutCli`, no terraform or tofu either): the
 * directories holding them are dropped, and what else they held that the run needs (node, npm) is linked back.
 */
function userEnv(toolchainDir: string, cliConfigFile: string, options: { withoutGo?: boolean; withoutCli?: boolean } = {}): NodeJS.ProcessEnv {
  const hidden = [...(options.withoutGo ? ['go'] : []), ...(options.withoutCli ? ['terraform', 'tofu'] : [])];
  const shims = fs.mkdtempSync(path.join(work, 'shims-'));
  const kept: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    if (!hidden.some((name) => fs.existsSync(path.join(dir, name)))) {
      kept.push(dir);
      continue;
    }
    for (const needed of ['node', 'npm', 'npx', ...(options.withoutCli ? [] : ['terraform', 'tofu'])]) {
      const source = path.join(dir, needed);
      const shim = path.join(shims, needed);
      if (fs.existsSync(source) && !fs.existsSync(shim)) fs.symlinkSync(source, shim);
    }
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [shims, ...kept].join(path.delimiter),
    TOOLCHAIN_DIR: toolchainDir,
    TF_CLI_CONFIG_FILE: cliConfigFile,
    NO_COLOR: '1',
  };
  for (const name of ['TERRAFORM_BINARY_NAME', 'TOOLCHAIN_PROVIDERS', 'TOOLCHAIN_ALL', 'TF_PLUGIN_CACHE_DIR']) delete env[name];
  return env;
}

function recorded(toolchainDir: string): Toolchain {
  return JSON.parse(fs.readFileSync(path.join(toolchainDir, 'toolchain.json'), 'utf8'));
}

test('reachable through the user\'s CLI configuration: with no Go on PATH, the demo runs with those providers and nothing is built', async () => {
  // The mirror serves hashicorp/null and hashicorp/external under their real names, as the registry would: the
  // binaries the project's toolchain already has (stand-ins built once, or the real ones), in the unpacked layout.
  const served = projectToolchain.providers.source === 'stand-in' ? projectToolchain.nullProvider.mirror! : projectToolchain.pluginCacheDir;
  const mirror = path.join(work, 'user-mirror');
  fs.cpSync(served, mirror, { recursive: true });
  const toolchainDir = path.join(work, 'reachable');
  const env = userEnv(toolchainDir, userCliConfig('reachable.tfrc', mirror), { withoutGo: true });
  expect(spawnSync('go', ['version'], { env }).error).toMatchObject({ code: 'ENOENT' });

  const demo = await run(process.execPath, [...TS_NODE, 'scripts/demo.ts'], env);
  expect(demo.stderr).toBe('');
  expect(demo.status).toBe(0);
  expect(demo.stdout).toContain('providers: the real hashicorp/null 3.2.4 and hashicorp/external 2.3.5, installed by');
  expect(demo.stdout).toContain('nothing built');
  expect(demo.stdout).toMatch(/FPGA image \w+ ↔ ECS image [\w-]+: associated/);
  expect(demo.stdout).toMatch(/FPGA image \w+ ↔ ECS image [\w-]+: gone/);
  expect(demo.stdout).toContain('✔ demo done');
  expect(demo.stdout).not.toMatch(/building|\x1b\[/);

  const toolchain = recorded(toolchainDir);
  expect(toolchain.providers).toMatchObject({ source: 'registry', userCliConfigFile: env.TF_CLI_CONFIG_FILE });
  expect(toolchain.nullProvider).toEqual({ version: '3.2.4', mode: 'registry' });
  expect(toolchain.externalProvider).toEqual({ version: '2.3.5', mode: 'registry' });
  expect(toolchain.env).toMatchObject({ TF_CLI_CONFIG_FILE: env.TF_CLI_CONFIG_FILE, TF_PLUGIN_CACHE_DIR: toolchain.pluginCacheDir });
  // Nothing built or written for the stand-ins: no mirror, no stamps, no CLI configuration of our own.
  expect(fs.readdirSync(toolchainDir).sort()).toEqual(['registry-plugin-cache', 'toolchain.json']);
  // What Terraform installed is what the user's mirror serves.
  const installed = path.join(toolchain.pluginCacheDir, `registry.terraform.io/hashicorp/null/3.2.4/${terraformPlatform()}/terraform-provider-null_v3.2.4_x5`);
  const offered = path.join(mirror, `registry.terraform.io/hashicorp/null/3.2.4/${terraformPlatform()}/terraform-provider-null_v3.2.4_x5`);
  expect(fs.readFileSync(installed).equals(fs.readFileSync(offered))).toBe(true);
}, 180_000);

test('nothing reachable: the stand-ins are built, said in one line, and a stack applies and destroys with them', async () => {
  const toolchainDir = path.join(work, 'unreachable');
  const emptyMirror = fs.mkdtempSync(path.join(work, 'empty-mirror-'));
  const env = userEnv(toolchainDir, userCliConfig('unreachable.tfrc', emptyMirror));

  const started = Date.now();
  const provisioned = await run(process.execPath, [...TS_NODE, 'tools/toolchain/main.ts', '--json'], env);
  const seconds = (Date.now() - started) / 1000;
  expect(provisioned.status).toBe(0);
  const said = provisioned.stderr.split('\n').filter((line) => line.startsWith('[toolchain] providers: '));
  expect(said).toEqual([
    expect.stringMatching(/^\[toolchain\] providers: stand-ins for hashicorp\/null 3\.2\.4 and hashicorp\/external 2\.3\.5, built from .* the registry is not reachable: provider registry\.terraform\.io\/hashicorp\/\w+ was not found in any of the search locations/),
  ]);
  expect(provisioned.stderr).toContain('building the null provider 3.2.4 stand-in');
  expect(provisioned.stderr).toContain('building the external provider 2.3.5 stand-in');
  process.stderr.write(`[provider-source] stand-ins built from scratch in ${seconds.toFixed(1)} s (Go caches warm)\n`);

  const toolchain: Toolchain = JSON.parse(provisioned.stdout);
  expect(toolchain).toEqual(recorded(toolchainDir));
  expect(toolchain.providers.source).toBe('stand-in');
  expect(toolchain.nullProvider.mode).toBe('stand-in');
  expect(toolchain.env.TF_CLI_CONFIG_FILE).toBe(path.join(toolchainDir, 'terraformrc'));

  const stack = fs.mkdtempSync(path.join(work, 'stack-'));
  fs.writeFileSync(
    path.join(stack, 'main.tf.json'),
    JSON.stringify({
      terraform: { required_providers: { null: { source: 'null', version: '3.2.4' } } },
      resource: { null_resource: { probe: { triggers: { a: 'b' } } } },
    }),
  );
  const tf = (...args: string[]) => run(toolchain.binary, [...args, '-no-color', '-input=false'], { ...env, ...toolchain.env }, stack);
  expect((await tf('init')).stdout).toMatch(/hashicorp\/null v3\.2\.4/);
  const installed = path.join(stack, `.terraform/providers/registry.terraform.io/hashicorp/null/3.2.4/${terraformPlatform()}/terraform-provider-null_v3.2.4_x5`);
  expect(fs.readFileSync(installed).equals(fs.readFileSync(toolchain.nullProvider.binary!))).toBe(true);
  expect((await tf('apply', '-auto-approve')).status).toBe(0);
  expect((await tf('destroy', '-auto-approve')).stdout).toContain('Destroy complete! Resources: 1 destroyed.');
}, 180_000);

test('nothing reachable and no Go: the message says to install Go or make the providers reachable', async () => {
  const emptyMirror = fs.mkdtempSync(path.join(work, 'empty-mirror-'));
  const env = userEnv(path.join(work, 'no-go'), userCliConfig('no-go.tfrc', emptyMirror), { withoutGo: true });
  const provisioned = await run(process.execPath, [...TS_NODE, 'tools/toolchain/main.ts'], env);
  expect(provisioned.status).toBe(1);
  expect(provisioned.stderr).toMatch(/error: Go is not installed .* the registry is not reachable/);
  expect(provisioned.stderr).toContain('Install Go 1.25 or newer, or make hashicorp/null 3.2.4 and hashicorp/external 2.3.5 reachable');
}, 60_000);

test('no terraform or tofu and no Go: the message says what to install', async () => {
  const env = userEnv(path.join(work, 'nothing'), userCliConfig('nothing.tfrc', work), { withoutGo: true, withoutCli: true });
  const provisioned = await run(process.execPath, [...TS_NODE, 'tools/toolchain/main.ts'], env);
  expect(provisioned.status).toBe(1);
  expect(provisioned.stderr).toContain('No terraform or tofu on PATH. Install Terraform 1.5+');
  expect(provisioned.stderr).toContain('or Go 1.26+ to have OpenTofu built from source');
}, 60_000);
