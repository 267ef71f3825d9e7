import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CODES, INPUT_ENV } from '../contract';
import { asTyped, BIN } from './arguments';
import { print } from './output';
import { checkQueryAllowed, PERMISSIONS } from '../handler/association';
import type { HandlerConfig } from '../handler/config';
import { HandlerError } from '../handler/errors';
import type { Log } from '../handler/log';
import { Session, type SessionOptions } from '../handler/session';
import { endpointForRegion } from '../rules';

/**
 * `doctor`: how a run here would go, one line per step, changing nothing: the endpoint, the
 * credential source (and why the earlier ones were skipped), the project, a read-only query, and the
 * Node that node-launcher.sh would pick for a provisioner. Secrets are never printed: credentials
 * are named by their source, as in the handler's messages, and the step that fails is the handler's
 * one line on stderr, through the log's redaction.
 */

const LAUNCHER = 'node-launcher.sh';
/** `--which` decides without fetching or running anything: a few forks of sh. */
const LAUNCHER_TIME_LIMIT_MS = 10_000;

/** One line of the report: names and IDs only, never a value of a credential (a failure goes to the log, redacted). */
function line(label: string, text: string): void {
  print(`${label.padEnd(12)} ${text}`);
}

/** Where the endpoint came from: the flag, the region's, or the variable. */
function endpointSource(config: HandlerConfig, given: ReadonlySet<string>): string {
  if (given.has('endpoint')) return '--endpoint';
  const { region } = config.project;
  if (region !== undefined && config.origin === endpointForRegion(region)) {
    return `the ECS endpoint of region ${region}, from ${given.has('region') ? '--region' : INPUT_ENV.region}`;
  }
  return INPUT_ENV.endpoint;
}

/** The launcher's own line, from beside this program (assets/); exit 0 when a provisioner could start. */
function whichNode(): { readonly text: string; readonly ok: boolean } {
  const launcher = join(__dirname, LAUNCHER);
  if (!existsSync(launcher)) return { text: `cannot tell: ${LAUNCHER} is not beside this program in ${__dirname}`, ok: true };
  const run = spawnSync('sh', [launcher, '--which'], { encoding: 'utf8', timeout: LAUNCHER_TIME_LIMIT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  // Its failures are one line on stderr, prefixed with the program's name, as the handler's are.
  const said = `${run.stdout ?? ''}\n${run.stderr ?? ''}`.split('\n').map((l) => l.replace(`${BIN}: `, '').trim()).filter(Boolean).join(' ');
  if (run.error) return { text: `${LAUNCHER} --which did not run: ${run.error.message}`, ok: false };
  return { text: said || `${LAUNCHER} --which said nothing (exit ${run.status})`, ok: run.status === 0 };
}

/** Prints the report; returns the exit code: that of the first step that failed, else 0. */
export async function doctor(config: HandlerConfig, given: ReadonlySet<string>, log: Log, options: SessionOptions): Promise<number> {
  let exitCode: number = EXIT_CODES.ok;
  line('endpoint', `${config.origin} (${endpointSource(config, given)})`);
  let session: Session | undefined;
  try {
    session = await Session.open(config, log, options);
    const { source, skipped } = session.credentials;
    line('credentials', `${source}${given.has('profile') && source.includes('KooCLI profile') ? ' (--profile)' : ''}`);
    if (skipped.length > 0) line('', `skipped: ${skipped.join('; ')}`);
    const project = await session.project();
    line('project', `${project.id} (${asTyped(project.source, given)})`);
    const answer = await checkQueryAllowed(session.api, { fpgaImageId: '', imageId: '', projectId: project.id, projectSource: project.source });
    line('query', `allowed (${PERMISSIONS.query}): the associations query answered ${answer}`);
  } catch (error) {
    if (!(error instanceof HandlerError)) throw error;
    log.note(error.describe());
    exitCode = error.exitCode;
  } finally {
    session?.close();
  }
  const node = whichNode();
  line('node', node.text);
  if (!node.ok && exitCode === EXIT_CODES.ok) exitCode = EXIT_CODES.invalidInput;
  return exitCode;
}
