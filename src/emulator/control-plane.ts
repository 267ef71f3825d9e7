import type { FaultRule, RateLimit } from './faults';
import type { ImagesSpec, Relation } from './fpga-api';
import type { Reply } from './http-io';
import { checkKeys, field } from './json-input';
import type { EmulatorAgency, EmulatorMetadata, EmulatorProject } from './options';
import type { FpgaApiEmulator } from './server';

/**
 * The emulator's in-process controls over HTTP, unsigned, under /_emulator/, so a test or the demo
 * can drive an emulator running in another process. JSON in and out.
 */

export const CONTROL_PREFIX = '/_emulator/';

type Controls = Pick<
  FpgaApiEmulator,
  | 'state'
  | 'requests'
  | 'addImages'
  | 'addRelations'
  | 'addFaults'
  | 'clearFaults'
  | 'setRateLimit'
  | 'setClockOffset'
  | 'setProjects'
  | 'setAgencies'
  | 'setMetadata'
  | 'setTemporaryCredentialTtl'
  | 'reset'
>;

/** `METHOD name` → what it does with the parsed body; a returned object is the 200 body, nothing means 204. */
const ROUTES: Readonly<Record<string, (controls: Controls, input: unknown) => object | void>> = {
  'GET state': (controls) => controls.state(),
  'GET requests': (controls) => ({ requests: controls.requests() }),
  'POST images': (controls, input) => controls.addImages(input as ImagesSpec),
  'POST relations': (controls, input) => {
    checkKeys(input, ['relations'], 'body');
    controls.addRelations(field(input, 'relations') as Relation[]);
  },
  'POST faults': (controls, input) => {
    checkKeys(input, ['faults'], 'body');
    controls.addFaults(field(input, 'faults') as FaultRule[]);
  },
  'DELETE faults': (controls) => controls.clearFaults(),
  'PUT rate-limit': (controls, input) => controls.setRateLimit(input === null ? undefined : (input as RateLimit)),
  'PUT clock': (controls, input) => {
    checkKeys(input, ['offsetMs'], 'body');
    controls.setClockOffset(field(input, 'offsetMs') as number);
  },
  'PUT projects': (controls, input) => {
    checkKeys(input, ['projects'], 'body');
    controls.setProjects(field(input, 'projects') as EmulatorProject[]);
  },
  'PUT agencies': (controls, input) => {
    checkKeys(input, ['agencies'], 'body');
    controls.setAgencies(field(input, 'agencies') as EmulatorAgency[]);
  },
  'PUT metadata': (controls, input) => controls.setMetadata(input as EmulatorMetadata),
  'PUT temporary-credentials': (controls, input) => {
    const ttlMs = field(input, 'ttlMs');
    if (ttlMs === undefined) throw new Error('invalid body: expected {"ttlMs": <milliseconds>}, or {"ttlMs": null} to remove the cap');
    checkKeys(input, ['ttlMs'], 'body');
    controls.setTemporaryCredentialTtl(ttlMs === null ? undefined : (ttlMs as number));
  },
  'POST reset': (controls) => controls.reset(),
};

const ROUTE_LIST = Object.keys(ROUTES)
  .map((route) => route.replace(' ', ` ${CONTROL_PREFIX}`))
  .join(', ');

/** `target` starts with CONTROL_PREFIX. */
export function controlReply(controls: Controls, method: string, target: string, body: Buffer): Reply {
  const name = target.slice(CONTROL_PREFIX.length).split('?')[0];
  const route = ROUTES[`${method} ${name}`];
  if (!route) {
    const known = Object.keys(ROUTES).some((key) => key.endsWith(` ${name}`));
    const error = known ? `${method} is not supported on ${CONTROL_PREFIX}${name}` : `unknown control route ${CONTROL_PREFIX}${name}`;
    return { status: known ? 405 : 404, body: { error: `${error}; the control plane has: ${ROUTE_LIST}` } };
  }
  let input: unknown;
  try {
    input = body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
  } catch {
    return { status: 400, body: { error: `the body of ${method} ${CONTROL_PREFIX}${name} is not JSON` } };
  }
  try {
    const result = route(controls, input);
    return result ? { status: 200, body: result } : { status: 204 };
  } catch (error) {
    return { status: 400, body: { error: (error as Error).message } };
  }
}
