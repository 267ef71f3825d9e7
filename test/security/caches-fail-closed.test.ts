/**
 * Finding 4 of the security review (docs/RELIABILITY.md): where `process.getuid` does not exist
 * (Windows), every file counted as private, so whoever could write the temp dir chose the code the
 * handler compiled from its code cache (V8 checks only the source's length) and the project it acted
 * in. Real handler processes with getuid deleted (./no-getuid.js): both caches are off, and a planted
 * one is never used.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEMO_PROJECT_ID, DEMO_REGION } from '../../src/emulator/server';
import { ACCESS_KEY, BUNDLE, envFor, runHandler, traffic, useEmulator } from '../handler/harness';

const context = useEmulator();
const WITHOUT_GETUID = { NODE_OPTIONS: `--require ${path.join(__dirname, 'no-getuid.js')}` };
const POISONED = 'POISONED: the planted program ran';

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'fpga-fail-closed-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** The program the launcher compiles, as the bundle embeds it: read by stopping the bundle at its `new vm.Script`. */
function handlerProgram(): string {
  const out = path.join(scratch, 'program.js');
  const capture = `const vm = require('node:vm'); vm.Script = function (source) { require('node:fs').writeFileSync(${JSON.stringify(out)}, source); process.exit(0); };`;
  execFileSync(process.execPath, ['-e', `${capture} require(${JSON.stringify(BUNDLE)})`], { env: { FPGA_ASSOC_CODE_CACHE: 'off' } });
  return readFileSync(out, 'utf8');
}

/** V8's cached data of another program of the same length, compiled with the same V8 flags as a handler at launch. */
function poisonedCache(length: number): Buffer {
  const evil = `(function () { process.stdout.write(${JSON.stringify(`${POISONED}\n`)}); process.exit(0); })`;
  const out = path.join(scratch, 'poisoned');
  const make = `const vm = require('node:vm'); const source = ${JSON.stringify(evil)}.padEnd(Number(process.argv[1]), ' ');`
    + ` require('node:fs').writeFileSync(${JSON.stringify(out)}, new vm.Script(source).createCachedData());`;
  execFileSync(process.execPath, ['-e', make, String(length)]);
  return readFileSync(out);
}

test('the code cache: a planted cache is never compiled from, and none is written', async () => {
  const directory = path.join(scratch, 'cache');
  expect((await runHandler(['status'], envFor(context.emu, { FPGA_ASSOC_CODE_CACHE: directory }))).code).toBe(0);
  const [name] = readdirSync(directory);
  const poison = poisonedCache(handlerProgram().length);
  writeFileSync(path.join(directory, name), poison);

  const run = await runHandler(['status'], envFor(context.emu, { FPGA_ASSOC_CODE_CACHE: directory, ...WITHOUT_GETUID }));
  expect(run.stdout).not.toContain(POISONED);
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: expect.stringContaining('"associated":false') });
  expect(readdirSync(directory)).toEqual([name]);
  expect(readFileSync(path.join(directory, name))).toEqual(poison);

  const fresh = path.join(scratch, 'fresh');
  expect((await runHandler(['status'], envFor(context.emu, { FPGA_ASSOC_CODE_CACHE: fresh, ...WITHOUT_GETUID }))).code).toBe(0);
  expect(readdirSync(fresh)).toEqual([]);
});

test('the project cache: a planted project is never acted in; IAM is asked, and nothing is cached', async () => {
  const planted = 'badbadbadbadbadbadbadbadbadbad00';
  const userDirectory = path.join(scratch, 'fpga-image-association-user');
  mkdirSync(userDirectory, { mode: 0o700 });
  const key = createHash('sha256').update([new URL(context.emu.url).origin, DEMO_REGION, ACCESS_KEY, '', ''].join('\n')).digest('hex').slice(0, 24);
  writeFileSync(path.join(userDirectory, `project-${key}`), JSON.stringify({ projectId: planted }));

  const env = envFor(context.emu, {
    FPGA_ASSOC_PROJECT_ID: undefined, FPGA_ASSOC_REGION: DEMO_REGION, HW_AUTH_URL: `${context.emu.url}/v3`, TMPDIR: scratch, ...WITHOUT_GETUID,
  });
  const run = await runHandler(['associate'], env);
  expect(run.code).toBe(0);
  expect(run.stderr).toContain(`${userDirectory} cannot be proven private: this platform (linux) has no POSIX owners; the project is not cached`);
  expect(traffic(context.emu)).toEqual(['iam GET 200', 'ecs POST 204']);
  expect(context.emu.requests().map((r) => r.path).join('\n')).not.toContain(planted);
  expect(context.emu.relations()).toEqual([expect.objectContaining({ imageId: expect.any(String) })]);
  expect(context.emu.requests()[1].path).toContain(DEMO_PROJECT_ID);
  expect(readdirSync(userDirectory)).toEqual([`project-${key}`]);
});
