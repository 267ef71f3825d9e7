import { cdktf, javascript } from 'projen';

const project = new cdktf.ConstructLibraryCdktf({
  name: 'cdktf-fpga-image-association',
  description:
    'CDKTF construct that associates a Huawei Cloud FPGA image with an ECS image, and removes the association on destroy',
  author: 'FPGA IaC founders',
  authorAddress: 'founders@example.com',
  repositoryUrl: 'https://example.com/cdktf-fpga-image-association.git',
  defaultReleaseBranch: 'main',
  keywords: ['cdktf', 'huaweicloud', 'fpga', 'ecs', 'terraform'],
  license: 'Apache-2.0',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  github: false,
  release: false,
  minNodeVersion: '20.19.0',

  cdktfVersion: '^0.21.0',
  constructsVersion: '^10.4.2',
  // jsii and TypeScript share a minor; ts-jest 29 needs TypeScript < 7.
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.3',
  peerDeps: ['@cdktf/provider-null@^11.0.1'],
  devDeps: [
    '@cdktf/provider-null@11.0.1',
    'cdktf@0.21.0',
    'constructs@10.4.2',
    'esbuild@^0.28.2',
    '@huaweicloud/huaweicloud-sdk-core@^3.1.211',
    '@types/node@^20',
    // ts-jest resolves jest-util from the top level, where npm does not hoist it by itself
    'jest-util@^29',
    // `cdktf deploy` / `cdktf destroy` in the end-to-end tests
    'cdktf-cli@0.21.0',
    // the handler's HTTP client, bundled into assets/handler.js (pinned: its llhttp build decides the start-up cost)
    'undici@7.30.2',
  ],

  // Runtime code (the handler Terraform runs, the API emulator) is bundled by esbuild, not compiled by jsii.
  excludeTypescript: ['src/handler/**', 'src/emulator/**', 'src/cli/**'],

  jestOptions: {
    jestVersion: '^29',
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 60_000,
      collectCoverage: false,
      setupFilesAfterEnv: ['<rootDir>/test/setup-jest.ts'],
    },
  },
  tsconfigDev: {
    compilerOptions: {},
  },

  // Python binding: `npx projen package:python` builds the wheel into dist/python (test/python installs it).
  publishToPypi: { distName: 'cdktf-fpga-image-association', module: 'cdktf_fpga_image_association' },

  // The operator CLI (`npx fpga-image-association --help`), and the emulator.
  bin: { 'fpga-image-association': 'assets/cli.js', 'fpga-image-emulator': 'assets/emulator.js' },
  gitignore: ['/assets/', '/terraform/', 'cdktf.out/', '.toolchain/', '*.tfstate', '*.tfstate.*', '.terraform/', '.terraform.lock.hcl', '/bench-results/'],
  npmignoreEnabled: true,
  eslintOptions: { dirs: ['src'], devdirs: ['test', 'tools', 'scripts', 'examples', 'bench', 'build-tools', 'projenrc'] },
});

// Quiet jsii's notice about Node 20's end of life: Node 20.19+ is what this library supports.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// Runtime code is bundled into one self-contained file each: the synthesized stack must work without node_modules.
const bundle = project.addTask('bundle', { description: 'Bundle the handler, the operator CLI and the emulator into assets/' });
// The handler: its program embedded in a launcher that compiles it with V8's code cache (tools/bundle-handler.ts).
bundle.exec('ts-node --transpile-only tools/bundle-handler.ts');
// The operator CLI, the package's bin: the same launcher around its own program (src/cli/), on the handler's code.
bundle.exec('ts-node --transpile-only tools/bundle-handler.ts src/cli/index.ts assets/cli.js');
// The handler's launcher, which picks (or fetches) the Node that runs it, with the pinned Node written in.
bundle.exec('ts-node --transpile-only tools/bundle-node-launcher.ts');
bundle.exec('esbuild --bundle src/emulator/index.ts --platform=node --target=node20 --format=cjs --log-level=warning --outfile=assets/emulator.js');
// The handler bundles undici (MIT), whose licence asks to go with every copy: it ships beside the bundle, in assets/.
bundle.exec(
  'node -e "const fs = require(\'fs\'); const { version } = require(\'undici/package.json\'); '
  + 'fs.writeFileSync(\'assets/handler.js.LICENSE.txt\', \'assets/handler.js and assets/cli.js bundle undici \' + version + \' (https://github.com/nodejs/undici):\\n\\n\' + fs.readFileSync(require.resolve(\'undici/LICENSE\')))"',
);
project.npmignore?.addPatterns('!/assets/', '/bench/', '/bench-results/', '/.toolchain/', '/tools/', '/docs/', '/scripts/', '/examples/', '/cdktf.json', '/.ci/');
// `npm run compile` builds everything the package ships: the bundles, then lib/ (jsii).
project.compileTask.prependSpawn(bundle);
// The Terraform module generated from the construct (tools/terraform-module/), from the jsii assembly and the bundles: the
// last step of the compile writes it into terraform/fpga-image-association/, which the npm package ships.
project.compileTask.exec('ts-node --transpile-only tools/terraform-module/main.ts');
// dist/terraform/fpga-image-association/ and its .tar.gz, for HCL users. Part of `npm run package`; it compiles first, so
// that it works on a fresh clone.
const packageTerraform = project.addTask('package:terraform', {
  description: 'Generate the Terraform module from the construct into dist/terraform/ (and a .tar.gz of it)',
  steps: [{ spawn: project.compileTask.name }, { exec: 'ts-node --transpile-only tools/terraform-module/main.ts --archive' }],
});
project.packageTask.spawn(packageTerraform);
// No package without them: every packaging task (package, package-all, package:js, package:python) checks first.
for (const task of project.tasks.all.filter((t) => t.name.startsWith('package:') && t !== packageTerraform)) {
  task.prependExec('ts-node --transpile-only tools/check-package-inputs.ts');
}
// Terraform or OpenTofu and the two providers, in .toolchain/: the real providers where the registry is reachable.
project.addTask('toolchain', {
  description: 'Provision terraform/tofu and the null and external providers into .toolchain/ (docs/TOOLCHAIN.md)',
  exec: 'ts-node --transpile-only tools/toolchain/main.ts',
  receiveArgs: true,
});

// `npm test` must work right after `npm ci`: the toolchain first, then the build (bundles included), then jest.
project.testTask.prependExec('ts-node --transpile-only tools/toolchain/main.ts --all');
// The Python binding test (test/python) installs the wheel built from the jsii assembly, and the API.md check reads
// the assembly: build both before jest (run on their own, those tests rebuild whichever is stale).
const jest = project.testTask.steps.findIndex((step) => step.execArgs?.[0] === 'jest');
if (jest < 0) throw new Error('.projenrc.ts: no jest step in the test task to put the jsii build before');
project.testTask.insertStep(jest, { spawn: project.compileTask.name }, { spawn: 'package:python' });

project.addTask('bench', {
  description: 'Benchmarks as ratios against a baseline in the same run (docs/BENCHMARKS.md)',
  steps: [{ spawn: bundle.name }, { exec: 'ts-node --transpile-only bench/run.ts', receiveArgs: true }],
});

project.addTask('reliability', {
  description: 'Run the fault matrix through real Terraform and rewrite docs/RELIABILITY.md',
  steps: [{ spawn: bundle.name }, { exec: 'ts-node --transpile-only tools/reliability-report.ts', receiveArgs: true }],
});

project.addTask('demo', {
  description: 'Associate and disassociate an FPGA image against the local emulator with real Terraform',
  steps: [{ spawn: bundle.name }, { exec: 'ts-node --transpile-only scripts/demo.ts' }],
});

project.synth();
