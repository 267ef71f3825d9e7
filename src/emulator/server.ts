import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { KnownCredential, verifySignature } from './auth';
import { CONTROL_PREFIX, controlReply, type Controls } from './control-plane';
import { ecsError, gatewayError } from './error-bodies';
import { FaultInjector, FaultRule, RateLimit, TokenBucket } from './faults';
import { ApiSnapshot, FpgaApi, ImagesSpec, Relation } from './fpga-api';
import { readBody, Reply, writeReply } from './http-io';
import { IAM_PATH, IamApi, IamHandler } from './iam';
import { METADATA_PATH, MetadataService } from './metadata';
import { EmulatorAgency, EmulatorMetadata, EmulatorOptions, EmulatorProject, checkLifetime, ResolvedOptions, resolveOptions } from './options';
import { OpenRecord, RequestLog, RequestRecord, ServiceName } from './request-log';
import { TemporaryCredentials } from './temporary-credentials';

export { DEMO_AGENCY, DEMO_CREDENTIALS, DEMO_PROJECT_ID, DEMO_REGION } from './options';
export { NO_AGENCY_MESSAGE } from './metadata';
export type { EmulatorAgency, EmulatorCredentials, EmulatorMetadata, EmulatorOptions, EmulatorProject, EmulatorTls } from './options';
export type { FaultAction, FaultRule, RateLimit } from './faults';
export type { ImagesSpec, Relation, Visibility } from './fpga-api';
export type { RequestRecord, ServiceName } from './request-log';
export type { CredentialBody } from './temporary-credentials';

/** What GET /_emulator/state returns; without projectId it is also a valid seed file. */
export interface EmulatorState extends ApiSnapshot {
  readonly projectId: string;
}

/**
 * A loopback HTTP (or, with a certificate, HTTPS) server standing in for three Huawei Cloud services on one port: the ECS
 * FPGA-image API, the IAM calls a credential chain needs, and an ECS's metadata service. The gateway part (faults,
 * throttling, routing, AK/SK verification) lives here; each service's rules live in its own module.
 */
export class FpgaApiEmulator implements Controls {
  static async start(options: EmulatorOptions = {}): Promise<FpgaApiEmulator> {
    const resolved = resolveOptions(options);
    const server: Server = resolved.tls ? createTlsServer({ cert: resolved.tls.cert, key: resolved.tls.key }) : createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new Error(`the emulator cannot listen on ${resolved.host}:${resolved.port}: ${error.message}`)));
      server.listen(resolved.port, resolved.host, resolve);
    });
    return new FpgaApiEmulator(server, resolved);
  }

  /** `http://127.0.0.1:PORT` (`https://` with a certificate), no trailing slash. */
  readonly url: string;
  /** The secret a control-plane request must carry (./control-plane): random, new for each emulator. */
  readonly controlToken = randomBytes(24).toString('hex');
  private readonly api: FpgaApi;
  private readonly iam: IamApi;
  private readonly metadata: MetadataService;
  private readonly temporary: TemporaryCredentials;
  /** The configured credentials, by access key; each acts for itself in an agency's trust list. */
  private readonly configured: ReadonlyMap<string, KnownCredential>;
  private readonly faults = new FaultInjector();
  private readonly log = new RequestLog();
  private rateLimit: TokenBucket | undefined;
  private clockOffsetMs = 0;
  /** Aborted by stop(), so pending delays end instead of holding the process open. */
  private readonly stopping = new AbortController();
  private stopped: Promise<void> | undefined;
  /** With TLS, the TCP socket under each TLS socket, by the client's address and port: a `reset` fault resets the TCP one. */
  private readonly tcpSockets = new Map<string, Socket>();

  private constructor(
    private readonly server: Server,
    private readonly options: ResolvedOptions,
  ) {
    const { address, port } = server.address() as AddressInfo;
    this.url = `${options.tls ? 'https' : 'http'}://${address.includes(':') ? `[${address}]` : address}:${port}`;
    if (options.tls) {
      server.on('connection', (socket: Socket) => {
        const key = clientKey(socket);
        this.tcpSockets.set(key, socket);
        socket.once('close', () => this.tcpSockets.delete(key));
      });
    }
    this.api = new FpgaApi({ projectId: options.projectId, strictImages: options.strictImages, now: () => this.now() });
    this.temporary = new TemporaryCredentials(() => this.now(), options.temporaryCredentialTtlMs);
    this.iam = new IamApi(this.temporary, options.projects, options.agencies);
    this.metadata = new MetadataService(this.temporary, () => this.now(), options.metadata);
    this.configured = new Map(options.credentials.map((credential) => [credential.accessKey, { ...credential, principal: credential.accessKey }]));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res));
  }

  /** Closes the server and destroys every open socket, hung ones included. Safe to call twice. */
  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopping.abort();
      this.stopped = new Promise((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
    }
    return this.stopped;
  }

  state(): EmulatorState {
    return { projectId: this.options.projectId, ...this.api.snapshot() };
  }

  relations(): Relation[] {
    return this.api.relations();
  }

  /** Registers images, or updates them (visibility, name) if they exist. */
  addImages(spec: ImagesSpec): void {
    this.api.addImages(spec);
  }

  addRelations(relations: readonly Relation[]): void {
    this.api.addRelations(relations);
  }

  /** Rules are tried in the order added; the first armed match handles the request. */
  addFaults(rules: readonly FaultRule[]): void {
    this.faults.add(rules);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** A token bucket over API requests; undefined removes it. */
  setRateLimit(limit: RateLimit | undefined): void {
    this.rateLimit = limit === undefined ? undefined : new TokenBucket(limit);
  }

  /** The emulator's clock = real clock + offset: it checks X-Sdk-Date against it and shows it in Date. */
  setClockOffset(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new Error(`invalid clock offset ${String(ms)}: expected a number of milliseconds`);
    this.clockOffsetMs = ms;
  }

  /** Requests to the three services (never the control plane), in arrival order. */
  requests(): RequestRecord[] {
    return this.log.list();
  }

  /** What IAM's GET /v3/projects lists from now on. */
  setProjects(projects: readonly EmulatorProject[]): void {
    this.iam.setProjects(projects);
  }

  /** The agencies IAM lets callers assume from now on. */
  setAgencies(agencies: readonly EmulatorAgency[]): void {
    this.iam.setAgencies(agencies);
  }

  /** Changes the given metadata settings; the next securitykey hands out a new credential. */
  setMetadata(settings: EmulatorMetadata): void {
    this.metadata.configure(settings);
  }

  /** Caps the life of every temporary credential handed out from now on; undefined removes the cap. */
  setTemporaryCredentialTtl(ms: number | undefined): void {
    this.temporary.setTtlCap(checkLifetime(ms, 'temporary credential ttlMs'));
    this.metadata.forgetCredential();
  }

  /**
   * Back to a fresh start: no relations, images, faults, rate limit, clock offset, request log or
   * temporary credentials; projects, agencies and the metadata settings as the emulator started.
   */
  reset(): void {
    this.api.clear();
    this.faults.clear();
    this.rateLimit = undefined;
    this.clockOffsetMs = 0;
    this.log.clear();
    this.temporary.clear();
    this.temporary.setTtlCap(this.options.temporaryCredentialTtlMs);
    this.iam.setProjects(this.options.projects);
    this.iam.setAgencies(this.options.agencies);
    this.metadata.reset(this.options.metadata);
  }

  private now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomBytes(16).toString('hex');
    res.setHeader('X-Request-Id', requestId);
    const target = req.url ?? '/';
    try {
      if (target.startsWith(CONTROL_PREFIX)) {
        const body = await readBody(req);
        this.send(res, body === undefined
          ? { status: 413, body: { error: 'control request body too large' } }
          : controlReply(this, { method: req.method ?? '', target, headers: req.headers, body }, this.controlToken));
      } else {
        await this.handleApi(req, res, target, requestId);
      }
    } catch (error) {
      // Also reached when stop() or the client cut a request off; writeReply skips dead sockets.
      this.send(res, { status: 500, body: ecsError('Common.0001', `emulator internal error: ${(error as Error).message}`) });
    }
  }

  /** Gateway order: faults, body limit, throttling, routing, authentication; then the API itself. */
  private async handleApi(req: IncomingMessage, res: ServerResponse, target: string, requestId: string): Promise<void> {
    const record = this.log.open({ service: serviceOf(target), method: req.method ?? '', path: target, at: this.now(), requestId });
    const body = await readBody(req);
    const fault = this.faults.take(record.method, target);
    const action = fault && (fault.action ?? 'respond');
    if (action) record.fault = action;
    // The API acts now; what the client hears (if anything) is up to the fault.
    const effect = fault?.takesEffect ? this.answer(req, target, body, record) : undefined;
    if (effect) record.effect = effect.status;
    if (fault?.delayMs && !(await this.pause(fault.delayMs))) return;

    let reply: Reply | undefined;
    if (action === 'reset') (this.tcpSockets.get(clientKey(req.socket)) ?? req.socket).resetAndDestroy();
    else if (action === 'respond') reply = { status: fault!.status!, body: fault!.body, headers: fault!.headers };
    // A hung request gets no reply; stop() destroys its socket.
    else if (action !== 'hang') reply = effect ?? this.answer(req, target, body, record);
    if (reply) {
      record.status = reply.status;
      this.send(res, reply);
    }
    this.options.onRequest?.({ ...record });
  }

  private answer(req: IncomingMessage, target: string, body: Buffer | undefined, record: OpenRecord): Reply {
    const { requestId } = record;
    if (body === undefined) {
      return { status: 413, body: gatewayError('APIGW.0201', 'Request entity too large: the body is over 12 MB', requestId), headers: { Connection: 'close' } };
    }
    const url = parseTarget(target);
    // The metadata service sits on the server itself, not behind the API gateway: no throttling, no signature.
    if (record.service === 'metadata') return this.metadata.answer(record.method, url?.pathname ?? target, req.headers);
    if (this.rateLimit && !this.rateLimit.take()) {
      record.fault = 'rate-limit';
      const message = `The throttling threshold has been reached: policy user over ratelimit,limit:${this.rateLimit.limit.requestsPerSecond},time:1 second`;
      return { status: 429, body: gatewayError('APIGW.0308', message, requestId) };
    }
    const handler = url ? this.route(record.service, record.method, url.pathname) : undefined;
    if (!url || !handler) {
      const message = `The API does not exist or has not been published in the environment (${record.method} ${url?.pathname ?? target})`;
      return { status: 404, body: gatewayError('APIGW.0101', message, requestId) };
    }
    const verification = verifySignature(
      { method: record.method, target, headers: req.headers, body },
      (accessKey) => this.configured.get(accessKey) ?? this.temporary.find(accessKey),
      { now: this.now(), maxClockSkewMs: this.options.maxClockSkewMs },
    );
    if ('refusal' in verification) {
      return { status: 401, body: gatewayError('APIGW.0301', `Incorrect IAM authentication information: ${verification.refusal}`, requestId) };
    }
    const origin = `${this.options.tls ? 'https' : 'http'}://${req.headers.host ?? new URL(this.url).host}`;
    return handler({ query: url.searchParams, body, caller: verification.caller, origin });
  }

  /** ECS handlers need only the query and the body; IAM's also the caller and the origin. */
  private route(service: Exclude<ServiceName, 'metadata'>, method: string, pathname: string): IamHandler | undefined {
    if (service === 'iam') return this.iam.route(method, pathname);
    const ecs = this.api.route(method, pathname);
    return ecs && (({ query, body }) => ecs(query, body));
  }

  /** Dated when sent, so a delayed answer shows the emulator's clock at that moment. */
  private send(res: ServerResponse, reply: Reply): void {
    writeReply(res, { ...reply, headers: { Date: new Date(this.now()).toUTCString(), ...reply.headers } });
  }

  /** False when stop() cut the wait short. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.stopping.signal });
      return true;
    } catch {
      return false;
    }
  }
}

/** By path alone, so that a faulted or throttled request is logged under its service too. */
function serviceOf(target: string): ServiceName {
  if (METADATA_PATH.test(target)) return 'metadata';
  return IAM_PATH.test(target) ? 'iam' : 'ecs';
}

function clientKey(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}

/** Undefined for a request target no URL can hold (e.g. `*`). */
function parseTarget(target: string): URL | undefined {
  try {
    return new URL(`http://emulator.invalid${target}`);
  } catch {
    return undefined;
  }
}
