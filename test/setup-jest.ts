import { Testing } from 'cdktf';
import { INPUT_ENV, METADATA_OFF } from '../src/contract';

Testing.setupJest();

// Nothing a test runs may reach the ECS metadata address (169.254.169.254), the handler's default third
// credential source: every process the tests start inherits this, and metadata tests point it at the emulator.
process.env[INPUT_ENV.metadataEndpoint] = METADATA_OFF;

// Nor may the handler's launcher fetch a Node from the npm registry: every process runs the Node on PATH (as
// `npm test` does), and the tests of the fetch path (test/node-launcher, test/runner) set their own.
process.env.FPGA_ASSOC_NODE = 'local';

// Nor may a test depend on, or send, the Huawei Cloud setup of the machine that runs it: a profile, keys,
// an agency, a project or an IAM URL in the developer's environment. Tests that need them set them.
for (const name of Object.keys(process.env)) {
  if (/^(HW|OS|HUAWEICLOUD_SDK)_/.test(name)) delete process.env[name];
}
