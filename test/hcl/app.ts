/**
 * The app `cdktf synth --hcl` synthesizes in test/hcl: one stack holding each construct of the
 * library. The same `defineStack` is synthesized to JSON in-process for the stack that moves to HCL.
 * Run by the cdktf CLI with the emulator's endpoint and project in FPGA_HCL_ENDPOINT and FPGA_HCL_PROJECT_ID.
 */
import { App, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { FpgaImageAssociation, FpgaImageAssociations, RemovedFpgaImageAssociation } from '../../src';

export const STACK = 'hcl';
export const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
export const IMAGE_ONE = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
export const IMAGES_MANY = ['27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11', '3b6c2f0e-1d4a-4e8b-9c7f-0a1b2c3d4e5f'];

export function defineStack(stack: TerraformStack, endpoint: string, projectId: string): void {
  const one = new FpgaImageAssociation(stack, 'One', { projectId, fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ONE, endpoint, maxAttempts: 3 });
  const many = new FpgaImageAssociations(stack, 'Many', { projectId, fpgaImageId: FPGA_IMAGE_ID, imageIds: IMAGES_MANY, endpoint, driftCheck: true });
  new RemovedFpgaImageAssociation(stack, 'Gone');
  new TerraformOutput(stack, 'one', { value: one.associationId });
  new TerraformOutput(stack, 'many', { value: many.associationIds });
}

if (require.main === module) {
  const app = new App();
  const stack = new TerraformStack(app, STACK);
  // The state beside the configuration, as test/e2e's Workspace keeps it for the stack synthesized as JSON.
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  defineStack(stack, process.env.FPGA_HCL_ENDPOINT!, process.env.FPGA_HCL_PROJECT_ID!);
  app.synth();
}
