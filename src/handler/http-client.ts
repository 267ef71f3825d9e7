import type { Dispatcher } from 'undici';
import type { Credentials, CredentialSource } from './credentials/credentials';
import { openDispatcher } from './dispatchers';
import { AuthError, describeFault, readFault, type ApiResponse } from './errors';
import type { Proxy } from './proxy';
import type { AttemptSettings, RetryPolicy } from './retry';
import { signedHeaders, type OutgoingRequest } from './sign-request';

/**
 * The one HTTP client: undici, through one kept-alive dispatcher per origin (./dispatchers), directly
 * or through the proxy that ./proxy decided on. An HttpConnection sends one bounded exchange (the
 * metadata service's unsigned ones); an ApiClient (ECS, IAM) signs each attempt afresh, with
 * credentials valid for that attempt, and has the RetryPolicy retry it. undici's failures are told in
 * Node's network error codes, which the policy classifies.
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
  /** What to do when the API answers 403, when granting `permission` is not the whole answer. */
  readonly forbiddenHint?: string;
}

/** One exchange of an HttpConnection: the headers are sent as they are. */
export interface Exchange extends OutgoingRequest {
  readonly headers: Readonly<Record<string, string>>;
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
  /** The credentials of the last attempt, named in the hint of a 401 or 403. */
  private lastCredentials?: Credentials;

  public constructor(
    private readonly connection: HttpConnection,
    private readonly credentials: CredentialSource,
    private readonly retry: RetryPolicy,
  ) {}

  /**
   * Sends `call` with retries and returns the final response, whatever its status, except that a
   * 401 or 403 throws AuthError (never retried: Huawei Cloud locks an access key after 5 failures).
   */
  public async call(call: ApiCall): Promise<ApiResponse> {
    const request: OutgoingRequest = {
      method: call.method,
      url: new URL(call.path, this.connection.origin),
      body: Buffer.from(call.body === undefined ? '' : JSON.stringify(call.body)),
    };
    const response = await this.retry.run(call.operation, (settings) => this.attempt(request, settings));
    if (response.status === 401 || response.status === 403) {
      const fault = readFault(response);
      throw new AuthError(describeFault(fault), { operation: call.operation, fault, hint: this.authHint(response.status, call) });
    }
    return response;
  }

  /** One attempt, signed at the API's time with credentials that outlive it. */
  private async attempt(request: OutgoingRequest, settings: AttemptSettings): Promise<ApiResponse> {
    const apiNow = Date.now() + settings.clockOffsetMs;
    const credentials = await this.credentials.credentials(apiNow + settings.timeoutMs);
    this.lastCredentials = credentials;
    if (credentials.expiresAt !== undefined && credentials.expiresAt <= apiNow) {
      throw new AuthError(`the temporary credentials from ${credentials.source} expired at ${new Date(credentials.expiresAt).toISOString()}, and it gives no newer ones`, {
        hint: "Check this machine's clock; nothing is sent with expired credentials",
      });
    }
    const headers = signedHeaders(request, credentials, new Date(apiNow));
    return this.connection.send({ ...request, headers }, settings.timeoutMs);
  }

  private authHint(status: number, call: ApiCall): string {
    const source = this.lastCredentials?.source;
    const token = this.lastCredentials?.securityToken ? '; a temporary security token may have expired' : '';
    if (status === 403) return call.forbiddenHint ?? `The credentials (${source}) are not allowed to do this: grant their user the IAM action ${call.permission} in this project${token}`;
    return `Check the access key and secret key (${source}) and the project ID${token}. `
      + 'Not retried: Huawei Cloud locks an access key for 5 minutes after 5 failed attempts';
  }
}

/** One origin's kept-alive connection, opened by the first exchange. */
export class HttpConnection {
  private readonly originUrl: URL;
  /** Opened by the first exchange; dropped when one times out, so that the next one starts afresh. */
  private dispatcher?: Promise<Dispatcher>;

  public constructor(
    public readonly origin: string,
    private readonly proxy?: Proxy,
    /** Passed on to openDispatcher: the launcher's last moment to make its code cache. */
    private readonly beforeV8FlagChange?: () => void,
  ) {
    this.originUrl = new URL(origin);
  }

  /** Closes kept-alive connections, and any tunnel being opened, so that the process can exit. */
  public close(): void {
    void this.dispatcher?.then((dispatcher) => dispatcher.destroy());
    this.dispatcher = undefined;
  }

  /**
   * One exchange: resolves with any HTTP response, rejects on a network failure or when it is not
   * over within `timeoutMs`. undici sends Content-Length with every body, DELETE's included, and
   * nothing else beyond `headers`.
   */
  public async send(request: Exchange, timeoutMs: number): Promise<ApiResponse> {
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
        settle(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
        // Whatever the attempt waits for (a connection, a tunnel, headers, the body), closing the dispatcher ends it.
        if (this.dispatcher === opened) this.dispatcher = undefined;
        void dispatcher.destroy();
      }, timeoutMs);
      dispatcher.dispatch({
        origin: this.origin,
        method: request.method,
        path: `${request.url.pathname}${request.url.search}`,
        headers: request.headers,
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
