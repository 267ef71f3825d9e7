// The stack that app/main.py defines through the Python binding, written once in JavaScript: the TypeScript
// side (stack.ts) calls it with the library's source, and the cdktn test runs it as a user's app that takes
// the library from its npm package. Between them they cover both public constructs, region and endpoint,
// every handler option (an agency to assume included), an association without projectId, and a null
// provider the user declares (aliased, so the library still adds the default one). Keep app/main.py in step.
//
//   node binding-app.js OUTDIR RUNTIME [--default-null-provider]
//
// Run like that (copied into a workspace, so that every import resolves from its node_modules), RUNTIME is
// the module the app takes App and TerraformStack from: `cdktn`, or `cdktf` (which a workspace may alias to
// cdktn). --default-null-provider declares the default null provider, which the library adds otherwise.
'use strict';

const STACK_NAME = 'fpga-binding';

/** Defines and synthesizes the app with the given modules: { App, TerraformStack, NullProvider, FpgaImageAssociation, RemovedFpgaImageAssociation }. */
function synthBindingApp(modules, outdir, options = {}) {
  const { App, TerraformStack, NullProvider, FpgaImageAssociation, RemovedFpgaImageAssociation } = modules;
  const app = new App({ outdir });
  const stack = new TerraformStack(app, STACK_NAME);
  new NullProvider(stack, 'SecondaryNull', { alias: 'secondary' });
  if (options.defaultNullProvider) new NullProvider(stack, 'DefaultNull');
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
    assumeRole: { agencyName: 'fpga_deployer', domainName: 'delegating_account', durationSeconds: 3600 },
  });
  new FpgaImageAssociation(stack, 'ProjectOfRegion', {
    fpgaImageId: '4010a32b5f231f04015f24259efd0431',
    imageId: '18efee75-e058-4c52-a49c-9e3ba4d1c8de',
    region: 'cn-east-2',
  });
  new RemovedFpgaImageAssociation(stack, 'Retired', { maxAttempts: 4 });
  app.synth();
}

module.exports = { STACK_NAME, synthBindingApp };

if (require.main === module) {
  const [outdir, runtime, option] = process.argv.slice(2);
  synthBindingApp(
    { ...require(runtime), ...require('@cdktf/provider-null/lib/provider'), ...require('cdktf-fpga-image-association') },
    outdir,
    { defaultNullProvider: option === '--default-null-provider' },
  );
}
