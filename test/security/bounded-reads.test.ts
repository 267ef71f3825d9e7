/**
 * Finding 3 of the security review (docs/RELIABILITY.md): the profile was read without limit, so
 * `HW_SHARED_CONFIG_FILE=/dev/zero` grew the handler to gigabytes, and a FIFO hung it. Every file the
 * handler reads must be a regular file within a limit (1 MiB for a profile), else one clear line at
 * once (this file's test timeout bounds "at once"; no duration is asserted).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXIT_CODES } from '../../src/contract';
import { envFor, lines, runHandler, useEmulator } from '../handler/harness';

jest.setTimeout(15_000);

const context = useEmulator();
let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'fpga-bounded-reads-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const fifo = (file: string) => execFileSync('mkfifo', [file]);

describe('a profile that is not a regular file of at most 1 MiB: one line, exit 2, nothing sent', () => {
  const kinds: [string, () => string, string][] = [
    ['/dev/zero', () => '/dev/zero', 'is a character device'],
    ['a FIFO', () => {
      const file = path.join(scratch, 'config.json');
      fifo(file);
      return file;
    }, 'is a FIFO'],
    ['a directory', () => scratch, 'is a directory'],
    ['a file of 1 MiB and 1 byte', () => {
      const file = path.join(scratch, 'config.json');
      writeFileSync(file, ' '.repeat(1024 * 1024 + 1));
      return file;
    }, 'is 1048577 bytes'],
  ];
  test.each(kinds)('%s', async (_, make, what) => {
    const file = make();
    const run = await runHandler(['associate'], envFor(context.emu, { HW_SHARED_CONFIG_FILE: file }));
    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(lines(run)).toEqual([expect.stringContaining(
      `cannot read the KooCLI profile file ${file} (HW_SHARED_CONFIG_FILE): ${file} ${what}: expected a regular file of at most 1 MiB`,
    )]);
    expect(context.emu.requests()).toEqual([]);
  });
});

test('a code cache or a rate budget state that is a FIFO or a directory is passed over, and the run works', async () => {
  const directory = path.join(scratch, 'cache');
  const env = envFor(context.emu, { FPGA_ASSOC_CODE_CACHE: directory });
  expect((await runHandler(['status'], env)).code).toBe(0);
  const [cacheFile] = readdirSync(directory);
  for (const replace of [fifo, (file: string) => mkdirSync(file)]) {
    rmSync(path.join(directory, cacheFile), { recursive: true });
    replace(path.join(directory, cacheFile));
    expect((await runHandler(['status'], env)).code).toBe(0);
  }

  // The private directory in a temp dir of this test's, where the project cache and the rate budget live.
  const home = path.join(scratch, 'tmp');
  mkdirSync(home);
  const paced = envFor(context.emu, { TMPDIR: home, FPGA_ASSOC_CODE_CACHE: 'off', FPGA_ASSOC_MAX_REQUESTS_PER_SECOND: '100' });
  expect((await runHandler(['status'], paced)).code).toBe(0);
  const userDirectory = path.join(home, readdirSync(home)[0]);
  const [stateFile] = readdirSync(userDirectory).filter((name) => name.startsWith('rate-') && !name.endsWith('.lock'));
  rmSync(path.join(userDirectory, stateFile));
  fifo(path.join(userDirectory, stateFile));
  const run = await runHandler(['status'], paced);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(statSync(path.join(userDirectory, stateFile)).isFile()).toBe(true);
});
