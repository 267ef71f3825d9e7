import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { jsonValue } from './json-text';

/**
 * Every file the handler reads (a KooCLI profile, the code cache, the project cache, the rate budget's
 * state) is read here: a regular file, within a size limit, or an Error saying what it is instead.
 * A device (`/dev/zero`), a FIFO or a directory would otherwise hang the run or grow it without end.
 */

export interface FileReadOptions {
  /** Refuse a symbolic link (O_NOFOLLOW): for files whose ownership is checked, on what is actually opened. */
  readonly noFollow?: boolean;
  /** Why the opened file is not to be trusted, or undefined. */
  readonly refuse?: (stat: Stats) => string | undefined;
}

function kind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** `1 MiB`, `512 bytes`. */
export function describeSize(bytes: number): string {
  return bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/**
 * The JSON value of a small file the handler keeps (a cache entry, the rate budget's state), never read through a
 * link; undefined when there is none, it cannot be read, or it is not JSON.
 */
export function readJsonFile(file: string, maxBytes: number): unknown {
  try {
    return jsonValue(readRegularFile(file, maxBytes, { noFollow: true }).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The whole of `file`, a regular file of at most `maxBytes`; throws an Error whose message says what is wrong. */
export function readRegularFile(file: string, maxBytes: number, options: FileReadOptions = {}): Buffer {
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer; it changes nothing for a regular file.
  // eslint-disable-next-line no-bitwise
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (options.noFollow ? constants.O_NOFOLLOW ?? 0 : 0);
  const fd = openSync(file, flags);
  try {
    const stat = fstatSync(fd);
    const expected = `expected a regular file of at most ${describeSize(maxBytes)}`;
    if (!stat.isFile()) throw new Error(`${file} is ${kind(stat)}: ${expected}`);
    if (stat.size > maxBytes) throw new Error(`${file} is ${stat.size} bytes: ${expected}`);
    const refusal = options.refuse?.(stat);
    if (refusal !== undefined) throw new Error(`${file} ${refusal}`);
    // One byte more than fstat said, to notice a file that grew meanwhile.
    const buffer = Buffer.alloc(stat.size + 1);
    let size = 0;
    for (let read = 1; read > 0 && size < buffer.length; size += read) read = readSync(fd, buffer, size, buffer.length - size, null);
    if (size > stat.size) throw new Error(`${file} grew while it was read: ${expected}`);
    return buffer.subarray(0, size);
  } finally {
    closeSync(fd);
  }
}
