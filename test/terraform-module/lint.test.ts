/**
 * The Terraform module from the packed npm tarball, checked as the Registry's modules are, by
 * terraform and by tofu: `fmt -check -recursive` and `validate` clean, each example validates, the
 * module's own tests (tests/*.tftest.hcl) pass, and every rule of its variables fails the plan with its
 * message, for a value the construct refuses too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { PackedModule, packedModule } from './packed-module';
import { FpgaImageAssociation, FpgaImageAssociationProps } from '../../src';
import { EXAMPLES, VALID_VARIABLES } from '../../tools/terraform-module';
import { RULES } from '../../tools/terraform-module/variables';
import { availableClis, Cli, Workspace } from '../e2e/workspace';

let clis: Cli[];
let packed: PackedModule;

beforeAll(async () => {
  clis = await availableClis();
  packed = await packedModule();
}, 600_000);
afterAll(() => packed?.cleanup());

/** A message of variables.ts (an HCL template) as a pattern: its literal text in order, anything for each interpolation. */
function pattern(message: string): RegExp {
  const literal = message.split(/\$\{(?:[^{}]|\{[^{}]*\})*\}/).map((part) => part.replace(/\s+/g, ' ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(literal.join('.*?'));
}

test('every rule has a value that breaks it, and the construct refuses that value at synth too', () => {
  const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const props = (values: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(values)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => [camel(k), v !== null && typeof v === 'object' ? props(v as Record<string, unknown>) : v]));
  const synth = (values: Record<string, unknown>) => {
    try {
      const app = new App({ outdir: fs.mkdtempSync(path.join(packed.dir, '..', 'synth-')) });
      new FpgaImageAssociation(new TerraformStack(app, 'rule'), 'A', props(values) as unknown as FpgaImageAssociationProps);
      app.synth();
      return 'accepted';
    } catch {
      return 'refused';
    }
  };
  expect(synth(VALID_VARIABLES)).toBe('accepted');
  const refused = RULES.map((rule) => `${rule.message}: ${synth({ ...VALID_VARIABLES, ...rule.failing })}`);
  expect(refused).toEqual(RULES.map((rule) => `${rule.message}: refused`));
});

describe.each((process.env.FPGA_E2E_CLIS ?? 'terraform,tofu').split(','))('%s', (name) => {
  let ws: Workspace | undefined;

  beforeAll(async () => {
    const cli = clis.find((c) => c.binaryName === name);
    if (!cli) return;
    ws = new Workspace(cli, {});
    fs.cpSync(packed.dir, ws.dir, { recursive: true });
    await ws.init();
  }, 120_000);
  afterAll(() => ws?.cleanup());

  test('fmt -check -recursive and validate are clean', async () => {
    if (!ws) return console.warn(`${name} is not available here; skipped`);
    expect((await ws.run(['fmt', '-check', '-recursive', '-diff', '-no-color'])).stdout).toBe('');
    expect((await ws.run(['fmt', '-check', '-recursive', '-no-color'])).status).toBe(0);
    const validated = await ws.mustRun(['validate', '-no-color']);
    expect(validated.stdout + validated.stderr).toMatch(/^\s*Success! The configuration is valid\.\s*$/);
  });

  test.each(EXAMPLES)('examples/%s initializes and validates', async (example) => {
    if (!ws) return console.warn(`${name} is not available here; skipped`);
    const chdir = `-chdir=examples/${example}`;
    await ws.mustRun([chdir, 'init', '-backend=false', '-input=false', '-no-color']);
    expect((await ws.mustRun([chdir, 'validate', '-no-color'])).stdout).toMatch(/Success! The configuration is valid/);
  });

  test('the module\'s own tests pass: each rule, the for_each shape, enabled = false, the outputs', async () => {
    if (!ws) return console.warn(`${name} is not available here; skipped`);
    const runs = fs.readdirSync(path.join(ws.dir, 'tests')).filter((f) => f.endsWith('.tftest.hcl'))
      .map((f) => fs.readFileSync(path.join(ws!.dir, 'tests', f), 'utf8').match(/^run "/gm)?.length ?? 0).reduce((a, b) => a + b, 0);
    expect(runs).toBeGreaterThan(RULES.length);
    const result = await ws.run(['test', '-no-color']);
    expect({ status: result.status, summary: /Success! \d+ passed, 0 failed/.exec(result.stdout)?.[0] }).toEqual({ status: 0, summary: `Success! ${runs} passed, 0 failed` });
  });

  test('a plan fails for every bad setting, on its variable, with its rule\'s message', async () => {
    if (!ws) return console.warn(`${name} is not available here; skipped`);
    const failures: string[] = [];
    for (const [i, rule] of RULES.entries()) {
      const vars = path.join(ws.dir, `rule-${i + 1}.tfvars.json`);
      fs.writeFileSync(vars, JSON.stringify({ ...VALID_VARIABLES, ...rule.failing }));
      const plan = await ws.run(['plan', '-input=false', '-no-color', `-var-file=${vars}`]);
      const output = (plan.stdout + plan.stderr).replace(/│/g, ' ').replace(/\s+/g, ' ');
      const errors = output.match(/Error: /g)?.length;
      if (plan.status !== 1 || errors !== 1 || !output.includes('Error: Invalid value for variable') || !pattern(rule.message).test(output)) {
        failures.push(`${rule.message} (exit ${plan.status}, ${errors} errors):\n${output}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
