/**
 * The project's toolchain (tools/toolchain/) and the Terraform semantics our product relies on, proved with a
 * real CLI and the null provider from the project's mirror, for every CLI in .toolchain/toolchain.json:
 * triggers reach provisioners through `self`, a trigger change replaces the resource (destroy-time provisioner
 * with the OLD values, then create-time with the NEW ones), destroy runs the destroy-time provisioner, and a
 * failing destroy-time provisioner leaves the resource in state.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { forEachCli } from './for-each-cli';
import { ensureToolchain, NULL_PROVIDER_VERSION, Toolchain, ToolchainCli } from '../../tools/toolchain';

let toolchain: Toolchain;
const workdirs: string[] = [];

beforeAll(async () => {
  // A cold run builds the provider (and OpenTofu when no CLI is on PATH): allow for it.
  toolchain = await ensureToolchain();
}, 20 * 60_000);

afterAll(() => {
  for (const dir of workdirs) fs.rmSync(dir, { recursive: true, force: true });
});

interface Result {
  readonly status: number | null;
  readonly output: string;
}

/** One working directory with its own main.tf.json, state and marker log, driven by one CLI. */
class Stack {
  readonly dir: string;
  readonly marker: string;

  constructor(private readonly cli: ToolchainCli) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `toolchain-test-${cli.binaryName}-`));
    workdirs.push(this.dir);
    this.marker = path.join(this.dir, 'events.log');
  }

  write(triggers: Record<string, string>): void {
    // The provisioner appends one JSON line per run; values come from `self` via `environment`.
    const script =
      "const fs = require('fs'); const e = process.env;" +
      " if (e.WHEN === 'destroy' && e.FAIL_DESTROY === '1') { console.error('destroy refused'); process.exit(3); }" +
      ' fs.appendFileSync(e.MARKER, JSON.stringify({ when: e.WHEN, id: e.ID, fpga: e.FPGA, image: e.IMAGE }) + "\\n");';
    const provisioner = (when: 'create' | 'destroy') => ({
      'local-exec': {
        when,
        interpreter: ['node', '-e'],
        command: script,
        environment: {
          MARKER: this.marker,
          WHEN: when,
          ID: '${self.id}',
          FPGA: '${self.triggers.fpga_image_id}',
          IMAGE: '${self.triggers.image_id}',
        },
      },
    });
    const config = {
      terraform: { required_providers: { null: { source: 'null', version: NULL_PROVIDER_VERSION } } },
      resource: {
        null_resource: {
          assoc: { triggers, provisioner: [provisioner('create'), provisioner('destroy')] },
        },
      },
    };
    fs.writeFileSync(path.join(this.dir, 'main.tf.json'), JSON.stringify(config, undefined, 2));
  }

  run(args: string[], extraEnv: Record<string, string> = {}): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.cli.binary, [...args, '-no-color'], {
        cwd: this.dir,
        env: { ...process.env, ...this.cli.env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, output }));
    });
  }

  async mustRun(args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
    const result = await this.run(args, extraEnv);
    if (result.status !== 0) throw new Error(`${this.cli.binaryName} ${args.join(' ')} exited ${result.status}:\n${result.output}`);
    return result.output;
  }

  events(): { when: string; id: string; fpga: string; image: string }[] {
    if (!fs.existsSync(this.marker)) return [];
    return fs.readFileSync(this.marker, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
  }

  async stateId(): Promise<string | undefined> {
    const shown = JSON.parse(await this.mustRun(['show', '-json']));
    const resources: any[] = shown.values?.root_module?.resources ?? [];
    return resources.find((r) => r.address === 'null_resource.assoc')?.values.id;
  }
}

test('the toolchain is provisioned, cached, and configured for the local mirror only', async () => {
  const again = Date.now();
  const cached = await ensureToolchain();
  expect(Date.now() - again).toBeLessThan(5_000);
  expect(cached).toEqual(toolchain);

  const dir = process.env.TOOLCHAIN_DIR || path.join(__dirname, '..', '..', '.toolchain');
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'toolchain.json'), 'utf8'))).toEqual(toolchain);
  expect(toolchain.clis[0].binary).toBe(toolchain.binary);
  for (const cli of toolchain.clis) {
    expect(path.isAbsolute(cli.binary)).toBe(true);
    expect(['terraform', 'tofu']).toContain(cli.binaryName);
    expect(cli.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(cli.env).toMatchObject({ TERRAFORM_BINARY_NAME: cli.binary, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' });
  }
  expect(toolchain.env.TF_PLUGIN_CACHE_DIR).toBe(toolchain.pluginCacheDir);
  expect(toolchain.externalProvider.mode).toBe(toolchain.providers.source);
  if (toolchain.nullProvider.mode === 'stand-in') {
    expect(toolchain.env.TF_CLI_CONFIG_FILE).toBe(toolchain.cliConfigFile);
    const rc = fs.readFileSync(toolchain.cliConfigFile, 'utf8');
    expect(rc).toContain('filesystem_mirror');
    expect(rc).toContain(JSON.stringify(toolchain.nullProvider.mirror));
    expect(rc).toContain('plugin_cache_dir');
    expect(rc).not.toMatch(/\bdirect\s*\{|network_mirror/);
    expect(() => fs.accessSync(toolchain.nullProvider.binary!, fs.constants.X_OK)).not.toThrow();
  }
});

test('null_resource matches the hashicorp/null 3.2.4 schema', async () => {
  await forEachCli(toolchain, async (cli) => {
    const stack = new Stack(cli);
    stack.write({ fpga_image_id: 'f1', image_id: 'i1' });
    const init = await stack.mustRun(['init', '-input=false']);
    expect(init).toMatch(/hashicorp\/null v3\.2\.4/);
    const schemas = JSON.parse(await stack.mustRun(['providers', 'schema', '-json'])).provider_schemas;
    const [address] = Object.keys(schemas);
    expect(address).toMatch(/^registry\.(terraform|opentofu)\.(io|org)\/hashicorp\/null$/);
    const schema = schemas[address];
    expect(schema.provider.block.attributes ?? {}).toEqual({});
    const resource = schema.resource_schemas.null_resource;
    expect(resource.version).toBe(0);
    expect(resource.block.attributes.id).toMatchObject({ type: 'string', computed: true });
    expect(resource.block.attributes.id.optional).toBeUndefined();
    expect(resource.block.attributes.triggers).toMatchObject({ type: ['map', 'string'], optional: true });
    expect(Object.keys(resource.block.attributes).sort()).toEqual(['id', 'triggers']);
  });
});

test('apply, no-op plan, replacement on a trigger change, destroy: provisioners see the right trigger values', async () => {
  await forEachCli(toolchain, async (cli) => {
    const stack = new Stack(cli);
    stack.write({ fpga_image_id: 'fpga-old', image_id: 'image-old' });
    await stack.mustRun(['init', '-input=false']);

    await stack.mustRun(['apply', '-auto-approve', '-input=false']);
    const firstId = await stack.stateId();
    expect(firstId).toMatch(/^\d+$/);
    expect(stack.events()).toEqual([{ when: 'create', id: firstId, fpga: 'fpga-old', image: 'image-old' }]);

    // Nothing changed: 0 = no changes (an unstable id or a Read that drifts would show here).
    expect((await stack.run(['plan', '-detailed-exitcode', '-input=false'])).status).toBe(0);

    // A trigger change plans a replacement ...
    stack.write({ fpga_image_id: 'fpga-old', image_id: 'image-new' });
    const plan = await stack.run(['plan', '-detailed-exitcode', '-input=false']);
    expect(plan.status).toBe(2);
    expect(plan.output).toMatch(/must be replaced/);

    // ... which runs the destroy-time provisioner with the OLD values, then the create-time one with the NEW.
    await stack.mustRun(['apply', '-auto-approve', '-input=false']);
    const secondId = await stack.stateId();
    expect(secondId).toMatch(/^\d+$/);
    expect(secondId).not.toBe(firstId);
    expect(stack.events().slice(1)).toEqual([
      { when: 'destroy', id: firstId, fpga: 'fpga-old', image: 'image-old' },
      { when: 'create', id: secondId, fpga: 'fpga-old', image: 'image-new' },
    ]);
    expect((await stack.run(['plan', '-detailed-exitcode', '-input=false'])).status).toBe(0);

    await stack.mustRun(['destroy', '-auto-approve', '-input=false']);
    expect(stack.events().slice(3)).toEqual([{ when: 'destroy', id: secondId, fpga: 'fpga-old', image: 'image-new' }]);
    expect(await stack.stateId()).toBeUndefined();
  });
});

test('a failing destroy-time provisioner leaves the resource in state', async () => {
  await forEachCli(toolchain, async (cli) => {
    const stack = new Stack(cli);
    stack.write({ fpga_image_id: 'fpga-1', image_id: 'image-1' });
    await stack.mustRun(['init', '-input=false']);
    await stack.mustRun(['apply', '-auto-approve', '-input=false']);
    const id = await stack.stateId();

    const failed = await stack.run(['destroy', '-auto-approve', '-input=false'], { FAIL_DESTROY: '1' });
    expect(failed.status).not.toBe(0);
    expect(failed.output).toMatch(/destroy refused/);
    expect(await stack.stateId()).toBe(id);
    expect(stack.events()).toHaveLength(1);

    // A retry that succeeds removes it.
    await stack.mustRun(['destroy', '-auto-approve', '-input=false']);
    expect(await stack.stateId()).toBeUndefined();
    expect(stack.events().map((e) => e.when)).toEqual(['create', 'destroy']);
  });
});
