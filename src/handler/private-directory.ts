import { lstatSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The per-user directory where handler processes keep what they share between runs (the rate
 * budget's state, the code cache): in the temp dir, named after the user, private to them.
 */
export function userDirectory(): string {
  return join(tmpdir(), `fpga-image-association-${process.getuid?.() ?? 'user'}`);
}

/** Creates `directory` if needed, private; returns its path, or why it cannot be trusted. */
export function privateDirectory(directory: string): { path?: string; problem?: string } {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const stat = lstatSync(directory);
    if (!stat.isDirectory()) return { problem: `${directory} is not a directory` };
    // Another user's directory, or one others can write to, could feed us anything: not ours to trust.
    if (!isPrivate(stat)) return { problem: `${directory} is not private to this user` };
    return { path: directory };
  } catch (error) {
    return { problem: `${directory}: ${(error as Error).message}` };
  }
}

/** Owned by this user and writable by no one else (always true where there are no POSIX owners). */
export function isPrivate(stat: { readonly uid: number; readonly mode: number }): boolean {
  const uid = process.getuid?.();
  // eslint-disable-next-line no-bitwise
  return uid === undefined || (stat.uid === uid && (stat.mode & 0o022) === 0);
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
