/** The launcher is POSIX sh, clean under `shellcheck -s sh`: its source and the shipped script with the pins in. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { LAUNCHER } from './launch';
import { ROOT } from '../python/artifacts';

const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;

test.each([path.join(ROOT, 'src', 'node-launcher', 'node-launcher.sh'), LAUNCHER])('shellcheck -s sh %s', (file) => {
  if (!shellcheck) return console.warn('skipped: shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)');
  const result = spawnSync('shellcheck', ['-s', 'sh', file], { encoding: 'utf8' });
  expect(result.stdout + result.stderr).toBe('');
  expect(result.status).toBe(0);
});
