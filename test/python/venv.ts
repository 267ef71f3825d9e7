/**
 * A fresh Python virtual environment with the library's wheel installed, as a Python user would get it.
 * The third-party distributions come from a wheelhouse under .toolchain/python that `pip download` fills
 * from PyPI the first time (and whenever a requirement is missing from it), so warm runs are offline.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CACHE_DIR, ROOT, run, withBuildLock } from './artifacts';

const REQUIREMENTS = path.join(__dirname, 'requirements.txt');
const WHEELHOUSE = path.join(CACHE_DIR, 'wheelhouse');

/** Creates the environment in `dir` and returns its python executable. */
export async function freshVenvWithWheel(dir: string, wheel: string): Promise<string> {
  await run('python3', ['-m', 'venv', dir], { cwd: ROOT, env: pythonEnv() }).catch((err) => {
    throw new Error(`the Python binding test needs python3 (3.10 or newer) with the venv module and pip: ${err.message}`);
  });
  const python = path.join(dir, 'bin', 'python');
  const pip = (args: string[]) => run(python, ['-m', 'pip', '--quiet', ...args, '-r', REQUIREMENTS, wheel], { cwd: ROOT, env: pythonEnv() });
  const install = () => pip(['install', '--no-index', '--find-links', WHEELHOUSE]);
  try {
    await install();
  } catch {
    await withBuildLock(async () => {
      await pip(['download', '--dest', WHEELHOUSE]);
      // pip download copies the wheel itself too; the wheelhouse is for third-party distributions only.
      for (const name of fs.readdirSync(WHEELHOUSE)) {
        if (name.startsWith('cdktf_fpga_image_association-')) fs.rmSync(path.join(WHEELHOUSE, name));
      }
    });
    await install();
  }
  return python;
}

/** The environment Python runs with: nothing from an outer Python setup leaks into the fresh one. */
export function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' };
  for (const name of ['PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV', 'PIP_REQUIRE_VIRTUALENV']) delete env[name];
  return env;
}
