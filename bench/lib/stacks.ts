import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { Resource } from '@cdktf/provider-null/lib/resource';
import { TerraformStack } from 'cdktf';
import { FpgaImageAssociation, FpgaImageAssociationHandlerOptions } from '../../src';
import { INPUT_ENV } from '../../src/contract';
import { HandlerProvisioners } from '../../src/private/provisioners';

/**
 * The graphs the benchmarks compare: N associations, and baselines of the same size made of plain
 * null_resources with the same triggers, with or without provisioners that only start Node.
 */

export const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';

/** Where the handlers send their requests. */
export interface Target {
  readonly projectId: string;
  readonly endpoint: string;
}

/** The i-th of N distinct private ECS images (any well-formed ID exists in the emulator). */
export function imageId(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

function triggers(target: Target, i: number): Record<string, string> {
  return { project_id: target.projectId, fpga_image_id: FPGA_IMAGE_ID, image_id: imageId(i), endpoint: target.endpoint };
}

export function associations(stack: TerraformStack, n: number, target: Target, options: FpgaImageAssociationHandlerOptions = {}): void {
  for (let i = 0; i < n; i++) {
    new FpgaImageAssociation(stack, `Assoc${i}`, { ...options, projectId: target.projectId, fpgaImageId: FPGA_IMAGE_ID, imageId: imageId(i), endpoint: target.endpoint });
  }
}

/**
 * The shape associations had before each got its own step that associates: one null_resource per
 * association carrying both provisioners (the same handler, the same blocks), no step. Image IDs
 * from `offset`, so that it can share an emulator with `associations`.
 */
export function singleResourceAssociations(stack: TerraformStack, n: number, target: Target, offset = 0): void {
  for (let i = 0; i < n; i++) {
    const association = new FpgaImageAssociation(stack, `Assoc${i}`, { projectId: target.projectId, fpgaImageId: FPGA_IMAGE_ID, imageId: imageId(offset + i), endpoint: target.endpoint });
    const provisioners = new HandlerProvisioners(association, {});
    association.node.tryRemoveChild('Associate');
    association.resource.addOverride('provisioner', [provisioners.block('associate', 'create'), provisioners.block('disassociate', 'destroy')]);
  }
}

/** The synth baseline: null_resources with the same triggers and nothing else. */
export function plainNullResources(stack: TerraformStack, n: number, target: Target): void {
  new NullProvider(stack, 'Null');
  for (let i = 0; i < n; i++) new Resource(stack, `Plain${i}`, { triggers: triggers(target, i) });
}

/**
 * The Terraform baseline: the same graph as `associations`, with the same provisioner blocks and
 * environment, whose interpreter is `node -e 0`: what any provisioner that starts Node costs.
 */
export function nodeNoopResources(stack: TerraformStack, n: number, target: Target): void {
  new NullProvider(stack, 'Null');
  const environment = {
    [INPUT_ENV.projectId]: '${self.triggers.project_id}',
    [INPUT_ENV.fpgaImageId]: '${self.triggers.fpga_image_id}',
    [INPUT_ENV.imageId]: '${self.triggers.image_id}',
    [INPUT_ENV.endpoint]: '${self.triggers.endpoint}',
  };
  const block = (command: string, when: string) => ({
    'local-exec': { when, on_failure: 'fail', interpreter: ['node', '-e', '0'], command, environment },
  });
  for (let i = 0; i < n; i++) {
    const resource = new Resource(stack, `Noop${i}`, { triggers: triggers(target, i) });
    resource.addOverride('provisioner', [block('associate', 'create'), block('disassociate', 'destroy')]);
  }
}
