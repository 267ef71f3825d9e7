/** File helpers: executables on PATH, reads that tolerate absence, writes that readers never see half-done. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.resolve(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Size and mtime: enough to notice that a binary was replaced. */
export function fingerprint(binary: string): string {
  const st = fs.statSync(binary);
  return `${st.size}:${Math.round(st.mtimeMs)}`;
}

export function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function writeAtomic(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

/** Places `source` at every target by rename, so a running terraform never sees a half-written binary. */
export function placeExecutable(source: string, targets: readonly string[]): void {
  for (const target of targets) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    fs.rmSync(tmp, { force: true });
    try {
      fs.linkSync(source, tmp);
    } catch {
      fs.copyFileSync(source, tmp);
    }
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, target);
  }
}

/** Module caches are read-only; a copy that a build may write into needs write permission. */
export function makeWritable(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      fs.chmodSync(p, 0o755);
      makeWritable(p);
    } else if (entry.isFile()) {
      fs.chmodSync(p, 0o644); // Go sources and data: nothing in the build executes them
    }
  }
  fs.chmodSync(dir, 0o755);
}
