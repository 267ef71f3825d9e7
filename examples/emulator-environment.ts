import { INPUT_ENV, METADATA_OFF } from '../src/contract';
import { DEMO_CREDENTIALS } from '../src/emulator/server';

/** What the example app (examples/main.ts) is given to run against the emulator. */
export interface EmulatorAppInputs {
  readonly url: string;
  readonly projectId: string;
  readonly fpgaImageId: string;
  readonly imageId: string;
  /** Where the local state goes, away from a real deployment's. */
  readonly statePath: string;
}

/** The environment for `cdktf synth/deploy/destroy` of the example app against the emulator. */
export function emulatorAppEnvironment(inputs: EmulatorAppInputs): Record<string, string> {
  return {
    FPGA_ENDPOINT: inputs.url,
    HW_PROJECT_ID: inputs.projectId,
    FPGA_IMAGE_ID: inputs.fpgaImageId,
    ECS_IMAGE_ID: inputs.imageId,
    FPGA_DEMO_STATE_PATH: inputs.statePath,
    // The emulator's well-known demo credentials; the handler reads them from Terraform's environment.
    HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
    HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey,
    // The handler's last credential source, the ECS metadata address, is never asked from here.
    [INPUT_ENV.metadataEndpoint]: METADATA_OFF,
  };
}
