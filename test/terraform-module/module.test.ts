/**
 * The Terraform module generated from the construct (tools/terraform-module), as an HCL user runs it:
 * taken out of the packed npm tarball, called by the README's example (a root module with `for_each`
 * over two images), applied, planned, changed and destroyed by real Terraform and OpenTofu against the
 * emulator, counting the relations the emulator holds, and the requests it got, after each step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PackedModule, packedModule } from './packed-module';
import { EmulatorProcess, startEmulatorProcess } from '../../src/emulator/process';
import type { FaultRule } from '../../src/emulator/server';
import { DEMO_AGENCY, DEMO_CREDENTIALS } from '../../src/emulator/server';
import { MODULE_NAME } from '../../tools/terraform-module';
import { STEP_ADDRESS } from '../../tools/terraform-module/module';
import { availableClis, Cli, Workspace } from '../e2e/workspace';

const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const IMAGE_A = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
const IMAGE_B = '27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11';
/** The POST takes effect, and every answer to it is lost: the associate gives up without knowing. */
const POST_LOST: FaultRule = { method: 'POST', path: '/association', action: 'reset', takesEffect: true, times: -1 };

let emulator: EmulatorProcess;
let clis: Cli[];
let packed: PackedModule;
let moduleDir: string;
/** The README's example, calling the module beside it (`./fpga-image-association`) instead of `../..`. */
let example: string;

beforeAll(async () => {
  clis = await availableClis();
  packed = await packedModule();
  moduleDir = packed.dir;
  example = mustReplace(fs.readFileSync(path.join(moduleDir, 'examples', 'for_each', 'main.tf'), 'utf8'), 'source   = "../.."', `source   = "./${MODULE_NAME}"`);
  emulator = await startEmulatorProcess();
}, 600_000);
afterAll(async () => {
  await emulator?.stop();
  packed?.cleanup();
});

function mustReplace(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`expected ${JSON.stringify(from)} in:\n${text}`);
  return text.split(from).join(to);
}
beforeEach(() => emulator.control.reset());

test('the npm package ships the module: configuration, programs, examples, tests and a README in the terraform-docs layout', () => {
  const shipped = packed.files.filter((f) => f.startsWith(`terraform/${MODULE_NAME}/`)).map((f) => f.slice(`terraform/${MODULE_NAME}/`.length)).sort();
  expect(shipped).toEqual([
    'README.md', 'examples/assume_role/main.tf', 'examples/basic/main.tf', 'examples/for_each/main.tf', 'handler.js', 'handler.js.LICENSE.txt',
    'main.tf', 'moved.tf', 'node-launcher.sh', 'outputs.tf', 'tests/module.tftest.hcl', 'tests/validation.tftest.hcl', 'variables.tf', 'versions.tf',
  ]);
  const readme = fs.readFileSync(path.join(moduleDir, 'README.md'), 'utf8');
  expect(/```hcl\n([\s\S]*?)```/.exec(readme)?.[1].trim()).toBe(fs.readFileSync(path.join(moduleDir, 'examples', 'for_each', 'main.tf'), 'utf8').trim());
  expect(readme.match(/^## .*/gm)).toEqual(expect.arrayContaining(['## Requirements', '## Providers', '## Modules', '## Resources', '## Inputs', '## Outputs']));
  expect(readme).toContain('#where-terraform-runs');
  expect(readme).toMatch(/Set `enabled = false` and apply/);
  for (const resource of ['terraform_data.association', 'terraform_data.associate', 'data.external.drift_check']) expect(readme).toContain(`| ${resource} |`);
  const variables = fs.readFileSync(path.join(moduleDir, 'variables.tf'), 'utf8');
  const names = [...variables.matchAll(/^variable "(\w+)"/gm)].map((m) => m[1]).sort();
  expect(names).toEqual([
    'assume_role', 'attempt_timeout_seconds', 'drift_check', 'enabled', 'endpoint', 'fpga_image_id', 'image_id',
    'max_attempts', 'max_requests_per_second', 'project_id', 'region', 'total_timeout_seconds',
  ]);
  for (const name of names) expect(readme).toContain(`[${name}](#input_${name})`);
  // No provider block, so that callers may use for_each; terraform_data is built in, the drift check needs external.
  const all = ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'moved.tf'].map((f) => fs.readFileSync(path.join(moduleDir, f), 'utf8')).join('\n');
  expect(all).not.toMatch(/^provider /m);
  expect(all).not.toMatch(/null_resource"|resource "null_resource/);
  const versions = fs.readFileSync(path.join(moduleDir, 'versions.tf'), 'utf8');
  expect(versions).toMatch(/required_version = ">= 1\.9\.0"/);
  expect([...versions.matchAll(/^ {4}(\w+) = \{/gm)].map((m) => m[1])).toEqual(['external']);
  // What runs is named by the configuration: the launcher and the handler beside it, nothing from a variable or the state.
  expect(all.match(/interpreter\s*=.*/g)).toEqual([
    'interpreter = ["sh", "${path.module}/node-launcher.sh", "${path.module}/handler.js"]',
    'interpreter = ["sh", "${path.module}/node-launcher.sh", "${path.module}/handler.js"]',
  ]);
  expect(all).toMatch(/program = \["sh", "\$\{path.module\}\/node-launcher.sh", "\$\{path.module\}\/handler.js", "drift-query"\]/);
});

/** The example with its module block (and the output that reads it) deleted, as the removal rule's last step says. */
function withoutModuleBlock(config: string): string {
  const without = config.replace(/^module "fpga_image_association" \{[\s\S]*?^\}\n/m, '').replace(/^output "association_ids" \{[\s\S]*?^\}\n/m, '');
  if (without.includes('module.') || without === config) throw new Error('the example no longer has the module block this test deletes');
  return without;
}

/** The example's module block with more arguments. */
function withArguments(config: string, lines: string[]): string {
  const anchor = '  enabled       = var.enabled\n';
  if (!config.includes(anchor)) throw new Error('the example no longer sets enabled as this test expects');
  return config.replace(anchor, `${anchor}${lines.map((l) => `  ${l}\n`).join('')}`);
}

/** A root module's workspace, and how a test changes its tfvars and its main.tf. */
interface RootModule {
  readonly ws: Workspace;
  readonly vars: (values: Record<string, unknown>) => void;
  readonly config: (text: string) => void;
}

const each = () => (process.env.FPGA_E2E_CLIS ?? 'terraform,tofu').split(',');

describe.each(each())('%s', (name) => {
  let cli: Cli | undefined;
  beforeAll(() => {
    cli = clis.find((c) => c.binaryName === name);
  });

  /** A root module beside a copy of the generated module, with the example as main.tf; null when the CLI is missing. */
  async function rootModule(imageIds: string[], env: Record<string, string> = {}): Promise<RootModule | null> {
    if (!cli) {
      console.warn(`${name} is not available here; skipped`);
      return null;
    }
    const ws = new Workspace(cli, {
      HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
      HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey,
      FPGA_ASSOC_METADATA_ENDPOINT: 'off',
      // Left unset in the module, so the handler reads it from Terraform's environment (as the README says).
      FPGA_ASSOC_MAX_ATTEMPTS: '3',
      ...env,
    });
    fs.mkdirSync(ws.dir, { recursive: true });
    fs.cpSync(moduleDir, path.join(ws.dir, MODULE_NAME), { recursive: true });
    const config = (text: string) => fs.writeFileSync(path.join(ws.dir, 'main.tf'), text);
    let values: Record<string, unknown> = {
      fpga_image_id: FPGA_IMAGE_ID, ecs_image_ids: imageIds, project_id: emulator.projectId, endpoint: emulator.url,
    };
    const vars = (v: Record<string, unknown>) => {
      values = { ...values, ...v };
      fs.writeFileSync(path.join(ws.dir, 'terraform.tfvars.json'), JSON.stringify(values));
    };
    config(example);
    vars({});
    await ws.init();
    return { ws, vars, config };
  }

  const relations = async () => (await emulator.control.relations()).map((r) => r.imageId).sort();

  test('for_each over two images: apply, plan unchanged, settings and the drift check updated in place, drop an image, enabled = false, delete the block, destroy', async () => {
    const root = await rootModule([IMAGE_A, IMAGE_B]);
    if (!root) return;
    const { ws, vars, config } = root;
    try {
      expect((await ws.apply()).status).toBe(0);
      expect(await relations()).toEqual([IMAGE_A, IMAGE_B]);
      expect(JSON.parse((await ws.mustRun(['output', '-json', 'association_ids'])).stdout)).toEqual({
        [IMAGE_A]: `${FPGA_IMAGE_ID}/${IMAGE_A}`, [IMAGE_B]: `${FPGA_IMAGE_ID}/${IMAGE_B}`,
      });
      expect(await ws.planExitCode()).toBe(0);

      // Settings are the association's input: a change is an update in place, with no request but the drift check's queries.
      config(withArguments(example, ['max_attempts  = 5', 'attempt_timeout_seconds = 10', 'drift_check   = true']));
      const before = (await emulator.control.requests()).length;
      const updated = await ws.apply();
      expect(updated.stdout).toMatch(/Apply complete! Resources: 0 added, 2 changed, 0 destroyed/);
      expect((await emulator.control.requests()).slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
      const checked = await ws.run(['plan', '-detailed-exitcode', '-input=false', '-no-color']);
      expect({ status: checked.status, warned: /no longer associated/.test(checked.stdout + checked.stderr) }).toEqual({ status: 0, warned: false });
      // The drift check's limits come from the timeout variables, within its own 30 s.
      const shown = JSON.parse((await ws.mustRun(['show', '-json', '-no-color'])).stdout);
      const queries = shown.values.root_module.child_modules.flatMap((m: any) => m.resources).filter((r: any) => r.type === 'external').map((r: any) => r.values.query);
      expect(queries.map((q: any) => [q.FPGA_ASSOC_ATTEMPT_TIMEOUT_MS, q.FPGA_ASSOC_TOTAL_TIMEOUT_MS, q.FPGA_ASSOC_MAX_ATTEMPTS])).toEqual([['10000', '30000', '5'], ['10000', '30000', '5']]);

      // Removed outside Terraform: the drift check warns with the step to replace, and replacing it associates again.
      await emulator.control.reset();
      const drift = await ws.run(['plan', '-input=false', '-no-color']);
      expect(drift.status).toBe(0);
      expect((drift.stdout + drift.stderr).replace(/\s+/g, ' ')).toContain(
        `FPGA image ${FPGA_IMAGE_ID} is no longer associated with ECS image ${IMAGE_A}, although the Terraform state says it is: it was removed outside Terraform. `
        + `To associate them again, run: terraform apply -replace='<this module's address>.${STEP_ADDRESS}'`,
      );
      expect((await ws.apply([`-replace=module.fpga_image_association["${IMAGE_A}"].${STEP_ADDRESS}`])).status).toBe(0);
      expect(await relations()).toEqual([IMAGE_A]);

      // Dropping a key disassociates that image only (B is already gone from the cloud: the disassociate finds it gone).
      config(example);
      await emulator.control.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_B }]);
      vars({ ecs_image_ids: [IMAGE_A] });
      expect((await ws.apply()).status).toBe(0);
      expect(await relations()).toEqual([IMAGE_A]);

      // The removal rule: enabled = false, apply; then delete the block, apply.
      vars({ enabled: false });
      expect((await ws.apply()).status).toBe(0);
      expect(await relations()).toEqual([]);
      expect(await ws.planExitCode()).toBe(0);
      config(withoutModuleBlock(example));
      expect((await ws.apply()).status).toBe(0);
      const state = JSON.parse((await ws.mustRun(['show', '-json', '-no-color'])).stdout);
      expect(state.values?.root_module?.child_modules ?? []).toEqual([]);
      expect((await ws.destroy()).status).toBe(0);
      expect(await relations()).toEqual([]);
    } finally {
      ws.cleanup();
    }
  });

  test('deleting the module block directly forgets the association without disassociating: why the README says enabled = false first', async () => {
    const root = await rootModule([IMAGE_A]);
    if (!root) return;
    const { ws, config } = root;
    try {
      expect((await ws.apply()).status).toBe(0);
      config(withoutModuleBlock(example));
      expect((await ws.apply()).status).toBe(0);
      expect(await relations()).toEqual([IMAGE_A]);
    } finally {
      ws.cleanup();
    }
  });

  test('a setting changed after apply: updated in place without a request, and the next destroy uses it', async () => {
    const root = await rootModule([IMAGE_A], { HW_AUTH_URL: emulator.url });
    if (!root) return;
    const { ws, config } = root;
    const since = async (from: number) => (await emulator.control.requests()).slice(from).map((r) => `${r.method} ${r.path.split('?')[0]}`);
    try {
      expect((await ws.apply()).status).toBe(0);
      expect(await relations()).toEqual([IMAGE_A]);
      config(withArguments(example, [`assume_role   = { agency_name = "${DEMO_AGENCY.agencyName}", domain_name = "${DEMO_AGENCY.domainName}" }`, 'max_attempts  = 4']));
      let from = (await emulator.control.requests()).length;
      const updated = await ws.apply();
      expect(updated.stdout).toMatch(/module.fpga_image_association\[".*"\].terraform_data.association\[0\] will be updated in-place/);
      expect(updated.stdout).toMatch(/Apply complete! Resources: 0 added, 1 changed, 0 destroyed/);
      expect(await since(from)).toEqual([]);
      expect(await ws.planExitCode()).toBe(0);
      from = (await emulator.control.requests()).length;
      expect((await ws.destroy()).status).toBe(0);
      expect(await relations()).toEqual([]);
      // The destroy acted as the agency set after the association was made.
      const association = `/v1/${emulator.projectId}/cloudservers/fpga_image/${FPGA_IMAGE_ID}/association`;
      expect(await since(from)).toEqual(['POST /v3.0/OS-CREDENTIAL/securitytokens', `DELETE ${association}`]);
    } finally {
      ws.cleanup();
    }
  });

  test('what runs is the configuration\'s: the state names no program, and the module moved elsewhere still destroys', async () => {
    const root = await rootModule([IMAGE_A]);
    if (!root) return;
    const { ws, config } = root;
    try {
      expect((await ws.apply()).status).toBe(0);
      const state = fs.readFileSync(path.join(ws.dir, 'terraform.tfstate'), 'utf8');
      for (const program of ['node-launcher', 'handler.js', 'interpreter']) expect({ program, inState: state.includes(program) }).toEqual({ program, inState: false });
      // The key stays, for states taken over from the module's null_resource (where it is ignored): never a value.
      expect(state).toMatch(/"node_executable": null/);
      // The module's directory changes (a new version vendored elsewhere, a new runner's checkout): destroy runs what the configuration names now.
      fs.renameSync(path.join(ws.dir, MODULE_NAME), path.join(ws.dir, 'vendored'));
      config(mustReplace(example, `./${MODULE_NAME}`, './vendored'));
      await ws.init();
      expect((await ws.destroy()).status).toBe(0);
      expect(await relations()).toEqual([]);
    } finally {
      ws.cleanup();
    }
  });

  test('without project_id and with assume_role: the handler finds the region\'s project and acts as the agency, on create and on destroy', async () => {
    // IAM is the emulator's; the example's region (cn-north-1) names the project.
    const root = await rootModule([IMAGE_A], { HW_AUTH_URL: emulator.url });
    if (!root) return;
    const { ws, vars, config } = root;
    try {
      vars({ project_id: null });
      config(withArguments(example, [`assume_role   = { agency_name = "${DEMO_AGENCY.agencyName}", domain_name = "${DEMO_AGENCY.domainName}" }`]));
      expect((await ws.apply()).status).toBe(0);
      expect(await relations()).toEqual([IMAGE_A]);
      expect(await ws.planExitCode()).toBe(0);
      expect((await ws.destroy()).status).toBe(0);
      expect(await relations()).toEqual([]);
      // The project came from IAM (looked up once per machine, then cached); each operation assumed the agency first.
      const requests = (await emulator.control.requests()).map((r) => `${r.method} ${r.path.split('?')[0]}`);
      const association = `/v1/${emulator.projectId}/cloudservers/fpga_image/${FPGA_IMAGE_ID}/association`;
      expect(requests.filter((r) => !r.startsWith('GET /v3/projects'))).toEqual([
        'POST /v3.0/OS-CREDENTIAL/securitytokens', `POST ${association}`, 'POST /v3.0/OS-CREDENTIAL/securitytokens', `DELETE ${association}`,
      ]);
    } finally {
      ws.cleanup();
    }
  });

  test('an associate whose answer is lost, then destroy: nothing is left', async () => {
    const root = await rootModule([IMAGE_A, IMAGE_B]);
    if (!root) return;
    const { ws } = root;
    try {
      await emulator.control.addFaults([POST_LOST]);
      const failed = await ws.apply();
      await emulator.control.clearFaults();
      expect(failed.status).not.toBe(0);
      expect(failed.stdout + failed.stderr).toMatch(/may have been made/);
      expect(await relations()).toEqual([IMAGE_A, IMAGE_B]);
      expect((await ws.destroy()).status).toBe(0);
      expect(await relations()).toEqual([]);
      expect(ws.everythingWritten()).not.toContain(DEMO_CREDENTIALS.secretKey);
    } finally {
      ws.cleanup();
    }
  });
});
