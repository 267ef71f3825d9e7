/**
 * A simulated Terraform runner, as platform teams have them (Atlantis, Spacelift, HCP Terraform's workers): every
 * program of this machine but Node.js and its package managers, a fresh home, no XDG_CACHE_HOME, npm's registry
 * setting where the test says, FPGA_ASSOC_NODE unset (so `auto`), and an unprivileged user (`nobody`) when the
 * tests run as root. A Runner is a Workspace Host: `new Workspace(cli, env, 'stack', runner)` runs Terraform on it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PinnedTarball } from './pinned-node';
import { INPUT_ENV, METADATA_OFF } from '../../src/contract';
import { ensureToolchain } from '../../tools/toolchain';
import type { Host } from '../e2e/workspace';
import { run } from '../python/artifacts';

/** Node.js and its package managers: what a runner's default image lacks. */
export const ABSENT_PROGRAMS: readonly string[] = ['node', 'nodejs', 'npm', 'npx', 'corepack', 'yarn', 'yarnpkg', 'pnpm', 'pnpx'];

export interface RunnerOptions {
  /** `npm_config_registry` on the runner (the loopback registry's URL); left unset when undefined. */
  readonly registry?: string;
}

export interface Runner extends Host {
  /** The runner's environment, complete: pass it as a command's extra environment to run that command on this runner. */
  readonly env: Readonly<Record<string, string>>;
  /** PATH's only directory: links to the machine's programs, Node's excepted, and to the toolchain's CLIs. */
  readonly bin: string;
  readonly home: string;
  /** Where the launcher keeps the pinned Node on this runner: `$HOME/.cache/fpga-image-association`. */
  readonly nodeCache: string;
  /** Who runs the commands, for messages: `nobody (uid 65534)`. */
  readonly userName: string;
  /** Puts `tarball`'s Node on the runner, off PATH, as a custom image would; resolves with its absolute path. */
  installNode(tarball: PinnedTarball): Promise<string>;
  cleanup(): void;
}

let announced = false;

/** A fresh runner: its own home (never fetched anything) and PATH; the same user for every runner of a test run. */
export async function createRunner(options: RunnerOptions = {}): Promise<Runner> {
  const { user, userName } = runnerUser();
  const programs = new Map((await ensureToolchain()).clis.map((c) => [c.binaryName as string, c.binary]));
  machinePrograms().forEach((file, name) => programs.has(name) || programs.set(name, file));

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-runner-'));
  fs.chmodSync(root, 0o755);
  const bin = path.join(root, 'bin');
  const home = path.join(root, 'home');
  fs.mkdirSync(bin, { mode: 0o755 });
  fs.mkdirSync(home, { mode: 0o700 });
  programs.forEach((file, name) => fs.symlinkSync(file, path.join(bin, name)));
  if (user) fs.chownSync(home, user.uid, user.gid);
  if (!announced) {
    announced = true;
    process.stderr.write(`[runner] a PATH of ${programs.size} programs without ${ABSENT_PROGRAMS.join(', ')}; a fresh HOME; commands run as ${userName}\n`);
  }

  const name = userName.split(' ')[0];
  const env: Record<string, string> = {
    PATH: bin,
    HOME: home,
    USER: name,
    LOGNAME: name,
    // The network rule, which test/setup-jest.ts sets for every process the tests start: this environment replaces theirs.
    [INPUT_ENV.metadataEndpoint]: METADATA_OFF,
    ...(options.registry === undefined ? {} : { npm_config_registry: options.registry }),
  };
  return {
    env,
    user,
    bin,
    home,
    nodeCache: path.join(home, '.cache', 'fpga-image-association'),
    userName,
    adopt: (dir) => user && chownTree(dir, user.uid, user.gid),
    async installNode(tarball) {
      const opt = path.join(root, 'opt');
      fs.mkdirSync(opt, { mode: 0o755 });
      await run('tar', ['-xzf', tarball.file, '-C', opt, 'package/bin/node'], { cwd: opt });
      fs.renameSync(path.join(opt, 'package'), path.join(opt, 'node'));
      return path.join(opt, 'node', 'bin', 'node');
    },
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** `nobody` when this process is root; else this process's user, who is then the runner's (and says why). */
function runnerUser(): { user?: { uid: number; gid: number }; userName: string } {
  if (process.getuid?.() !== 0) {
    const me = os.userInfo();
    if (!announced) process.stderr.write(`[runner] not root, so no other user can be had: the runner's commands run as ${me.username}\n`);
    return { userName: `${me.username} (uid ${me.uid})` };
  }
  const fields = fs.readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':')).find((f) => f[0] === 'nobody');
  if (!fields) throw new Error('no user `nobody` in /etc/passwd: the simulated runner runs its commands as an unprivileged user');
  return { user: { uid: Number(fields[2]), gid: Number(fields[3]) }, userName: `nobody (uid ${fields[2]})` };
}

/** Every program this machine's PATH finds, by name, the first of each name as a shell would; Node's left out. */
function machinePrograms(): Map<string, string> {
  const programs = new Map<string, string>();
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    // npm and npx put node_modules/.bin directories first: the project's tools, not the machine's.
    if (!path.isAbsolute(dir) || dir.split(path.sep).includes('node_modules') || !fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (!programs.has(name) && !ABSENT_PROGRAMS.includes(name) && isExecutableFile(file)) programs.set(name, file);
    }
  }
  return programs;
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function chownTree(file: string, uid: number, gid: number): void {
  fs.lchownSync(file, uid, gid);
  if (fs.lstatSync(file).isDirectory()) fs.readdirSync(file).forEach((name) => chownTree(path.join(file, name), uid, gid));
}
