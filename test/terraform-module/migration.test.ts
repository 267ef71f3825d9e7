/**
 * Taking over a state applied by the module's previous version (two `null_resource`s per association,
 * settings frozen in the triggers): test/terraform-module/previous-module/ holds its .tf files as
 * `npm run package:terraform` generated them before the move to `terraform_data` (at db3c6aa). A root
 * module applies it with real Terraform and OpenTofu against the emulator, then the module from the
 * packed npm tarball replaces it in place: its `moved` blocks take the state over with no request, and
 * destroy disassociates, whether or not an apply ran in between.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PackedModule, packedModule } from './packed-module';
import { EmulatorProcess, startEmulatorProcess } from '../../src/emulator/process';
import { DEMO_CREDENTIALS } from '../../src/emulator/server';
import { MODULE_NAME } from '../../tools/terraform-module';
import { availableClis, Cli, Workspace } from '../e2e/workspace';

const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const IMAGE_A = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
const IMAGE_B = '27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11';
const PREVIOUS = path.join(__dirname, 'previous-module');

let emulator: EmulatorProcess;
let clis: Cli[];
let packed: PackedModule;

beforeAll(async () => {
  clis = await availableClis();
  packed = await packedModule();
  emulator = await startEmulatorProcess();
}, 600_000);
afterAll(async () => {
  await emulator?.stop();
  packed?.cleanup();
});
beforeEach(() => emulator.control.reset());

/** Both images, with a setting the previous module froze into the triggers. */
const CONFIG = `
module "fpga_image_association" {
  source   = "./${MODULE_NAME}"
  for_each = toset(["${IMAGE_A}", "${IMAGE_B}"])

  fpga_image_id = "${FPGA_IMAGE_ID}"
  image_id      = each.key
  project_id    = var.project_id
  region        = "cn-north-1" # the previous module's plan failed on Terraform without one
  endpoint      = var.endpoint
  max_attempts  = 5
}

variable "project_id" {
  type = string
}

variable "endpoint" {
  type = string
}
`;

describe.each((process.env.FPGA_E2E_CLIS ?? 'terraform,tofu').split(','))('%s', (name) => {
  /** A root module that applied the previous module, now holding the new one in its place (not yet initialized). */
  async function upgraded(): Promise<Workspace | null> {
    const cli = clis.find((c) => c.binaryName === name);
    if (!cli) {
      console.warn(`${name} is not available here; skipped`);
      return null;
    }
    const ws = new Workspace(cli, { HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey, HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey });
    const moduleDir = path.join(ws.dir, MODULE_NAME);
    fs.mkdirSync(moduleDir, { recursive: true });
    for (const file of fs.readdirSync(PREVIOUS)) fs.copyFileSync(path.join(PREVIOUS, file), path.join(moduleDir, file));
    // The previous module ran the same handler, with `node` from PATH.
    fs.copyFileSync(path.join(packed.dir, 'handler.js'), path.join(moduleDir, 'handler.js'));
    fs.writeFileSync(path.join(ws.dir, 'main.tf'), CONFIG);
    fs.writeFileSync(path.join(ws.dir, 'terraform.tfvars.json'), JSON.stringify({ project_id: emulator.projectId, endpoint: emulator.url }));
    await ws.init();
    const applied = await ws.apply();
    expect({ status: applied.status, output: applied.status === 0 ? '' : applied.stdout + applied.stderr }).toEqual({ status: 0, output: '' });
    expect(await relations()).toEqual([IMAGE_A, IMAGE_B]);
    const state = fs.readFileSync(path.join(ws.dir, 'terraform.tfstate'), 'utf8');
    expect(state).toMatch(/"type": "null_resource"/);
    fs.rmSync(moduleDir, { recursive: true });
    fs.cpSync(packed.dir, moduleDir, { recursive: true });
    await ws.init();
    return ws;
  }

  const relations = async () => (await emulator.control.relations()).map((r) => r.imageId).sort();
  const requestsSince = async (from: number) => (await emulator.control.requests()).slice(from).map((r) => r.method);

  test('the first plan moves both resources and updates the association in place; the apply sends nothing; destroy disassociates', async () => {
    const ws = await upgraded();
    if (!ws) return;
    try {
      const plan = await ws.run(['plan', '-detailed-exitcode', '-input=false', '-no-color']);
      expect(plan.status).toBe(2);
      expect(plan.stdout).toMatch(/Plan: 0 to add, 2 to change, 0 to destroy/);
      expect(plan.stdout.match(/# \(moved from module\.fpga_image_association\[".*"\]\.null_resource\.association\[0\]\)/g)?.length).toBe(2);
      expect(plan.stdout).not.toMatch(/must be replaced/);
      const from = (await emulator.control.requests()).length;
      expect((await ws.apply()).status).toBe(0);
      expect(await requestsSince(from)).toEqual([]);
      expect(await relations()).toEqual([IMAGE_A, IMAGE_B]);
      expect(await ws.planExitCode()).toBe(0);
      const state = fs.readFileSync(path.join(ws.dir, 'terraform.tfstate'), 'utf8');
      expect(state).not.toMatch(/"type": "null_resource"/);
      const destroyFrom = (await emulator.control.requests()).length;
      expect((await ws.destroy()).status).toBe(0);
      expect(await relations()).toEqual([]);
      expect(await requestsSince(destroyFrom)).toEqual(['DELETE', 'DELETE']);
    } finally {
      ws.cleanup();
    }
  });

  test('a destroy right after the upgrade, before any apply, disassociates with what the moved triggers hold', async () => {
    const ws = await upgraded();
    if (!ws) return;
    try {
      const from = (await emulator.control.requests()).length;
      expect((await ws.destroy()).status).toBe(0);
      expect(await relations()).toEqual([]);
      expect(await requestsSince(from)).toEqual(['DELETE', 'DELETE']);
    } finally {
      ws.cleanup();
    }
  });
});
