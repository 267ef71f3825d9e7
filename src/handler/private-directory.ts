import { lstatSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

const NAME = 'fpga-image-association';

/**
 * The per-user directory where handler processes keep what they share between runs (the rate
 * budget's state, the code cache, the project cache): in the session's runtime directory
 * (`$XDG_RUNTIME_DIR`, which only its user can enter), else in the temp dir under a name of the user's,
 * which another user could take first: it is then refused as not private (./privateDirectory), and
 * the handler runs without what it holds.
 */
export function userDirectory(): string {
  // Read here rather than by ../config: the launcher needs it before the handler reads its inputs.
  const runtime = process.env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime) && isRuntimeDirectory(runtime)) return join(runtime, NAME);
  return join(tmpdir(), `${NAME}-${process.getuid?.() ?? 'user'}`);
}

/** A runtime directory as the XDG spec defines it: this user's, and closed to everyone else (0700). */
function isRuntimeDirectory(directory: string): boolean {
  try {
    const stat = lstatSync(directory);
    // eslint-disable-next-line no-bitwise
    return stat.isDirectory() && isPrivate(stat) && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

export interface PrivateDirectoryOptions {
  /**
   * Accept a directory whose owner and permissions cannot be verified (no `process.getuid`: Windows).
   * Only for state that decides when to send (the rate budget), never what runs or where (the caches).
   */
  readonly acceptUnverified?: boolean;
}

/** Creates `directory` if needed, private; returns its path, or why it cannot be trusted. */
export function privateDirectory(directory: string, options: PrivateDirectoryOptions = {}): { path?: string; problem?: string } {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const stat = lstatSync(directory);
    if (!stat.isDirectory()) return { problem: `${directory} is not a directory` };
    if (process.getuid === undefined) {
      return options.acceptUnverified ? { path: directory } : { problem: `${directory} cannot be proven private: this platform (${process.platform}) has no POSIX owners` };
    }
    // Another user's directory, or one others can write to, could feed us anything: not ours to trust.
    if (!isPrivate(stat)) return { problem: `${directory} is not private to this user` };
    return { path: directory };
  } catch (error) {
    return { problem: `${directory}: ${(error as Error).message}` };
  }
}

/** Owned by this user and writable by no one else; never where that cannot be verified (no POSIX owners). */
export function isPrivate(stat: { readonly uid: number; readonly mode: number }): boolean {
  const uid = process.getuid?.();
  // eslint-disable-next-line no-bitwise
  return uid !== undefined && stat.uid === uid && (stat.mode & 0o022) === 0;
}

/**
 * Writes `data` to `file` whole or not at all, whatever runs at the same time: aside, private, then
 * renamed into place. Returns why it could not, or undefined.
 */
export function writePrivateFile(file: string, data: string | Buffer): string | undefined {
  const aside = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(aside, data, { mode: 0o600, flag: 'wx' });
    renameSync(aside, file);
    return undefined;
  } catch (error) {
    try {
      unlinkSync(aside);
    } catch {
      // nothing was written aside
    }
    return (error as Error).message;
  }
}
