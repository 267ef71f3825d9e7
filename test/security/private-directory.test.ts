/**
 * Finding 6 of the security review (docs/RELIABILITY.md): the private directory's name in the temp
 * dir is predictable, so another user could take it first and switch off the caches and the rate
 * budget. With `$XDG_RUNTIME_DIR` (per user, 0700) the directory lives there; the temp dir's name is
 * used only otherwise, and a taken one still only costs the caches (the degraded path, unchanged).
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { envFor, runHandler, useEmulator } from '../handler/harness';

const context = useEmulator();
let scratch: string;
let temp: string;
let runtime: string;
/** The temp dir's per-user name, taken first by someone else: another user's when the tests run as root, else open to all. */
let squatted: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'fpga-private-directory-'));
  temp = path.join(scratch, 'tmp');
  runtime = path.join(scratch, 'run-user');
  mkdirSync(temp);
  mkdirSync(runtime, { mode: 0o700 });
  squatted = path.join(temp, `fpga-image-association-${process.getuid!()}`);
  mkdirSync(squatted, { mode: 0o777 });
  chmodSync(squatted, 0o777);
  if (process.getuid!() === 0) chownSync(squatted, 65534, 65534);
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const env = (overrides: Record<string, string | undefined>) =>
  envFor(context.emu, { TMPDIR: temp, FPGA_ASSOC_MAX_REQUESTS_PER_SECOND: '100', FPGA_ASSOC_CODE_CACHE: undefined, ...overrides });

test('with XDG_RUNTIME_DIR, a squatted temp dir changes nothing: the caches and the rate budget live in the runtime dir', async () => {
  const run = await runHandler(['associate'], env({ XDG_RUNTIME_DIR: runtime }));
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('not private') });
  const own = path.join(runtime, 'fpga-image-association');
  expect((statSync(own).mode % 0o1000).toString(8)).toBe('700');
  expect(readdirSync(own)).toEqual(expect.arrayContaining([expect.stringMatching(/\.code-cache$/), expect.stringMatching(/^rate-/)]));
  expect(readdirSync(squatted)).toEqual([]);
});

test('an XDG_RUNTIME_DIR that is not private to the user is not used', async () => {
  chmodSync(runtime, 0o777);
  const run = await runHandler(['associate'], env({ XDG_RUNTIME_DIR: runtime }));
  expect(run.code).toBe(0);
  expect(readdirSync(runtime)).toEqual([]);
});

test('without XDG_RUNTIME_DIR, the degraded path as before: the squatted directory is refused, said once, and the run works', async () => {
  const run = await runHandler(['associate'], env({ XDG_RUNTIME_DIR: undefined }));
  expect(run.code).toBe(0);
  expect(run.stderr).toContain(`${squatted} is not private to this user; sending without the shared rate budget`);
  expect(readdirSync(squatted)).toEqual([]);
});
