/**
 * A CDKTF stack of several associations, with the drift check, on simulated runners without Node.js (runner.ts),
 * under real Terraform and OpenTofu against the emulator. The only source of Node is a loopback npm registry serving
 * the real pinned tarball. A runner that can fetch does so once for a whole apply, plan and destroy; one that
 * cannot, or that gets a tampered tarball, fails in one line and sends nothing; and what a missing runtime left in
 * the state is destroyed once Node is there.
 */
import { TerraformStack } from 'cdktf';
import { createRunner, ensurePinnedTarballs, hostArch, NpmRegistry, PinnedTarball, readPins, Runner, startNpmRegistry } from '.';
import { FpgaImageAssociation, FpgaImageAssociations } from '../../src';
import { EmulatorProcess, startEmulatorProcess } from '../../src/emulator/process';
import { DEMO_CREDENTIALS } from '../../src/emulator/server';
import { availableClis, Cli, RunResult, sortPairs, Workspace } from '../e2e/workspace';

const TRANSCODER_FPGA_IMAGE = '4010a32b5f231f04015f24259efd0429';
const ENCODER_FPGA_IMAGE = '5b21c43d6e7f4a8b9c0d1e2f3a4b5c6d';
const IMAGES = ['18efee75-e058-4c52-a49c-9e3ba4d1c8de', '27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11', '9c1d3f7e-2b4a-4e6f-8a0b-1c2d3e4f5a6b'];
const PAIRS = sortPairs([
  ...IMAGES.map((imageId) => ({ fpgaImageId: TRANSCODER_FPGA_IMAGE, imageId })),
  { fpgaImageId: ENCODER_FPGA_IMAGE, imageId: IMAGES[0] },
]);

let emulator: EmulatorProcess;
let clis: Cli[];
let tarball: PinnedTarball | undefined;

beforeAll(async () => {
  clis = await availableClis();
  if (hostArch()) [tarball] = await ensurePinnedTarballs();
  emulator = await startEmulatorProcess();
}, 600_000);
afterAll(() => emulator?.stop());
beforeEach(() => emulator.control.reset());

/** Four associations, each with the drift check: three of one FPGA image, and one of another. */
function accelerators(stack: TerraformStack): void {
  const target = { projectId: emulator.projectId, endpoint: emulator.url, driftCheck: true };
  new FpgaImageAssociations(stack, 'Transcoders', { ...target, fpgaImageId: TRANSCODER_FPGA_IMAGE, imageIds: IMAGES });
  new FpgaImageAssociation(stack, 'Encoder', { ...target, fpgaImageId: ENCODER_FPGA_IMAGE, imageId: IMAGES[0] });
}

const relations = async () => sortPairs(await emulator.control.relations());
const requestCount = async () => (await emulator.control.requests()).length;
const requestsSince = async (count: number) => (await emulator.control.requests()).slice(count).map((r) => r.method);

const LAUNCHER = 'fpga-image-association: ';

/**
 * The launcher's lines in what a command printed: from a provisioner, as Terraform relays them, one line each; from
 * the drift check's data source, as Terraform's error quotes them, wrapped (so unwrapped here, each up to the next).
 */
function launcherLines(result: RunResult): string[] {
  const relayed = result.stdout.split('\n').filter((line) => line.includes(`(local-exec): ${LAUNCHER}`));
  const quoted = (result.stdout + result.stderr).split(/\n\s*\n/).filter((part) => part.includes('Error Message: fpga-image-association'));
  return [...relayed, ...quoted.flatMap((part) => part.replace(/\s+/g, ' ').split(LAUNCHER).slice(1).map((line) => LAUNCHER + line))];
}

/** The command failed, and a launcher's line says what was looked at and what to do. */
function expectRefusalLine(result: RunResult, ...mentions: string[]): void {
  const output = result.stdout + result.stderr;
  const refusal = launcherLines(result).some((line) => mentions.every((m) => line.includes(m)));
  expect({ status: result.status === 0 ? 0 : 'failed', refusal, output: refusal ? '' : output }).toEqual({ status: 'failed', refusal: true, output: '' });
  expect(output).not.toContain('executable file not found');
}

/** A digest as a line may name it: npm's integrity form, or hex as sha512sum prints it. */
function digestForms(integrity: string): RegExp {
  const hex = Buffer.from(integrity.replace(/^sha512-/, ''), 'base64').toString('hex');
  return new RegExp(`${hex}|${integrity.replace(/[+/=]/g, '\\$&')}`);
}

describe.each((process.env.FPGA_E2E_CLIS ?? 'terraform,tofu').split(','))('%s', (name) => {
  let cli: Cli | undefined;
  let registry: NpmRegistry | undefined;
  const runners: Runner[] = [];
  const workspaces: Workspace[] = [];
  beforeAll(() => {
    cli = clis.find((c) => c.binaryName === name);
  });
  afterEach(async () => {
    workspaces.splice(0).forEach((ws) => ws.cleanup());
    runners.splice(0).forEach((r) => r.cleanup());
    await registry?.stop();
    registry = undefined;
  });

  /** A registry in `mode`, and runners that use it; undefined where this test cannot run. */
  async function setUp(mode: 'serve' | 'corrupt' | 'closed'): Promise<{ registry: NpmRegistry; tarball: PinnedTarball } | undefined> {
    if (!cli) return void console.warn(`${name} is not available here; skipped`);
    if (!tarball) return void console.warn(`no pinned Node runs on ${process.platform}-${process.arch}; skipped`);
    registry = await startNpmRegistry([tarball], mode);
    return { registry, tarball };
  }

  async function runner(): Promise<Runner> {
    const created = await createRunner({ registry: registry!.url });
    runners.push(created);
    return created;
  }

  /** The stack, synthesized and initialized, whose commands run on `host`. */
  async function stackOn(host: Runner): Promise<Workspace> {
    const ws = new Workspace(cli!, { HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey, HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey }, 'accelerators', host);
    workspaces.push(ws.synth(accelerators));
    await ws.init();
    return ws;
  }

  test('a runner that can fetch but never has: apply, a clean plan that runs the drift check, destroy; one download in all', async () => {
    const set = await setUp('serve');
    if (!set) return;
    const fresh = await runner();
    const ws = await stackOn(fresh);

    const applied = await ws.apply();
    expect({ status: applied.status, output: applied.status === 0 ? '' : applied.stdout + applied.stderr }).toEqual({ status: 0, output: '' });
    expect(await relations()).toEqual(PAIRS);
    // The one fetch says what, from where and into which directory.
    const fetched = launcherLines(applied).filter((line) => line.includes(set.registry.tarballUrl(set.tarball)) && line.includes(fresh.nodeCache));
    expect(fetched).toHaveLength(1);

    const before = await requestCount();
    const plan = await ws.run(['plan', '-detailed-exitcode', '-input=false', '-no-color']);
    expect(plan.status).toBe(0);
    expect(plan.stdout + plan.stderr).not.toContain('no longer associated');
    // Each pair's drift check asked the API, through the launcher and the cached Node.
    expect(await requestsSince(before)).toEqual(PAIRS.map(() => 'GET'));

    expect((await ws.destroy()).status).toBe(0);
    expect(await relations()).toEqual([]);
    expect(set.registry.downloads()).toBe(1);
  }, 300_000);

  test('a runner that cannot fetch: apply fails in one line, sending nothing; a destroy there fails, keeping the associations; with Node, destroy leaves none', async () => {
    const set = await setUp('closed');
    if (!set) return;
    const first = await runner();
    const ws = await stackOn(first);

    expectRefusalLine(await ws.apply(), set.registry.tarballUrl(set.tarball), 'npm_config_registry', 'FPGA_ASSOC_NODE');
    expect(await emulator.control.requests()).toEqual([]);
    expect(await relations()).toEqual([]);

    // The registry is back: the same runner fetches, and the apply associates what the failed one could not.
    await set.registry.setMode('serve');
    expect((await ws.apply()).status).toBe(0);
    expect(await relations()).toEqual(PAIRS);
    expect(set.registry.downloads()).toBe(1);

    // Another runner, which never fetched and cannot: its plan only warns that the drift check could not check the
    // pairs (with the launcher's line); its destroy fails at the disassociates, sending nothing, and the state keeps
    // every association.
    await set.registry.setMode('closed');
    const other = await runner();
    const before = await requestCount();
    const plan = await ws.run(['plan', '-detailed-exitcode', '-input=false', '-no-color'], other.env);
    expect({ status: plan.status, output: plan.status === 0 ? '' : plan.stdout + plan.stderr }).toEqual({ status: 0, output: '' });
    const unchecked = (plan.stdout + plan.stderr).replace(/\s+/g, ' ').split('could not check whether FPGA image').slice(1);
    expect(unchecked).toHaveLength(PAIRS.length);
    for (const warning of unchecked) expect(warning).toContain(set.registry.tarballUrl(set.tarball));
    expectRefusalLine(await ws.destroy([], other.env), set.registry.tarballUrl(set.tarball), 'npm_config_registry', 'FPGA_ASSOC_NODE');
    expect(await requestsSince(before)).toEqual([]);
    expect(await relations()).toEqual(PAIRS);
    expect(sortPairs(await ws.associationPairs())).toEqual(PAIRS);

    // Node is there now (baked into the image, named by FPGA_ASSOC_NODE): the same destroy again leaves nothing.
    const node = await other.installNode(set.tarball);
    expect((await ws.destroy([], { ...other.env, FPGA_ASSOC_NODE: node })).status).toBe(0);
    expect(await relations()).toEqual([]);
    expect(await ws.associationPairs()).toEqual([]);
    expect(set.registry.downloads()).toBe(1);
  }, 300_000);

  test('a tampered tarball is refused, naming both digests, and nothing is sent; the next run with the real one fetches again and recovers', async () => {
    const set = await setUp('corrupt');
    if (!set) return;
    const ws = await stackOn(await runner());

    const pinned = readPins().packages[set.tarball.arch].integrity;
    const refused = await ws.apply();
    expectRefusalLine(refused, set.registry.tarballUrl(set.tarball));
    const received = set.registry.corruptIntegrity(set.tarball);
    expect(launcherLines(refused).filter((line) => digestForms(pinned).test(line) && digestForms(received).test(line)).length).toBeGreaterThan(0);
    expect(await emulator.control.requests()).toEqual([]);
    expect(await relations()).toEqual([]);
    const tampered = set.registry.downloads();
    expect(tampered).toBeGreaterThan(0);

    // The refused download left nothing that a later run would use: the next one fetches again, once.
    await set.registry.setMode('serve');
    expect((await ws.apply()).status).toBe(0);
    expect(await relations()).toEqual(PAIRS);
    expect(set.registry.downloads()).toBe(tampered + 1);
    expect((await ws.run(['plan', '-detailed-exitcode', '-input=false', '-no-color'])).status).toBe(0);
    expect((await ws.destroy()).status).toBe(0);
    expect(await relations()).toEqual([]);
    expect(set.registry.downloads()).toBe(tampered + 1);
  }, 300_000);
});
