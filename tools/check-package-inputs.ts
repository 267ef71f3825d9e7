/**
 * Run first by the packaging tasks that take the build as it is (package:js, package:python, and so package and
 * package-all): a package is made only from a complete build. jsii-pacmak packs whatever is on disk, and without the
 * bundles it would ship a construct that fails at synth ("the handler bundle ... is missing"), a `fpga-image-emulator`
 * that is not there, and no Terraform module. (package:terraform compiles first instead.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const REQUIRED: Record<string, string> = {
  '.jsii': 'the jsii assembly',
  'lib/index.js': 'the compiled library',
  'assets/handler.js': 'the handler bundle that Terraform runs',
  'assets/cli.js': 'the operator CLI bundle (the fpga-image-association command)',
  'assets/emulator.js': 'the emulator bundle (the fpga-image-emulator command)',
  'assets/node-launcher.sh': 'the launcher that runs the handler with a Node',
  'terraform/fpga-image-association/main.tf': 'the Terraform module the package ships',
};

const missing = Object.entries(REQUIRED).filter(([file]) => {
  try {
    return fs.statSync(path.join(ROOT, file)).size === 0;
  } catch {
    return true;
  }
});
if (missing.length) {
  for (const [file, what] of missing) process.stderr.write(`cannot package: ${file} (${what}) is missing or empty\n`);
  process.stderr.write('run `npm run compile` first: it builds lib/, the bundles and the Terraform module\n');
  process.exit(1);
}
