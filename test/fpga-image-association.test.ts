import * as fs from 'node:fs';
import * as path from 'node:path';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { Resource } from '@cdktf/provider-null/lib/resource';
import { App, TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { FpgaImageAssociation, FpgaImageAssociationProps } from '../src';

const PROJECT_ID = '0123456789abcdef0123456789abcdef';
const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const IMAGE_ID = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
const PROPS: FpgaImageAssociationProps = { projectId: PROJECT_ID, fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID, region: 'cn-north-1' };

function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'stack');
}

function synth(stack: TerraformStack, runValidations = false): any {
  return JSON.parse(Testing.synth(stack, runValidations));
}

function synthOne(props: Partial<FpgaImageAssociationProps> = {}): any {
  const stack = newStack();
  new FpgaImageAssociation(stack, 'Assoc', { ...PROPS, ...props });
  return synth(stack);
}

function nullResources(json: any): any[] {
  return Object.values(json.resource?.null_resource ?? {});
}

/** The association (identity triggers, destroy provisioner) and the step that makes it, by their logical IDs. */
function pairOfResources(json: any, id = 'Assoc'): { association: any; associate: any; associationName: string; associateName: string } {
  const names = Object.keys(json.resource.null_resource);
  const associateName = names.find((n) => n.startsWith(`${id}_Associate_`))!;
  const associationName = names.find((n) => n.startsWith(`${id}_`) && n !== associateName)!;
  const { null_resource: resources } = json.resource;
  return { association: resources[associationName], associate: resources[associateName], associationName, associateName };
}

describe('synthesized shape', () => {
  const json = synthOne();
  const { association, associate, associationName } = pairOfResources(json);
  const [destroy] = association.provisioner.map((p: any) => p['local-exec']);
  const [create] = associate.provisioner.map((p: any) => p['local-exec']);
  const ref = (attribute: string) => `\${null_resource.${associationName}.${attribute}}`;

  test('two null_resources: the association, whose triggers are exactly the identity fields, and the step that makes it', () => {
    expect(nullResources(json)).toHaveLength(2);
    expect(association.triggers).toEqual({
      project_id: PROJECT_ID,
      fpga_image_id: FPGA_IMAGE_ID,
      image_id: IMAGE_ID,
      endpoint: 'https://ecs.cn-north-1.myhuaweicloud.com',
    });
    const properties = { triggers: association.triggers };
    expect(Testing.toHaveResourceWithProperties(Testing.synth(newStackWith()), Resource.tfResourceType, properties)).toBe(true);
  });

  test("the step's triggers are references to the association: its id, and the identity fields", () => {
    expect(associate.triggers).toEqual({
      association_id: ref('id'),
      project_id: ref('triggers.project_id'),
      fpga_image_id: ref('triggers.fpga_image_id'),
      image_id: ref('triggers.image_id'),
      endpoint: ref('triggers.endpoint'),
    });
  });

  test('the association has only the destroy-time provisioner; the step only the create-time one', () => {
    expect(association.provisioner).toHaveLength(1);
    expect(associate.provisioner).toHaveLength(1);
    expect(destroy).toMatchObject({ when: 'destroy', command: 'disassociate', on_failure: 'fail' });
    expect(create).toMatchObject({ when: 'create', command: 'associate', on_failure: 'fail' });
  });

  test('the handler runs through the launcher (sh, no shell command line), from the stack directory, with values only in its environment', () => {
    for (const p of [create, destroy]) {
      expect(p.interpreter).toEqual([
        'sh',
        expect.stringMatching(/^\$\{path\.module\}\/assets\/FpgaImageAssociationNodeLauncher\/[0-9A-F]{32}\/node-launcher\.sh$/),
        expect.stringMatching(/^\$\{path\.module\}\/assets\/FpgaImageAssociationHandler\/[0-9A-F]{32}\/handler\.js$/),
      ]);
      expect(p.environment).toEqual({
        FPGA_ASSOC_PROJECT_ID: '${self.triggers.project_id}',
        FPGA_ASSOC_FPGA_IMAGE_ID: '${self.triggers.fpga_image_id}',
        FPGA_ASSOC_IMAGE_ID: '${self.triggers.image_id}',
        FPGA_ASSOC_ENDPOINT: '${self.triggers.endpoint}',
        FPGA_ASSOC_REGION: '${lookup(self.triggers, "region", "")}',
      });
    }
  });

  test('provisioners reference only self.* and path.*', () => {
    const references = JSON.stringify([association.provisioner, associate.provisioner]).match(/\$\{[^}]*\}/g) ?? [];
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(reference).toMatch(/^\$\{(lookup\()?(self|path)\./);
  });

  test('tuning props reach the handler as literal environment values', () => {
    const tuned = pairOfResources(synthOne({ attemptTimeoutSeconds: 5, totalTimeoutSeconds: 60, maxAttempts: 3 }));
    for (const r of [tuned.association, tuned.associate]) {
      const p = r.provisioner[0]['local-exec'];
      expect(p.environment).toMatchObject({ FPGA_ASSOC_ATTEMPT_TIMEOUT_MS: '5000', FPGA_ASSOC_TOTAL_TIMEOUT_MS: '60000', FPGA_ASSOC_MAX_ATTEMPTS: '3' });
      expect(r.triggers).not.toHaveProperty('max_attempts');
    }
  });

  test('nodeExecutable (the Windows path) runs the handler with that Node directly: no launcher, no sh, nothing in the state', () => {
    const stack = newStack();
    new FpgaImageAssociation(stack, 'Assoc', { ...PROPS, nodeExecutable: 'C:\\Program Files\\nodejs\\node.exe' });
    const direct = pairOfResources(JSON.parse(Testing.synth(stack)));
    for (const r of [direct.association, direct.associate]) {
      expect(r.provisioner[0]['local-exec'].interpreter).toEqual([
        'C:\\Program Files\\nodejs\\node.exe',
        expect.stringMatching(/^\$\{path\.module\}\/assets\/FpgaImageAssociationHandler\/[0-9A-F]{32}\/handler\.js$/),
      ]);
      expect(JSON.stringify(r.triggers)).not.toContain('node');
    }
    const stackDir = path.join(Testing.fullSynth(stack), 'stacks', 'stack');
    expect(fs.readdirSync(path.join(stackDir, 'assets'))).toEqual(['FpgaImageAssociationHandler']);
  });

  test('an endpoint overrides the region, normalised to its origin', () => {
    const { association: r } = pairOfResources(synthOne({ region: undefined, endpoint: 'http://127.0.0.1:8080/' }));
    expect(r.triggers.endpoint).toBe('http://127.0.0.1:8080');
  });

  test('enabled: false keeps both blocks (and the destroy provisioner) at count 0', () => {
    const disabled = pairOfResources(synthOne({ enabled: false }));
    expect(disabled.association.count).toBe(0);
    expect(disabled.associate.count).toBe(0);
    expect(disabled.association.provisioner).toEqual(association.provisioner);
    expect(disabled.associate.triggers.association_id).toBe(`\${null_resource.${disabled.associationName}[count.index].id}`);
    for (const r of nullResources(synthOne({ enabled: true }))) expect(r).not.toHaveProperty('count');
  });

  test('outputs read the step, so that they wait until the association was made', () => {
    const stack = newStack();
    const assoc = new FpgaImageAssociation(stack, 'Assoc', PROPS);
    new TerraformOutput(stack, 'id', { value: assoc.associationId });
    const synthesized = synth(stack);
    const { associateName } = pairOfResources(synthesized);
    expect(synthesized.output.id.value).toBe(`\${null_resource.${associateName}.triggers.fpga_image_id}/\${null_resource.${associateName}.triggers.image_id}`);
  });
});

function newStackWith(...ids: string[]): TerraformStack {
  const stack = newStack();
  for (const id of ids.length ? ids : ['Assoc']) new FpgaImageAssociation(stack, id, PROPS);
  return stack;
}

describe('provider and handler asset', () => {
  function nullProviders(json: any): any[] {
    return json.provider?.null ?? [];
  }

  test('a stack gets exactly one default null provider, with no boilerplate', () => {
    const json = synth(newStackWith('A', 'B', 'C'), true);
    expect(nullProviders(json)).toHaveLength(1);
    expect(json.terraform.required_providers.null).toEqual({ source: 'null', version: '3.2.4' });
    expect(nullResources(json)).toHaveLength(6);
  });

  test.each(['before', 'after'])('a NullProvider the user declared %s the construct is the only one', (order) => {
    const stack = newStack();
    if (order === 'before') new NullProvider(stack, 'mine');
    new FpgaImageAssociation(stack, 'Assoc', PROPS);
    if (order === 'after') new NullProvider(stack, 'mine');
    const json = synth(stack, true);
    expect(nullProviders(json)).toHaveLength(1);
    expect(stack.node.tryFindChild('mine')).toBeDefined();
  });

  test('an aliased null provider does not count as the default one', () => {
    const stack = newStackWith();
    new NullProvider(stack, 'aliased', { alias: 'other' });
    expect(nullProviders(synth(stack, true))).toEqual(expect.arrayContaining([{}, { alias: 'other' }]));
  });

  test('the handler bundle and its launcher ship once per stack and land in the stack directory', () => {
    const stack = newStackWith('A', 'B');
    const json = synth(stack);
    const interpreters = nullResources(json).map((r) => r.provisioner[0]['local-exec'].interpreter);
    const stackDir = path.join(Testing.fullSynth(stack), 'stacks', 'stack');
    for (const [index, file] of [[1, 'node-launcher.sh'], [2, 'handler.js']] as const) {
      const paths = new Set(interpreters.map((interpreter) => interpreter[index]));
      expect(paths.size).toBe(1);
      const assetPath = path.join(stackDir, [...paths][0].replace('${path.module}/', ''));
      expect(fs.readFileSync(assetPath)).toEqual(fs.readFileSync(path.join(__dirname, '..', 'assets', file)));
    }
    expect(fs.readdirSync(path.join(stackDir, 'assets')).sort()).toEqual(['FpgaImageAssociationHandler', 'FpgaImageAssociationNodeLauncher']);
  });

  test('two stacks in one app each get their own provider and asset', () => {
    const app = new App({ outdir: fs.mkdtempSync('/tmp/cdktf-test-') });
    for (const name of ['one', 'two']) new FpgaImageAssociation(new TerraformStack(app, name), 'Assoc', PROPS);
    app.synth();
    for (const name of ['one', 'two']) {
      const json = JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
      expect(json.provider.null).toHaveLength(1);
      expect(fs.existsSync(path.join(app.outdir, 'stacks', name, 'assets', 'FpgaImageAssociationHandler'))).toBe(true);
    }
  });
});

describe('validation at synth time', () => {
  const cases: [string, Partial<FpgaImageAssociationProps>, RegExp][] = [
    ['projectId', { projectId: 'ABC' }, /Assoc: invalid projectId "ABC": expected 32 lowercase hexadecimal characters/],
    ['fpgaImageId', { fpgaImageId: '4010a32b5f231f04015f24259efd042' }, /invalid fpgaImageId "4010a32b5f231f04015f24259efd042": expected 32 lowercase hexadecimal/],
    ['imageId', { imageId: '18EFEE75-E058-4C52-A49C-9E3BA4D1C8DE' }, /invalid imageId "18EFEE75-E058-4C52-A49C-9E3BA4D1C8DE": expected a lowercase UUID/],
    ['region', { region: 'cn-north-4' }, /invalid region "cn-north-4": the FPGA-image API is available only in cn-north-1, cn-east-2, cn-south-1/],
    ['missing region', { region: undefined }, /region is required unless endpoint is given/],
    ['endpoint scheme', { endpoint: 'http://ecs.example.com' }, /invalid endpoint "http:\/\/ecs.example.com": plain http is allowed only to a loopback host/],
    ['endpoint path', { endpoint: 'https://ecs.example.com/v1' }, /invalid endpoint "https:\/\/ecs.example.com\/v1": expected https:\/\/host\[:port\]/],
    ['endpoint user info', { endpoint: 'https://ak:sk@ecs.example.com' }, /invalid endpoint/],
    ['attemptTimeoutSeconds', { attemptTimeoutSeconds: 0 }, /invalid attemptTimeoutSeconds 0: expected a whole number from 1 to 600/],
    ['maxAttempts', { maxAttempts: 2.5 }, /invalid maxAttempts 2.5: expected a whole number from 1 to 100/],
    ['attempt > total', { attemptTimeoutSeconds: 30, totalTimeoutSeconds: 10 }, /invalid attemptTimeoutSeconds 30: expected at most totalTimeoutSeconds \(10\)/],
    ['nodeExecutable', { nodeExecutable: 'node; curl evil' }, /invalid nodeExecutable "node; curl evil"/],
    ['region without projectId', { projectId: undefined, region: undefined, endpoint: 'http://127.0.0.1:8080' },
      /Assoc: region is required when projectId is omitted: the project is looked up by the region's name \(got endpoint http:\/\/127.0.0.1:8080 and no region\)/],
    ['assumeRole.agencyName', { assumeRole: { agencyName: 'a;b', domainName: 'acme' } }, /Assoc: invalid assumeRole.agencyName "a;b": expected 1 to 64 letters/],
    ['assumeRole without a domain', { assumeRole: { agencyName: 'deployer' } }, /Assoc: assumeRole needs exactly one of domainName and domainId \(the delegating account\), got neither/],
    ['assumeRole with both domains', { assumeRole: { agencyName: 'deployer', domainName: 'acme', domainId: 'f'.repeat(32) } }, /got both/],
    ['assumeRole.domainId', { assumeRole: { agencyName: 'deployer', domainId: 'ACME' } }, /invalid assumeRole.domainId "ACME": expected 32 lowercase hexadecimal/],
    ['assumeRole.domainName', { assumeRole: { agencyName: 'deployer', domainName: 'a b' } }, /invalid assumeRole.domainName "a b"/],
    ['assumeRole.durationSeconds', { assumeRole: { agencyName: 'deployer', domainName: 'acme', durationSeconds: 600 } },
      /invalid assumeRole.durationSeconds 600: expected a whole number of seconds from 900 to 86400/],
  ];
  test.each(cases)('fails on a bad %s, naming the prop, the value and the rule', (_name, props, message) => {
    expect(() => synthOne(props)).toThrow(message);
  });

  test.each([
    ['projectId', '$(touch /tmp/pwned)'],
    ['fpgaImageId', '../../etc/passwd'],
    ['imageId', '"; rm -rf / #'],
    ['endpoint', 'https://x`id`.example.com'],
  ])('hostile %s never reaches the synthesized output', (prop, value) => {
    expect(() => synthOne({ [prop]: value })).toThrow(/invalid/);
  });

  test('create_before_destroy is refused: it disables destroy-time provisioners', () => {
    const stack = newStack();
    const assoc = new FpgaImageAssociation(stack, 'Assoc', PROPS);
    assoc.resource.addOverride('lifecycle.create_before_destroy', true);
    expect(() => synth(stack, true)).toThrow(/Assoc: lifecycle.create_before_destroy must not be set/);
  });

  test('two default null providers are an error', () => {
    const stack = newStackWith();
    new NullProvider(stack, 'one');
    new NullProvider(stack, 'two');
    synth(stack);
    const errors = stack.node.metadata.filter((m) => m.type === '@cdktf/error').map((m) => m.data);
    expect(errors).toEqual([expect.stringMatching(/declares 2 default null providers/)]);
  });
});

describe('tokens', () => {
  test('token inputs are not validated at synth and reach the triggers as expressions', () => {
    const stack = newStack();
    const v = (name: string) => new TerraformVariable(stack, name, { type: 'string' }).stringValue;
    new FpgaImageAssociation(stack, 'Assoc', { projectId: v('project'), fpgaImageId: v('fpga'), imageId: v('image'), region: v('region') });
    const { association: r } = pairOfResources(synth(stack));
    expect(r.triggers).toEqual({
      project_id: '${var.project}',
      fpga_image_id: '${var.fpga}',
      image_id: '${var.image}',
      endpoint: 'https://ecs.${var.region}.myhuaweicloud.com',
    });
  });
});

describe('projectId omitted', () => {
  const json = synthOne({ projectId: undefined });
  const { association, associate, associationName } = pairOfResources(json);

  test('the project is left to the handler: an empty project_id, and the region it is looked up by is part of the identity', () => {
    expect(association.triggers).toEqual({
      project_id: '',
      fpga_image_id: FPGA_IMAGE_ID,
      image_id: IMAGE_ID,
      endpoint: 'https://ecs.cn-north-1.myhuaweicloud.com',
      region: 'cn-north-1',
    });
    expect(associate.triggers.region).toBe(`\${null_resource.${associationName}.triggers.region}`);
  });

  test('both provisioners pass the region to the handler from self, as they do with a projectId (where it is empty)', () => {
    for (const r of [association, associate]) {
      expect(r.provisioner[0]['local-exec'].environment.FPGA_ASSOC_REGION).toBe('${lookup(self.triggers, "region", "")}');
    }
  });

  test('the region of a Huawei ECS endpoint is enough; a token region reaches the triggers as an expression', () => {
    const fromEndpoint = pairOfResources(synthOne({ projectId: undefined, region: undefined, endpoint: 'https://ecs.cn-east-2.myhuaweicloud.com' }));
    expect(fromEndpoint.association.triggers.region).toBe('cn-east-2');
    const stack = newStack();
    new FpgaImageAssociation(stack, 'Assoc', { fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID, region: new TerraformVariable(stack, 'region', { type: 'string' }).stringValue });
    expect(pairOfResources(synth(stack)).association.triggers).toMatchObject({ project_id: '', region: '${var.region}' });
  });
});

describe('assumeRole', () => {
  test('reaches both provisioners as literal environment values, never a trigger', () => {
    const json = synthOne({ assumeRole: { agencyName: 'fpga deployer', domainId: 'f'.repeat(32), durationSeconds: 3600 } });
    for (const r of nullResources(json)) {
      expect(r.provisioner[0]['local-exec'].environment).toMatchObject({
        FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME: 'fpga deployer',
        FPGA_ASSOC_ASSUME_ROLE_DOMAIN_ID: 'f'.repeat(32),
        FPGA_ASSOC_ASSUME_ROLE_DURATION: '3600',
      });
      expect(r.provisioner[0]['local-exec'].environment).not.toHaveProperty('FPGA_ASSOC_ASSUME_ROLE_DOMAIN_NAME');
      expect(JSON.stringify(r.triggers)).not.toContain('deployer');
    }
  });

  test('a token is refused: a destroy-time provisioner cannot read a variable', () => {
    const stack = newStack();
    const agencyName = new TerraformVariable(stack, 'agency', { type: 'string' }).stringValue;
    expect(() => new FpgaImageAssociation(stack, 'Assoc', { ...PROPS, assumeRole: { agencyName, domainName: 'acme' } }))
      .toThrow('stack/Assoc: assumeRole.agencyName must be a literal value, not a token: destroy-time provisioners can read no Terraform variable');
  });
});

describe('credentials', () => {
  test('no credential from the environment reaches the synthesized JSON', () => {
    const secrets = { HW_ACCESS_KEY: 'AKSYNTHTESTVALUE0001', HW_SECRET_KEY: 'sk-synth-test-value-should-not-leak', HW_SECURITY_TOKEN: 'token-synth-test-value' };
    Object.assign(process.env, secrets);
    try {
      const text = Testing.synth(newStackWith('A', 'B'));
      for (const value of Object.values(secrets)) expect(text).not.toContain(value);
      expect(text).not.toMatch(/HW_(ACCESS|SECRET)_KEY|SECURITY_TOKEN/);
    } finally {
      for (const name of Object.keys(secrets)) delete process.env[name];
    }
  });
});

describe('shared rate budget', () => {
  const environments = (json: any) => nullResources(json).map((r) => r.provisioner[0]['local-exec'].environment);

  test('maxRequestsPerSecond reaches both provisioners as a literal; unset, requests are not paced', () => {
    for (const environment of environments(synthOne({ maxRequestsPerSecond: 0.5 }))) {
      expect(environment.FPGA_ASSOC_MAX_REQUESTS_PER_SECOND).toBe('0.5');
    }
    for (const environment of environments(synthOne())) expect(environment).not.toHaveProperty('FPGA_ASSOC_MAX_REQUESTS_PER_SECOND');
  });

  test.each([0, -1, 1001, 0.0001, NaN])('a bad maxRequestsPerSecond (%s) fails the synth, naming the prop and the rule', (rate) => {
    expect(() => synthOne({ maxRequestsPerSecond: rate })).toThrow(/Assoc: invalid maxRequestsPerSecond .*: expected a number of requests per second above 0 and at most 1000/);
  });
});
