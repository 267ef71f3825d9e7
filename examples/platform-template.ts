/**
 * A platform template: what a platform team writes once and publishes, and product teams stamp into
 * their own stacks (in Python through the package's binding, with the same names). Each stamp
 * associates the team's FPGA image with its ECS images, one pair per image keyed by image ID (so
 * reordering the list changes nothing), warns on every plan about an association removed outside
 * Terraform, and outputs the association IDs.
 *
 * Run as an app, it synthesizes two stacks that reuse the template: `video` lists its images in code;
 * `genomics` takes them from its `ecs_image_ids` variable when Terraform plans
 * (`terraform apply -var='ecs_image_ids=["…"]'`). Inputs, as in examples/main.ts:
 *
 * - FPGA_ENDPOINT (the emulator's http://127.0.0.1:PORT), or instead HW_REGION_NAME (the real cloud);
 * - HW_PROJECT_ID; VIDEO_FPGA_IMAGE_ID and VIDEO_ECS_IMAGE_IDS (comma-separated); GENOMICS_FPGA_IMAGE_ID.
 */
import { App, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { FpgaImageAssociations } from '../src';

export interface AcceleratedImagesProps {
  /** The team's Huawei Cloud project. */
  readonly projectId: string;
  /** The team's FPGA image. */
  readonly fpgaImageId: string;
  /** The ECS images to accelerate; by default the stack's `ecs_image_ids` variable, known when Terraform plans. */
  readonly imageIds?: string[];
  readonly region?: string;
  readonly endpoint?: string;
}

/**
 * The template: one FPGA image associated with many ECS images, with the drift check on, and the
 * outputs `association_ids` (image ID → `<fpga image>/<image>`) and `fpga_image_id`. Stamp it once
 * per stack (the variable and output names are fixed).
 */
export class AcceleratedImages extends Construct {
  public readonly associations: FpgaImageAssociations;

  constructor(scope: Construct, id: string, props: AcceleratedImagesProps) {
    super(scope, id);
    const imageIds = props.imageIds ?? this.imageIdsVariable().listValue;
    this.associations = new FpgaImageAssociations(this, 'Associations', { ...props, imageIds, driftCheck: true });
    new TerraformOutput(this, 'association_ids', {
      value: this.associations.associationIds,
      description: 'Each associated ECS image ID, mapped to its association ID (<FPGA image ID>/<ECS image ID>)',
      staticId: true,
    });
    new TerraformOutput(this, 'fpga_image_id', { value: this.associations.fpgaImageId, staticId: true });
  }

  private imageIdsVariable(): TerraformVariable {
    const variable = new TerraformVariable(this, 'ecs_image_ids', {
      type: 'list(string)',
      description: 'IDs of the private ECS images to associate with the FPGA image; their order does not matter',
    });
    variable.overrideLogicalId('ecs_image_ids');
    return variable;
  }
}

export interface PlatformInputs {
  readonly projectId: string;
  /** The ECS endpoint; without it, the region's. */
  readonly endpoint?: string;
  readonly region?: string;
  readonly video: { readonly fpgaImageId: string; readonly imageIds: string[] };
  readonly genomics: { readonly fpgaImageId: string };
}

/** Two product teams' stacks, stamped from the same template. */
export function definePlatformStacks(app: App, inputs: PlatformInputs): TerraformStack[] {
  const { projectId, endpoint, region } = inputs;
  const video = new TerraformStack(app, 'video');
  new AcceleratedImages(video, 'Transcoders', { projectId, endpoint, region, ...inputs.video });
  const genomics = new TerraformStack(app, 'genomics');
  new AcceleratedImages(genomics, 'Sequencers', { projectId, endpoint, region, ...inputs.genomics });
  return [video, genomics];
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (see examples/platform-template.ts)`);
  return value;
}

if (require.main === module) {
  const endpoint = process.env.FPGA_ENDPOINT || undefined;
  const app = new App();
  definePlatformStacks(app, {
    projectId: required('HW_PROJECT_ID'),
    endpoint,
    region: endpoint ? undefined : required('HW_REGION_NAME'),
    video: { fpgaImageId: required('VIDEO_FPGA_IMAGE_ID'), imageIds: required('VIDEO_ECS_IMAGE_IDS').split(',') },
    genomics: { fpgaImageId: required('GENOMICS_FPGA_IMAGE_ID') },
  });
  app.synth();
}
