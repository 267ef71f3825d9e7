import { isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';
import { INPUT_ENV } from '../contract';
import { readRegularFile } from './file-read';
import type { start } from './index';
import { Log } from './log';
import { isPrivate, privateDirectory, userDirectory, writePrivateFile } from './private-directory';

/**
 * assets/handler.js. Terraform starts a handler process per association and operation, and a good
 * part of each start is V8 parsing and compiling the program (./index, with undici: 330 KB). So the
 * program is embedded here as a string, built by tools/bundle-handler.ts, and compiled with V8's code
 * cache: the first run on a machine makes it, the next ones skip the parsing and the compiling of
 * whatever the first one ran. The cache lives in the per-user private directory that the rate budget
 * uses (or `FPGA_ASSOC_CODE_CACHE`, an absolute path; `off` for none), one file per program build,
 * Node version and architecture. It is only an optimisation: a missing, unreadable, unwritable,
 * foreign or rejected cache (V8 checks its version, flags and source) just means a compile from source.
 *
 * Trust: the file is read only from a directory private to the user and only if the user owns it
 * and no one else may write it, as whoever can write it decides what code runs (V8 checks only the
 * source's length). Where that cannot be verified (no POSIX owners: Windows), there is no cache. It
 * holds compiled code of the program, made before any request: no credential or input value is ever in it.
 */

declare const HANDLER_PROGRAM: string;
/** sha256 of HANDLER_PROGRAM, set by tools/bundle-handler.ts as is HANDLER_PROGRAM. */
declare const HANDLER_PROGRAM_SHA256: string;

type Program = { exports: { start: typeof start } };
type ProgramFunction = (exports: Program['exports'], require: NodeJS.Require, module: Program, filename: string, dirname: string) => void;

function cacheFile(setting: string | undefined): string | undefined {
  if (setting === 'off') return undefined;
  if (setting !== undefined && !isAbsolute(setting)) {
    // Relative to what? Terraform runs provisioners from the module's directory, the drift check elsewhere.
    new Log().note(`${INPUT_ENV.codeCache}=${JSON.stringify(setting)} ignored: expected an absolute directory, or off. This run compiles without a code cache`);
    return undefined;
  }
  const { path } = privateDirectory(setting ?? userDirectory());
  return path && join(path, `handler-${HANDLER_PROGRAM_SHA256.slice(0, 16)}-node-${process.version}-${process.arch}.code-cache`);
}

/** The handler's compiled code is about 200 KB; a file this large is not a cache this program made. */
const MAX_CACHE_BYTES = 16 * 1024 * 1024;

function readCache(file: string): Buffer | undefined {
  try {
    // No link: a link could point anywhere, and ownership is checked on what is actually opened.
    return readRegularFile(file, MAX_CACHE_BYTES, { noFollow: true, refuse: (stat) => (isPrivate(stat) ? undefined : 'is not private to this user') });
  } catch {
    return undefined;
  }
}

function launch(): void {
  const file = cacheFile(process.env[INPUT_ENV.codeCache]);
  const cachedData = file === undefined ? undefined : readCache(file);
  const script = new Script(HANDLER_PROGRAM, { filename: __filename, cachedData });
  let cacheWanted = file !== undefined && (cachedData === undefined || script.cachedDataRejected === true);
  const program = { exports: {} } as Program;
  (script.runInThisContext() as ProgramFunction)(program.exports, require, program, __filename, __dirname);
  program.exports.start({
    beforeV8FlagChange: () => {
      // Made now, it holds what the run compiled so far: the program's start, undici's included.
      if (cacheWanted) writePrivateFile(file!, script.createCachedData());
      cacheWanted = false;
    },
  });
}

launch();
