import type { Dispatcher } from 'undici';
import type { Credentials } from './config';
import { openDispatcher } from './dispatchers';
import { AuthError, describeFault, readFault, type ApiResponse } from './errors';
import type { Proxy } from './proxy';
import type { AttemptSettings, RetryPolicy } from './retry';
import { signedHeaders, type OutgoingRequest } from './sign-request';

/**
 * The one HTTP client: undici, through one kept-alive dispatcher (./dispatchers), directly or
 * through the proxy that ./proxy decided on. Each attempt is signed afresh, bounded by its own
 * timeout, and retried by the RetryPolicy; undici's failures are told to the policy in Node's
 * network error codes, which it classifies.
 */

/** Larger answers are cut: the handler only ever reads short JSON documents and error excerpts. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface ApiCall {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path and query, relative to the endpoint. */
  readonly path: string;
  /** Sent as compact JSON, as in Huawei's examples. */
  readonly body?: object;
  /** What is being done, for messages: `disassociate FPGA image … from ECS image …`. */
  readonly operation: string;
  /** The IAM action the call needs, named when the API answers 403. */
  readonly permission: string;
}

/** undici's codes, as the network failures they are: a closed socket is a reset; its own timeouts are timeouts. */
const NETWORK_CODES: Readonly<Record<string, string>> = {
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
};

/** What undici says when the proxy refuses: a CONNECT answered with other than 200, or a 407 to a forwarded request. */
const PROXY_REFUSAL = /^Proxy (?:response \((\d{3})\) !== 200 when HTTP Tunneling|Authentication Required \((407)\))$/;

export class ApiClient {
  private readonly originUrl: URL;
  /** Opened by the first attempt; dropped when an attempt times out, so that the next one starts afresh. */
  private dispatcher?: Promise<Dispatcher>;

  public constructor(
    private readonly origin: string,
    private readonly credentials: Credentials,
    private readonly retry: RetryPolicy,
    private readonly proxy?: Proxy,
    /** Passed on to openDispatcher: the launcher's last moment to make its code cache. */
    private readonly beforeV8FlagChange?: () => void,
  ) {
    this.originUrl = new URL(origin);
  }

  /**
   * Sends `call` with retries and returns the final response, whatever its status, except that a
   * 401 or 403 throws AuthError (never retried: Huawei Cloud locks an access key after 5 failures).
   */
  public async call(call: ApiCall): Promise<ApiResponse> {
    const request: OutgoingRequest = {
      method: call.method,
      url: new URL(call.path, this.origin),
      body: Buffer.from(call.body === undefined ? '' : JSON.stringify(call.body)),
    };
    const response = await this.retry.run(call.operation, (settings) => this.send(request, settings));
    if (response.status === 401 || response.status === 403) {
      const fault = readFault(response);
      throw new AuthError(describeFault(fault), { operation: call.operation, fault, hint: this.authHint(response.status, call.permission) });
    }
    return response;
  }

  /** Closes kept-alive connections, and any tunnel being opened, so that the process can exit. */
  public close(): void {
    void this.dispatcher?.then((dispatcher) => dispatcher.destroy());
    this.dispatcher = undefined;
  }

  private authHint(status: number, permission: string): string {
    const token = this.credentials.securityToken ? '; a temporary security token may have expired' : '';
    return status === 403
      ? `The credentials (${this.credentials.source}) are not allowed to do this: grant their user the IAM action ${permission} in this project${token}`
      : `Check the access key and secret key (${this.credentials.source}) and the project ID${token}. `
        + 'Not retried: Huawei Cloud locks an access key for 5 minutes after 5 failed attempts';
  }

  /**
   * One attempt: resolves with any HTTP response, rejects on a network failure or timeout. undici
   * sends Content-Length with every body, DELETE's included, and nothing else beyond the signed headers.
   */
  private async send(request: OutgoingRequest, settings: AttemptSettings): Promise<ApiResponse> {
    const headers = signedHeaders(request, this.credentials, new Date(Date.now() + settings.clockOffsetMs));
    const opened = (this.dispatcher ??= openDispatcher(this.originUrl, this.proxy, this.beforeV8FlagChange));
    const dispatcher = await opened;
    return new Promise((resolve, reject) => {
      let status = 0;
      let responseHeaders: ApiResponse['headers'] = {};
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const timer = setTimeout(() => {
        settle(() => reject(Object.assign(new Error(`no answer within ${settings.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
        // Whatever the attempt waits for (a connection, a tunnel, headers, the body), closing the dispatcher ends it.
        if (this.dispatcher === opened) this.dispatcher = undefined;
        void dispatcher.destroy();
      }, settings.timeoutMs);
      dispatcher.dispatch({
        origin: this.origin,
        method: request.method,
        path: `${request.url.pathname}${request.url.search}`,
        headers,
        body: request.body.length > 0 ? request.body : undefined,
      }, {
        onRequestStart: () => undefined,
        onResponseStart: (_, statusCode, answerHeaders) => {
          status = statusCode;
          responseHeaders = answerHeaders;
        },
        onResponseData: (_, chunk) => {
          if (size < MAX_BODY_BYTES) chunks.push(chunk);
          size += chunk.length;
        },
        onResponseEnd: () => settle(() => resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks).toString('utf8') })),
        onResponseError: (_, error) => settle(() => reject(this.networkError(request, error))),
      });
    });
  }

  /** undici's error in the terms of Node's network errors, which the retry policy classifies; a refusing proxy is named. */
  private networkError(request: OutgoingRequest, error: Error & { code?: string }): Error {
    const refusal = PROXY_REFUSAL.exec(error.message);
    if (refusal && this.proxy) {
      const status = Number(refusal[1] ?? refusal[2]);
      const asked = this.originUrl.protocol === 'https:' ? `CONNECT ${this.originUrl.hostname}:${this.originUrl.port || 443}` : `${request.method} ${request.url.href}`;
      const reason = status === 407 ? ' Proxy Authentication Required' : '';
      return Object.assign(new Error(`the proxy ${this.proxy.origin} answered ${asked} with HTTP ${status}${reason}`), { code: 'EPROXY', cause: error });
    }
    const code = NETWORK_CODES[error.code ?? ''];
    return code ? Object.assign(new Error(error.message), { code, cause: error }) : error;
  }
}
