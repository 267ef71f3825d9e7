import type { Credentials } from './config';
import { AuthError, describeFault, readFault, type ApiResponse } from './errors';
import { Route, type Proxy } from './proxy';
import type { AttemptSettings, RetryPolicy } from './retry';
import { signedHeaders, type OutgoingRequest } from './sign-request';

/**
 * The one HTTP client: Node's own http/https with a keep-alive agent (undici's parser is
 * WebAssembly, whose compile and teardown cost more than a whole run of this program), directly or
 * through a proxy (see ./proxy). Each attempt is signed afresh, bounded by its own timeout, and
 * retried by the RetryPolicy.
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

export class ApiClient {
  private readonly route: Route;

  public constructor(
    private readonly origin: string,
    private readonly credentials: Credentials,
    private readonly retry: RetryPolicy,
    proxy?: Proxy,
  ) {
    this.route = new Route(new URL(origin), proxy);
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

  /** Closes kept-alive connections so that the process can exit. */
  public close(): void {
    this.route.close();
  }

  private authHint(status: number, permission: string): string {
    const token = this.credentials.securityToken ? '; a temporary security token may have expired' : '';
    return status === 403
      ? `The credentials (${this.credentials.source}) are not allowed to do this: grant their user the IAM action ${permission} in this project${token}`
      : `Check the access key and secret key (${this.credentials.source}) and the project ID${token}. `
        + 'Not retried: Huawei Cloud locks an access key for 5 minutes after 5 failed attempts';
  }

  /** One attempt: resolves with any HTTP response, rejects on a network failure or timeout. */
  private send(request: OutgoingRequest, settings: AttemptSettings): Promise<ApiResponse> {
    return new Promise((resolve, reject) => {
      const headers = signedHeaders(request, this.credentials, new Date(Date.now() + settings.clockOffsetMs));
      if (request.body.length > 0) headers['content-length'] = String(request.body.length);
      const req = this.route.request(request.url, { method: request.method, headers }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      });
      const timer = setTimeout(() => {
        const error = Object.assign(new Error(`no answer within ${settings.timeoutMs} ms`), { code: 'ETIMEDOUT' });
        fail(error);
        req.destroy(error);
      }, settings.timeoutMs);
      function fail(error: Error): void {
        clearTimeout(timer);
        reject(error);
      }
      req.on('error', fail);
      req.end(request.body.length > 0 ? request.body : undefined);
    });
  }
}
