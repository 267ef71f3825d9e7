import { TerraformStack, Testing } from 'cdktf';
import { FpgaImageAssociation, FpgaImageAssociationProps, FpgaImageAssociations } from '../src';
import { DRIFT_CHECK_TIMEOUT_MS } from '../src/private/drift-check';

/** The synthesized shape of the opt-in drift check (its behaviour under Terraform: test/e2e/drift-check.test.ts). */

const PROJECT_ID = '0123456789abcdef0123456789abcdef';
const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const IMAGE_A = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
const IMAGE_B = '27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11';
const PROPS: FpgaImageAssociationProps = { projectId: PROJECT_ID, fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_A, region: 'cn-north-1', driftCheck: true };

function synth(define: (stack: TerraformStack) => void): any {
  const stack = new TerraformStack(Testing.app(), 'stack');
  define(stack);
  return JSON.parse(Testing.synth(stack));
}

/** The step that associates: the drift check reads the pairs it made, and its `-replace` associates again. */
function stepOf(resources: Record<string, any>): [string, any] {
  return only(Object.fromEntries(Object.entries(resources).filter(([name]) => name.includes('_Associate_'))));
}

function only(record: Record<string, any> | undefined): [string, any] {
  const entries = Object.entries(record ?? {});
  expect(entries).toHaveLength(1);
  return entries[0];
}

describe('one association', () => {
  const json = synth((stack) => new FpgaImageAssociation(stack, 'Assoc', PROPS));
  const [resourceName] = stepOf(json.resource.null_resource);
  const [name, data] = only(json.data.external);
  const [checkName, check] = only(json.check);
  const pair = `null_resource.${resourceName}`;

  test('a data "external" that runs the handler\'s drift-query through the launcher, for the pair the state says was associated', () => {
    expect(checkName).toBe(name);
    expect(data.for_each).toBeUndefined();
    expect(data.program).toEqual([
      'sh',
      expect.stringMatching(/^\$\{path\.module\}\/assets\/FpgaImageAssociationNodeLauncher\/[0-9A-F]{32}\/node-launcher\.sh$/),
      expect.stringMatching(/^\$\{path\.module\}\/assets\/FpgaImageAssociationHandler\/[0-9A-F]{32}\/handler\.js$/),
      'drift-query',
    ]);
    expect(data.query).toEqual({
      FPGA_ASSOC_PROJECT_ID: `\${${pair}.triggers.project_id}`,
      FPGA_ASSOC_FPGA_IMAGE_ID: `\${${pair}.triggers.fpga_image_id}`,
      FPGA_ASSOC_IMAGE_ID: `\${${pair}.triggers.image_id}`,
      FPGA_ASSOC_ENDPOINT: `\${${pair}.triggers.endpoint}`,
      FPGA_ASSOC_REGION: `\${lookup(${pair}.triggers, "region", "")}`,
      null_resource_id: `\${${pair}.id}`,
      FPGA_ASSOC_TOTAL_TIMEOUT_MS: String(DRIFT_CHECK_TIMEOUT_MS),
      FPGA_ASSOC_ATTEMPT_TIMEOUT_MS: '15000',
    });
    expect(data.program.slice(0, 3)).toEqual(json.resource.null_resource[resourceName].provisioner[0]['local-exec'].interpreter);
  });

  test('a check block: one assertion for pairs that are gone, one for questions that got no answer, each naming the pairs', () => {
    const answers = `[data.external.${name}]`;
    expect(check.data).toBeUndefined();
    expect(check.assert).toEqual([
      {
        condition: `\${alltrue([for d in ${answers} : d.result.associated != "false"])}`,
        error_message:
          `\${join("\\n", [for d in ${answers} : "stack/Assoc: FPGA image \${d.query.FPGA_ASSOC_FPGA_IMAGE_ID} is no longer associated with ECS image \${d.query.FPGA_ASSOC_IMAGE_ID}, `
          + `although the Terraform state says it is: it was removed outside Terraform. To associate them again, run: terraform apply -replace='${pair}'" if d.result.associated == "false"])}`,
      },
      {
        condition: `\${alltrue([for d in ${answers} : d.result.problem == ""])}`,
        error_message:
          `\${join("\\n", [for d in ${answers} : "stack/Assoc: could not check whether FPGA image \${d.query.FPGA_ASSOC_FPGA_IMAGE_ID} is still associated with ECS image \${d.query.FPGA_ASSOC_IMAGE_ID}: \${d.result.problem}" if d.result.problem != ""])}`,
      },
    ]);
  });

  test('requires hashicorp/external 2.3 or newer, next to the null provider', () => {
    expect(json.terraform.required_providers).toEqual({
      null: { source: 'null', version: '3.2.4' },
      external: { source: 'hashicorp/external', version: '~> 2.3' },
    });
  });
});

describe('many associations', () => {
  const json = synth((stack) => new FpgaImageAssociations(stack, 'Gpus', { ...PROPS, imageIds: [IMAGE_A, IMAGE_B] }));
  const [resourceName] = stepOf(json.resource.null_resource);
  const [name, data] = only(json.data.external);
  const [, check] = only(json.check);

  test('one data source instance per pair, keyed as the step that associates is, reading the pair from its instance', () => {
    expect(data.for_each).toBe(`\${null_resource.${resourceName}}`);
    expect(data.query).toMatchObject({ FPGA_ASSOC_IMAGE_ID: '${each.value.triggers.image_id}', null_resource_id: '${each.value.id}' });
  });

  test('the warning names each missing pair with the address to replace, and the helper, not its default child', () => {
    const [gone] = check.assert;
    expect(gone.condition).toContain(`values(data.external.${name})`);
    expect(gone.error_message).toContain('"stack/Gpus: FPGA image ');
    expect(gone.error_message).toContain(`terraform apply -replace='null_resource.${resourceName}[\\"\${d.query.FPGA_ASSOC_IMAGE_ID}\\"]'`);
  });
});

describe('opt-in', () => {
  test.each([
    ['off by default', (stack: TerraformStack) => new FpgaImageAssociation(stack, 'Assoc', { ...PROPS, driftCheck: undefined })],
    ['nothing to check when a single association is disabled', (stack: TerraformStack) => new FpgaImageAssociation(stack, 'Assoc', { ...PROPS, enabled: false })],
    ['nothing to check when many are disabled', (stack: TerraformStack) => new FpgaImageAssociations(stack, 'Gpus', { ...PROPS, imageIds: [IMAGE_A], enabled: false })],
  ])('%s: no data source, no check, no external provider', (_, define) => {
    const json = synth(define);
    expect(json.data).toBeUndefined();
    expect(json.check).toBeUndefined();
    expect(json.terraform.required_providers.external).toBeUndefined();
  });

  test('each checked construct has its own check; the provider is required once', () => {
    const json = synth((stack) => {
      new FpgaImageAssociation(stack, 'One', PROPS);
      new FpgaImageAssociation(stack, 'Two', { ...PROPS, imageId: IMAGE_B });
      new FpgaImageAssociation(stack, 'Unchecked', { ...PROPS, imageId: IMAGE_B, fpgaImageId: 'f'.repeat(32), driftCheck: false });
    });
    expect(Object.keys(json.check)).toHaveLength(2);
    expect(Object.keys(json.data.external)).toEqual(Object.keys(json.check));
    expect(Object.keys(json.terraform.required_providers).sort()).toEqual(['external', 'null']);
  });
});

describe('what the handler is given', () => {
  function query(props: Partial<FpgaImageAssociationProps>): Record<string, string> {
    const [, data] = only(synth((stack) => new FpgaImageAssociation(stack, 'Assoc', { ...PROPS, ...props })).data.external);
    return data.query;
  }

  test.each([
    [{}, '30000', '15000'],
    [{ totalTimeoutSeconds: 10, attemptTimeoutSeconds: 4 }, '10000', '4000'],
    [{ totalTimeoutSeconds: 600, attemptTimeoutSeconds: 45 }, '30000', '30000'],
  ])('a plan waits at most 30 s for a pair: tuning %j gives total %s ms, attempt %s ms', (props, total, attempt) => {
    expect(query(props)).toMatchObject({ FPGA_ASSOC_TOTAL_TIMEOUT_MS: total, FPGA_ASSOC_ATTEMPT_TIMEOUT_MS: attempt });
  });

  test('the other tuning and the node executable are those of the provisioners', () => {
    const [, data] = only(synth((stack) => new FpgaImageAssociation(stack, 'Assoc', { ...PROPS, maxAttempts: 3, nodeExecutable: '/opt/node20/bin/node' })).data.external);
    expect(data.query.FPGA_ASSOC_MAX_ATTEMPTS).toBe('3');
    expect(data.program).toEqual(['/opt/node20/bin/node', expect.stringMatching(/\/handler\.js$/), 'drift-query']);
  });

  test('no credential from the environment reaches the synthesized JSON', () => {
    const secret = 'drift-check-secret-key-value';
    const saved = { ...process.env };
    Object.assign(process.env, { HW_ACCESS_KEY: 'DRIFTCHECKACCESSKEY0', HW_SECRET_KEY: secret });
    try {
      const text = Testing.synthScope((scope) => new FpgaImageAssociation(scope, 'Assoc', PROPS));
      expect(text).not.toContain(secret);
      expect(text).not.toContain('DRIFTCHECKACCESSKEY0');
    } finally {
      process.env = saved;
    }
  });

  test('a construct path is quoted as text in the messages, never as a template', () => {
    const json = synth((stack) => new FpgaImageAssociation(stack, 'Team ${var.x} "quoted" %{x}', PROPS));
    const [, check] = only(json.check);
    expect(check.assert[0].error_message).toContain('"stack/Team $${var.x} \\"quoted\\" %%{x}: FPGA image');
  });
});
