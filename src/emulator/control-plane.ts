import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from '../rules';
import type { FaultRule, RateLimit } from './faults';
import type { ApiSnapshot, ImagesSpec, Relation } from './fpga-api';
import type { Reply } from './http-io';
import { checkKeys, field } from './json-input';
import type { EmulatorAgency, EmulatorMetadata, EmulatorProject } from './options';
import type { RequestRecord } from './request-log';

/**
 * The emulator's in-process controls over HTTP, unsigned, under /_emulator/, so a test or the demo
 * can drive an emulator running in another process. JSON in and out.
 *
 * Only for programs on this machine that were given the emulator's control token: a web page the
 * user opens can send requests to loopback too, and with DNS rebinding read the answers (temporary
 * credentials included). So a request must name a loopback Host, carry no Origin (browsers add it to
 * every cross-site request they allow), send its body as JSON (which a page cannot without a
 * preflight) and carry the token from the ready line.
 */

export const CONTROL_PREFIX = '/_emulator/';
/** The header that carries the control token. */
export const CONTROL_TOKEN_HEADER = 'x-emulator-control-token';

/** What the control plane drives: the emulator (./server). */
export interface Controls {
  state(): ApiSnapshot & { readonly projectId: string };
  requests(): RequestRecord[];
  addImages(spec: ImagesSpec): void;
  addRelations(relations: readonly Relation[]): void;
  addFaults(rules: readonly FaultRule[]): void;
  clearFaults(): void;
  setRateLimit(limit: RateLimit | undefined): void;
  setClockOffset(ms: number): void;
  setProjects(projects: readonly EmulatorProject[]): void;
  setAgencies(agencies: readonly EmulatorAgency[]): void;
  setMetadata(settings: EmulatorMetadata): void;
  setTemporaryCredentialTtl(ms: number | undefined): void;
  reset(): void;
}

/** A request to the control plane: `target` starts with CONTROL_PREFIX. */
export interface ControlRequest {
  readonly method: string;
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

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

/** Why a request may not use the control plane, as the reply to send; undefined when it may. */
function refusal(request: ControlRequest, token: string): Reply | undefined {
  const { headers } = request;
  const refuse = (status: number, error: string): Reply => ({ status, body: { error } });
  if (headers.origin !== undefined) {
    return refuse(403, `a request with an Origin header (${JSON.stringify(headers.origin)}) comes from a web page: the control plane answers only programs on this machine`);
  }
  if (!isLoopbackHost(hostOf(headers.host))) {
    return refuse(403, `Host ${JSON.stringify(headers.host ?? '')} is not a loopback host: the control plane answers only requests addressed to 127.0.0.1, localhost or [::1]`);
  }
  const given = Buffer.from(String(headers[CONTROL_TOKEN_HEADER] ?? ''));
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return refuse(401, `missing or wrong ${CONTROL_TOKEN_HEADER}: send the controlToken of the emulator's ready line (EmulatorControl does)`);
  }
  const type = headers['content-type']?.split(';')[0].trim().toLowerCase();
  if (request.body.length > 0 && type !== 'application/json') {
    return refuse(415, `a body must be sent as Content-Type: application/json (got ${JSON.stringify(headers['content-type'] ?? 'none')})`);
  }
  return undefined;
}

/** The hostname of a Host header (`127.0.0.1:8080`, `[::1]:8080`); '' when it has none. */
function hostOf(host: string | undefined): string {
  try {
    return new URL(`http://${host ?? ''}`).hostname;
  } catch {
    return '';
  }
}

/** The reply to a control request, once it has passed the guard of `token` (see the top of this file). */
export function controlReply(controls: Controls, request: ControlRequest, token: string): Reply {
  const refused = refusal(request, token);
  if (refused) return refused;
  const { method, target, body } = request;
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
