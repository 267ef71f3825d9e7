// A user's CDKTF app that installs the library from its npm package: the stack of test/python/stack.ts.
// Copied into a workspace under .toolchain/cdktn and run there, so that every import resolves from that
// workspace's node_modules.
//
//   node app.js OUTDIR RUNTIME [--default-null-provider]
//
// RUNTIME is the module the app takes App and TerraformStack from: `cdktn`, or `cdktf` (which a workspace may
// alias to cdktn). --default-null-provider declares the default null provider, which the library adds otherwise.
'use strict';
const { NullProvider } = require('@cdktf/provider-null/lib/provider');
const { FpgaImageAssociation, RemovedFpgaImageAssociation } = require('cdktf-fpga-image-association');

const [outdir, runtime, option] = process.argv.slice(2);
const { App, TerraformStack } = require(runtime);

const app = new App({ outdir });
const stack = new TerraformStack(app, 'fpga-binding');
new NullProvider(stack, 'SecondaryNull', { alias: 'secondary' });
if (option === '--default-null-provider') new NullProvider(stack, 'DefaultNull');
new FpgaImageAssociation(stack, 'Primary', {
  projectId: '0123456789abcdef0123456789abcdef',
  fpgaImageId: '4010a32b5f231f04015f24259efd0429',
  imageId: '18efee75-e058-4c52-a49c-9e3ba4d1c8de',
  region: 'cn-north-1',
});
new FpgaImageAssociation(stack, 'Tuned', {
  projectId: '0123456789abcdef0123456789abcdef',
  fpgaImageId: '4010a32b5f231f04015f24259efd0430',
  imageId: '5c0e9a5e-3f7a-4c1e-9b8d-2f6a1d3c4b5e',
  endpoint: 'http://127.0.0.1:8080/',
  enabled: true,
  attemptTimeoutSeconds: 5,
  totalTimeoutSeconds: 60,
  maxAttempts: 3,
  nodeExecutable: '/usr/local/bin/node',
});
new RemovedFpgaImageAssociation(stack, 'Retired', { maxAttempts: 4 });
app.synth();
