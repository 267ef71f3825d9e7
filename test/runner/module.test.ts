/**
 * The Terraform module from the packed npm tarball on simulated runners without Node.js (runner.ts), under real
 * Terraform and OpenTofu against the emulator: the only source of Node is a loopback npm registry serving the real
 * pinned tarball. A runner that never fetched applies, plans clean (the drift check included) and destroys with one
 * download; and since what runs is the configuration's, not the state's, a Node that was somewhere else at apply
 * (a path that no longer exists) does not stop the destroy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRunner, ensurePinnedTarballs, hostArch, NpmRegistry, PinnedTarball, Runner, startNpmRegistry } from '.';
import { EmulatorProcess, startEmulatorProcess } from '../../src/emulator/process';
import { DEMO_CREDENTIALS } from '../../src/emulator/server';
import { MODULE_NAME } from '../../tools/terraform-module';
import { availableClis, Cli, Workspace } from '../e2e/workspace';
import { PackedModule, packedModule } from '../terraform-module/packed-module';

const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const IMAGES = ['18efee75-e058-4c52-a49c-9e3ba4d1c8de', '27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11'];

let emulator: EmulatorProcess;
let clis: Cli[];
let packed: PackedModule;
let tarball: PinnedTarball | undefined;

beforeAll(async () => {
  clis = await availableClis();
  packed = await packedModule();
  if (hostArch()) [tarball] = await ensurePinnedTarballs();
  emulator = await startEmulatorProcess();
}, 600_000);
afterAll(async () => {
  await emulator?.stop();
  packed?.cleanup();
});
beforeEach(() => emulator.control.reset());

const relations = async () => (await emulator.control.relations()).map((r) => r.imageId).sort();

describe.each((process.env.FPGA_E2E_CLIS ?? 'terraform,tofu').split(','))('%s', (name) => {
  let registry: NpmRegistry | undefined;
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    cleanups.splice(0).forEach((cleanup) => cleanup());
    await registry?.stop();
    registry = undefined;
  });

  /** A registry serving the pinned Node, and a fresh runner that uses it; undefined where this test cannot run. */
  async function setUp(): Promise<{ registry: NpmRegistry; tarball: PinnedTarball; cli: Cli } | undefined> {
    const cli = clis.find((c) => c.binaryName === name);
    if (!cli) return void console.warn(`${name} is not available here; skipped`);
    if (!tarball) return void console.warn(`no pinned Node runs on ${process.platform}-${process.arch}; skipped`);
    registry = await startNpmRegistry([tarball]);
    return { registry, tarball, cli };
  }

  async function runner(): Promise<Runner> {
    const created = await createRunner({ registry: registry!.url });
    cleanups.push(() => created.cleanup());
    return created;
  }

  /** A root module calling the packed module with for_each over both images and the drift check, initialized on `host`. */
  async function rootModuleOn(cli: Cli, host: Runner): Promise<Workspace> {
    const ws = new Workspace(cli, { HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey, HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey }, 'module', host);
    cleanups.push(() => ws.cleanup());
    fs.mkdirSync(ws.dir, { recursive: true });
    fs.cpSync(packed.dir, path.join(ws.dir, MODULE_NAME), { recursive: true });
    fs.writeFileSync(path.join(ws.dir, 'main.tf'), [
      'module "fpga_image_association" {',
      `  source   = "./${MODULE_NAME}"`,
      `  for_each = toset(${JSON.stringify(IMAGES)})`,
      '',
      `  fpga_image_id = "${FPGA_IMAGE_ID}"`,
      '  image_id      = each.key',
      `  project_id    = "${emulator.projectId}"`,
      `  endpoint      = "${emulator.url}"`,
      '  drift_check   = true',
      '}',
      '',
    ].join('\n'));
    await ws.init();
    return ws;
  }

  test('a runner that can fetch but never has: apply, a clean plan that runs the drift check, destroy; one download in all', async () => {
    const set = await setUp();
    if (!set) return;
    const fresh = await runner();
    const ws = await rootModuleOn(set.cli, fresh);

    const applied = await ws.apply();
    expect({ status: applied.status, output: applied.status === 0 ? '' : applied.stdout + applied.stderr }).toEqual({ status: 0, output: '' });
    expect(await relations()).toEqual(IMAGES);
    expect(fs.readdirSync(fresh.nodeCache).length).toBeGreaterThan(0);

    const before = (await emulator.control.requests()).length;
    const plan = await ws.run(['plan', '-detailed-exitcode', '-input=false', '-no-color']);
    expect({ status: plan.status, warned: /no longer associated|could not check/.test(plan.stdout + plan.stderr) }).toEqual({ status: 0, warned: false });
    // Each pair's drift check asked the API, through the launcher and the cached Node.
    expect((await emulator.control.requests()).slice(before).map((r) => r.method)).toEqual(IMAGES.map(() => 'GET'));

    expect((await ws.destroy()).status).toBe(0);
    expect(await relations()).toEqual([]);
    expect(set.registry.downloads()).toBe(1);
  }, 300_000);

  test('applied with a Node that is gone at destroy (another runner, FPGA_ASSOC_NODE unset): destroy fetches one and disassociates', async () => {
    const set = await setUp();
    if (!set) return;
    const first = await runner();
    const node = await first.installNode(set.tarball);
    const ws = await rootModuleOn(set.cli, first);
    expect((await ws.apply([], { ...first.env, FPGA_ASSOC_NODE: node })).status).toBe(0);
    expect(await relations()).toEqual(IMAGES);
    expect(set.registry.downloads()).toBe(0);
    expect(fs.readFileSync(path.join(ws.dir, 'terraform.tfstate'), 'utf8')).not.toContain(node);

    // The Node that applied is gone (a new image, another tool cache), and the destroy runs on a runner that never fetched.
    fs.rmSync(path.dirname(path.dirname(node)), { recursive: true });
    const second = await runner();
    expect((await ws.destroy([], second.env)).status).toBe(0);
    expect(await relations()).toEqual([]);
    expect(set.registry.downloads()).toBe(1);
  }, 300_000);
});
