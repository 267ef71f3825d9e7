/**
 * The example app behind `npm run demo`, and a template for real use. It reads its inputs from the
 * environment so the same code deploys against the local emulator and against the real cloud:
 *
 * - FPGA_ENDPOINT: the ECS API base URL (the emulator's http://127.0.0.1:PORT); or instead
 * - HW_REGION_NAME: cn-north-1, cn-east-2 or cn-south-1 (the real cloud);
 * - FPGA_IMAGE_ID, ECS_IMAGE_ID: what to associate;
 * - HW_PROJECT_ID (optional with a region): the project; without it the handler finds the region's project;
 * - FPGA_DEMO_STATE_PATH (optional): where the local state goes; `npm run demo` keeps its own apart
 *   from yours (cdktf's default is terraform.fpga-demo.tfstate in this directory).
 *
 * Credentials are never read here: the handler finds them when Terraform runs it (a KooCLI profile,
 * HW_ACCESS_KEY / HW_SECRET_KEY, or the ECS metadata service; see the README's "Credentials and security").
 */
import { App, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { FpgaImageAssociation } from '../src';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (see examples/main.ts and the README's "Against the real cloud")`);
  return value;
}

class FpgaDemoStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    if (process.env.FPGA_DEMO_STATE_PATH) new LocalBackend(this, { path: process.env.FPGA_DEMO_STATE_PATH });
    const endpoint = process.env.FPGA_ENDPOINT || undefined;
    const association = new FpgaImageAssociation(this, 'Accelerator', {
      projectId: process.env.HW_PROJECT_ID || undefined,
      fpgaImageId: required('FPGA_IMAGE_ID'),
      imageId: required('ECS_IMAGE_ID'),
      region: endpoint ? undefined : required('HW_REGION_NAME'),
      endpoint,
    });
    new TerraformOutput(this, 'association', { value: association.resource.triggers });
  }
}

const app = new App();
new FpgaDemoStack(app, 'fpga-demo');
app.synth();
