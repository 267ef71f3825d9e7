import { Resource } from '@cdktf/provider-null/lib/resource';
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { FpgaImageAssociation, FpgaImageAssociations, FpgaImageAssociationsProps, RemovedFpgaImageAssociation } from '../src';

const PROJECT_ID = '0123456789abcdef0123456789abcdef';
const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const IMAGE_A = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
const IMAGE_B = '27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11';
const IMAGE_C = '9c1d3f7e-2b4a-4e6f-8a0b-1c2d3e4f5a6b';
const PROPS: FpgaImageAssociationsProps = { projectId: PROJECT_ID, fpgaImageId: FPGA_IMAGE_ID, imageIds: [IMAGE_A, IMAGE_B], region: 'cn-north-1' };

function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'stack');
}

function synth(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

function synthMany(props: Partial<FpgaImageAssociationsProps> = {}, define?: (stack: TerraformStack, many: FpgaImageAssociations) => void): any {
  const stack = newStack();
  const many = new FpgaImageAssociations(stack, 'Gpus', { ...PROPS, ...props });
  define?.(stack, many);
  return synth(stack);
}

/** The association's null_resource, by name; the step that makes it is `theStep`. */
function onlyResource(json: any): [string, any] {
  const entries = Object.entries(json.resource.null_resource).filter(([name]) => !name.includes('_Associate_'));
  expect(entries).toHaveLength(1);
  expect(Object.keys(json.resource.null_resource)).toHaveLength(2);
  return entries[0] as [string, any];
}

/** The step that makes the associations: a second null_resource with the same keys. */
function theStep(json: any): [string, any] {
  const entries = Object.entries(json.resource.null_resource).filter(([name]) => name.includes('_Associate_'));
  expect(entries).toHaveLength(1);
  return entries[0] as [string, any];
}

describe('one resource, one instance per image, keyed by image ID', () => {
  const json = synthMany();
  const [name, resource] = onlyResource(json);

  test('for_each over the set of image IDs; each instance has the identity triggers of its pair', () => {
    expect(resource.for_each).toBe(`\${toset(["${IMAGE_A}", "${IMAGE_B}"])}`);
    expect(resource.triggers).toEqual({
      project_id: PROJECT_ID,
      fpga_image_id: FPGA_IMAGE_ID,
      image_id: '${each.value}',
      endpoint: 'https://ecs.cn-north-1.myhuaweicloud.com',
    });
    expect(resource.count).toBeUndefined();
  });

  test("each instance's provisioners are a single association's", () => {
    const single = newStack();
    new FpgaImageAssociation(single, 'Gpus', { projectId: PROJECT_ID, fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_A, region: 'cn-north-1' });
    const singleJson = synth(single);
    expect(resource.provisioner).toEqual(onlyResource(singleJson)[1].provisioner);
    expect(theStep(json)[1].provisioner).toEqual(theStep(singleJson)[1].provisioner);
  });

  test('the step that associates has one instance per association instance, with the same keys', () => {
    const [, step] = theStep(json);
    expect(step.for_each).toBe(`\${null_resource.${name}}`);
    expect(step.triggers).toEqual({
      association_id: '${each.value.id}',
      project_id: '${each.value.triggers.project_id}',
      fpga_image_id: '${each.value.triggers.fpga_image_id}',
      image_id: '${each.value.triggers.image_id}',
      endpoint: '${each.value.triggers.endpoint}',
    });
    expect(step.provisioner.map((p: any) => p['local-exec'].command)).toEqual(['associate']);
    expect(resource.provisioner.map((p: any) => p['local-exec'].command)).toEqual(['disassociate']);
  });

  test('reordering the list changes nothing, not even the synthesized JSON', () => {
    expect(synthMany({ imageIds: [IMAGE_B, IMAGE_A] })).toEqual(json);
  });

  test('adding an image adds a key and leaves the address alone', () => {
    const [otherName, other] = onlyResource(synthMany({ imageIds: [IMAGE_C, IMAGE_A, IMAGE_B] }));
    expect(otherName).toBe(name);
    expect(other.for_each).toBe(`\${toset(["${IMAGE_A}", "${IMAGE_B}", "${IMAGE_C}"])}`);
  });

  test('the address is the one a RemovedFpgaImageAssociation with the same id removes', () => {
    const stack = newStack();
    const removed = new RemovedFpgaImageAssociation(stack, 'Gpus');
    expect(removed.from).toBe(`null_resource.${name}`);
  });

  test('an empty list is allowed: a stamp of the template with no image', () => {
    const [, empty] = onlyResource(synthMany({ imageIds: [] }));
    expect(empty.for_each).toBe('${toset([])}');
  });

  test('enabled: false keeps the block with no instance, so Terraform disassociates every pair', () => {
    const [, disabled] = onlyResource(synthMany({ enabled: false }));
    expect(disabled.for_each).toBe('${toset([])}');
    expect(disabled.provisioner).toEqual(resource.provisioner);
  });

  test('the stack gets the handler and launcher assets and the default null provider, as for one association', () => {
    expect(json.provider.null).toEqual([{}]);
    const [sh, launcher, handler] = resource.provisioner[0]['local-exec'].interpreter;
    expect(sh).toBe('sh');
    expect(launcher).toMatch(/^\$\{path\.module\}\/assets\/FpgaImageAssociationNodeLauncher\//);
    expect(handler).toMatch(/^\$\{path\.module\}\/assets\/FpgaImageAssociationHandler\//);
    expect(Testing.toHaveResource(Testing.synth(newStack()), Resource.tfResourceType)).toBe(false);
  });
});

describe('projectId omitted', () => {
  test('every pair carries the region its project is looked up by, and the step copies it', () => {
    const json = synthMany({ projectId: undefined, assumeRole: { agencyName: 'deployer', domainName: 'acme' } });
    const [name, resource] = onlyResource(json);
    expect(resource.triggers).toMatchObject({ project_id: '', region: 'cn-north-1' });
    expect(theStep(json)[1].triggers.region).toBe('${each.value.triggers.region}');
    expect(resource.provisioner[0]['local-exec'].environment).toMatchObject({ FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME: 'deployer', FPGA_ASSOC_ASSUME_ROLE_DOMAIN_NAME: 'acme' });
    expect(name).toMatch(/^Gpus_/);
  });
});

describe('outputs', () => {
  test('associationIds and imageIds are read from the step that associates, for a TerraformOutput', () => {
    const json = synthMany({}, (stack, many) => {
      new TerraformOutput(stack, 'association_ids', { value: many.associationIds });
      new TerraformOutput(stack, 'image_ids', { value: many.imageIds });
      new TerraformOutput(stack, 'endpoint', { value: many.endpoint });
    });
    const [name] = theStep(json);
    expect(json.output.association_ids.value).toBe(
      `\${{ for key, val in null_resource.${name}: key => join("/", [val.triggers.fpga_image_id, val.triggers.image_id]) }}`,
    );
    expect(json.output.image_ids.value).toBe(`\${[ for key, val in null_resource.${name}: key]}`);
    expect(json.output.endpoint.value).toBe('https://ecs.cn-north-1.myhuaweicloud.com');
  });

  test('a single association exposes its pair and association ID, read from the step that associates', () => {
    const stack = newStack();
    const one = new FpgaImageAssociation(stack, 'Assoc', { projectId: PROJECT_ID, fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_A, region: 'cn-north-1' });
    new TerraformOutput(stack, 'association_id', { value: one.associationId });
    new TerraformOutput(stack, 'image_id', { value: one.imageId });
    const json = synth(stack);
    const [name] = theStep(json);
    expect(json.output.association_id.value).toBe(`\${null_resource.${name}.triggers.fpga_image_id}/\${null_resource.${name}.triggers.image_id}`);
    expect(json.output.image_id.value).toBe(`\${null_resource.${name}.triggers.image_id}`);
  });

  test('a disabled association has no resource to read: its attributes are the plain values', () => {
    const stack = newStack();
    const one = new FpgaImageAssociation(stack, 'Assoc', {
      projectId: PROJECT_ID,
      fpgaImageId: FPGA_IMAGE_ID,
      imageId: IMAGE_A,
      region: 'cn-north-1',
      enabled: false,
    });
    expect(one.associationId).toBe(`${FPGA_IMAGE_ID}/${IMAGE_A}`);
    expect(one.fpgaImageId).toBe(FPGA_IMAGE_ID);
  });
});

describe('validation at synth time', () => {
  test('a bad literal image ID fails, naming the construct, the prop, the value and the rule', () => {
    expect(() => synthMany({ imageIds: [IMAGE_A, '18EFEE75-E058-4C52-A49C-9E3BA4D1C8DE'] })).toThrow(
      'stack/Gpus: invalid imageIds entry "18EFEE75-E058-4C52-A49C-9E3BA4D1C8DE": expected a lowercase UUID such as 18efee75-e058-4c52-a49c-9e3ba4d1c8de (the ID of a private ECS image)',
    );
  });

  test('duplicates fail, naming each repeated ID once', () => {
    expect(() => synthMany({ imageIds: [IMAGE_A, IMAGE_B, IMAGE_A, IMAGE_B, IMAGE_A, IMAGE_C] })).toThrow(
      `stack/Gpus: imageIds lists "${IMAGE_A}", "${IMAGE_B}" more than once: expected each ECS image ID once`,
    );
  });

  test('the shared props are checked as for one association', () => {
    expect(() => synthMany({ projectId: 'nope' })).toThrow('stack/Gpus/Default: invalid projectId "nope"');
    expect(() => synthMany({ region: 'eu-west-0' })).toThrow('the FPGA-image API is available only in cn-north-1, cn-east-2, cn-south-1');
    expect(() => synthMany({ maxAttempts: 0 })).toThrow('invalid maxAttempts 0: expected a whole number from 1 to 100');
  });
});

describe('tokens', () => {
  test('a variable list becomes for_each over toset(var), unchecked at synth: the handler checks each ID at apply', () => {
    const stack = newStack();
    const ids = new TerraformVariable(stack, 'image_ids', { type: 'list(string)' });
    const fpga = new TerraformVariable(stack, 'fpga_image_id', { type: 'string' });
    new FpgaImageAssociations(stack, 'Gpus', { ...PROPS, fpgaImageId: fpga.stringValue, imageIds: ids.listValue });
    const [, resource] = onlyResource(synth(stack));
    expect(resource.for_each).toBe('${toset(var.image_ids)}');
    expect(resource.triggers).toMatchObject({ fpga_image_id: '${var.fpga_image_id}', image_id: '${each.value}' });
  });

  test('literal IDs next to token ones are still checked', () => {
    const stack = newStack();
    const one = new TerraformVariable(stack, 'one', { type: 'string' });
    expect(() => new FpgaImageAssociations(stack, 'Bad', { ...PROPS, imageIds: [one.stringValue, 'bad'] })).toThrow('invalid imageIds entry "bad"');
    new FpgaImageAssociations(stack, 'Gpus', { ...PROPS, imageIds: [IMAGE_A, one.stringValue] });
    const [, resource] = onlyResource(synth(stack));
    expect(resource.for_each).toBe(`\${toset([var.one, "${IMAGE_A}"])}`);
  });
});
