/**
 * `npm run package:terraform` on a fresh clone (clean-copy.ts: nothing built, node_modules as `npm ci` leaves it):
 * it builds what it needs, then writes the module and its versioned archive, which holds the same files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODULE_NAME } from '../../tools/terraform-module';
import { cleanCopy } from '../consumer/clean-copy';
import { run } from '../python/artifacts';

let copy: string;
beforeAll(() => {
  copy = cleanCopy('fpga-package-terraform-');
});
afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

test('on a fresh clone, package:terraform writes dist/terraform/fpga-image-association/ and fpga-image-association-<version>.tar.gz', async () => {
  for (const built of ['.jsii', 'assets', 'lib', 'terraform']) expect(fs.existsSync(path.join(copy, built))).toBe(false);
  await run('npm', ['run', 'package:terraform'], { cwd: copy });
  const { version } = JSON.parse(fs.readFileSync(path.join(copy, 'package.json'), 'utf8'));
  const out = path.join(copy, 'dist', 'terraform');
  const listed = (await run('tar', ['-tzf', path.join(out, `${MODULE_NAME}-${version}.tar.gz`)], { cwd: out }))
    .split('\n').filter((f) => f && !f.endsWith('/')).sort();
  const written = (fs.readdirSync(path.join(out, MODULE_NAME), { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(out, MODULE_NAME, f)).isFile()).map((f) => `${MODULE_NAME}/${f}`).sort();
  expect(listed).toEqual(written);
  expect(written).toEqual(expect.arrayContaining(['main.tf', 'moved.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md', 'handler.js', 'node-launcher.sh']
    .map((f) => `${MODULE_NAME}/${f}`)));
}, 300_000);
