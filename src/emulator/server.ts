import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifySignature } from './auth';
import { CONTROL_PREFIX, controlReply } from './control-plane';
import { ecsError, gatewayError } from './error-bodies';
import { FaultInjector, FaultRule, RateLimit, TokenBucket } from './faults';
import { ApiSnapshot, FpgaApi, ImagesSpec, Relation } from './fpga-api';
import { readBody, Reply, writeReply } from './http-io';
import { EmulatorOptions, ResolvedOptions, resolveOptions } from './options';
import { OpenRecord, RequestLog, RequestRecord } from './request-log';

export { DEMO_CREDENTIALS, DEMO_PROJECT_ID } from './options';
export type { EmulatorCredentials, EmulatorOptions, EmulatorTls } from './options';
export type { FaultAction, FaultRule, RateLimit } from './faults';
export type { ImagesSpec, Relation, Visibility } from './fpga-api';
export type { RequestRecord } from './request-log';

/** What GET /_emulator/state returns; without projectId it is also a valid seed file. */
export interface EmulatorState extends ApiSnapshot {
  readonly projectId: string;
}

/**
 * A loopback HTTP (or, with a certificate, HTTPS) server standing in for the Huawei Cloud ECS FPGA-image API: the gateway part
 * (faults, throttling, routing, AK/SK verification) lives here, the API's rules in FpgaApi.
 */
export class FpgaApiEmulator {
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
  private readonly api: FpgaApi;
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

  /** API requests only, in arrival order. */
  requests(): RequestRecord[] {
    return this.log.list();
  }

  /** Back to a fresh start: no relations, images, faults, rate limit, clock offset or request log. */
  reset(): void {
    this.api.clear();
    this.faults.clear();
    this.rateLimit = undefined;
    this.clockOffsetMs = 0;
    this.log.clear();
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
        this.send(res, body ? controlReply(this, req.method ?? '', target, body) : { status: 413, body: { error: 'control request body too large' } });
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
    const record = this.log.open({ method: req.method ?? '', path: target, at: this.now(), requestId });
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
    if (this.rateLimit && !this.rateLimit.take()) {
      record.fault = 'rate-limit';
      const message = `The throttling threshold has been reached: policy user over ratelimit,limit:${this.rateLimit.limit.requestsPerSecond},time:1 second`;
      return { status: 429, body: gatewayError('APIGW.0308', message, requestId) };
    }
    const url = parseTarget(target);
    const handler = url ? this.api.route(record.method, url.pathname) : undefined;
    if (!url || !handler) {
      const message = `The API does not exist or has not been published in the environment (${record.method} ${url?.pathname ?? target})`;
      return { status: 404, body: gatewayError('APIGW.0101', message, requestId) };
    }
    const authError = verifySignature(
      { method: record.method, target, headers: req.headers, body },
      this.options.credentials,
      { now: this.now(), maxClockSkewMs: this.options.maxClockSkewMs },
    );
    if (authError) return { status: 401, body: gatewayError('APIGW.0301', `Incorrect IAM authentication information: ${authError}`, requestId) };
    return handler(url.searchParams, body);
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
