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
import { ensureToolchain, type Toolchain } from '../../tools/toolchain';
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
  /** A copy of `file` that the runner's user may read (the project may sit below a directory private to root). */
  reachable(file: string): string;
  /** Puts `tarball`'s Node on the runner (once), off PATH, as a custom image would; resolves with its absolute path. */
  installNode(tarball: PinnedTarball): Promise<string>;
  cleanup(): void;
}

let announced = false;

/** A fresh runner: its own home (never fetched anything) and PATH; the same user for every runner of a test run. */
export async function createRunner(options: RunnerOptions = {}): Promise<Runner> {
  const toolchain = await ensureToolchain();
  const { user, userName } = runnerUser(toolchain);
  const programs = new Map(toolchain.clis.map((c) => [c.binaryName as string, c.binary]));
  machinePrograms(user).forEach((file, name) => programs.has(name) || programs.set(name, file));

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-runner-'));
  fs.chmodSync(root, 0o755);
  const bin = path.join(root, 'bin');
  const home = path.join(root, 'home');
  fs.mkdirSync(bin, { mode: 0o755 });
  fs.mkdirSync(home, { mode: 0o700 });
  programs.forEach((file, name) => fs.symlinkSync(file, path.join(bin, name)));
  const pluginCache = path.join(root, 'plugin-cache');
  linkTree(toolchain.pluginCacheDir, pluginCache);
  if (user) [home, pluginCache].forEach((dir) => chownTree(dir, user.uid, user.gid));
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
    TF_PLUGIN_CACHE_DIR: pluginCache,
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
    reachable(file) {
      // Copied once: a program that runs it may be reading the copy already.
      const copy = path.join(root, 'reachable', path.basename(file));
      if (fs.existsSync(copy)) return copy;
      fs.mkdirSync(path.dirname(copy), { recursive: true, mode: 0o755 });
      fs.copyFileSync(file, `${copy}.tmp`);
      fs.chmodSync(`${copy}.tmp`, 0o644);
      fs.renameSync(`${copy}.tmp`, copy);
      return copy;
    },
    async installNode(tarball) {
      const opt = path.join(root, 'opt');
      const node = path.join(opt, 'node', 'bin', 'node');
      if (fs.existsSync(node)) return node;
      fs.mkdirSync(opt, { recursive: true, mode: 0o755 });
      await run('tar', ['-xzf', tarball.file, '-C', opt, 'package/bin/node'], { cwd: opt });
      fs.renameSync(path.join(opt, 'package'), path.join(opt, 'node'));
      return node;
    },
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * `nobody` when this process is root and `nobody` may run the toolchain (its CLIs and their configuration); else this
 * process's user, who is then the runner's (and says why).
 */
function runnerUser(toolchain: Toolchain): { user?: { uid: number; gid: number }; userName: string } {
  const me = os.userInfo();
  const asMe = (why: string) => {
    if (!announced) process.stderr.write(`[runner] ${why}: the runner's commands run as ${me.username}\n`);
    return { userName: `${me.username} (uid ${me.uid})` };
  };
  if (process.getuid?.() !== 0) return asMe('not root, so no other user can be had');
  const fields = fs.readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':')).find((f) => f[0] === 'nobody');
  if (!fields) throw new Error('no user `nobody` in /etc/passwd: the simulated runner runs its commands as an unprivileged user');
  const nobody = { uid: Number(fields[2]), gid: Number(fields[3]) };
  const needed = [...toolchain.clis.map((c) => ({ file: c.binary, bit: 0o1 })), { file: toolchain.env.TF_CLI_CONFIG_FILE, bit: 0o4 }];
  const unreachable = needed.find(({ file, bit }) => file !== undefined && !mayUse(file, nobody, bit));
  if (unreachable) {
    return asMe(`nobody may not use ${unreachable.file} (a directory above it is private): set TOOLCHAIN_DIR to a directory others may search, as .ci/run does, to run them as nobody`);
  }
  return { user: nobody, userName: `nobody (uid ${fields[2]})` };
}

/**
 * Every program this machine's PATH finds for `user` (else for this process), by name: the first of each name that
 * the user may run, as the user's shell would find it (a root-only directory such as /root/.pyenv/shims is passed
 * over, so its python3 gives way to /usr/bin's). Node's are left out.
 */
function machinePrograms(user: { uid: number; gid: number } | undefined): Map<string, string> {
  const programs = new Map<string, string>();
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    // npm and npx put node_modules/.bin directories first: the project's tools, not the machine's.
    if (!path.isAbsolute(dir) || dir.split(path.sep).includes('node_modules') || !fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (!programs.has(name) && !ABSENT_PROGRAMS.includes(name) && mayUse(file, user, 0o1)) programs.set(name, file);
    }
  }
  return programs;
}

/**
 * Whether `user` (else this process) may run (`bit` 1) or read (4) `file`: a file with that permission, below
 * directories it may search.
 */
function mayUse(file: string, user: { uid: number; gid: number } | undefined, bit: number): boolean {
  try {
    if (!user) {
      fs.accessSync(file, bit === 0o1 ? fs.constants.X_OK : fs.constants.R_OK);
      return fs.statSync(file).isFile();
    }
    const real = fs.realpathSync(file);
    const place = (stat: fs.Stats) => (stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o10 : 0o1);
    // eslint-disable-next-line no-bitwise
    const may = (stat: fs.Stats, wanted: number) => (stat.mode & (wanted * place(stat))) !== 0;
    const dirs = real.split(path.sep).slice(1, -1).map((_, i, parts) => path.sep + parts.slice(0, i + 1).join(path.sep));
    return fs.statSync(real).isFile() && [path.sep, ...dirs].every((p) => may(fs.statSync(p), 0o1)) && may(fs.statSync(real), bit);
  } catch {
    return false;
  }
}

/**
 * The toolchain's plugin cache as the runner's own: directories of its own, files linked, so that the providers are
 * not fetched again and the runner's user may write there (OpenTofu puts a lock file beside each provider it takes).
 */
function linkTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.existsSync(from) ? fs.readdirSync(from, { withFileTypes: true }) : []) {
    const [source, target] = [path.join(from, entry.name), path.join(to, entry.name)];
    if (entry.isDirectory()) linkTree(source, target);
    else if (!entry.name.endsWith('.lock')) fs.symlinkSync(source, target);
  }
}

function chownTree(file: string, uid: number, gid: number): void {
  fs.lchownSync(file, uid, gid);
  if (fs.lstatSync(file).isDirectory()) fs.readdirSync(file).forEach((name) => chownTree(path.join(file, name), uid, gid));
}
