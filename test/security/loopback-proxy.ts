/**
 * A tiny HTTP proxy on loopback for the tests: CONNECT tunnels (https origins) and absolute-form
 * requests (http origins), with optional Basic authentication. It records what it was asked, so a
 * test can prove that traffic went through it, or that it did not.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  readonly method: string;
  /** `host:port` for CONNECT, the absolute URL otherwise. */
  readonly target: string;
  readonly proxyAuthorization?: string;
}

export interface LoopbackProxyOptions {
  /** `user:password` that Proxy-Authorization must carry; without it, no authentication. */
  readonly credentials?: string;
  /** Where to connect for a requested host (the tests name hosts that only this proxy can resolve). */
  readonly resolve?: (host: string) => string;
}

export class LoopbackProxy {
  static async start(options: LoopbackProxyOptions = {}): Promise<LoopbackProxy> {
    const proxy = new LoopbackProxy(options);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  readonly seen: ProxiedRequest[] = [];
  private readonly server = http.createServer();
  private readonly tunnels = new Set<net.Socket>();

  private constructor(private readonly options: LoopbackProxyOptions) {
    this.server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => this.tunnel(req, client, head));
    this.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => this.forward(req, res));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:PORT`, with `user:password@` when given. */
  url(credentials?: string): string {
    return `http://${credentials ? `${credentials}@` : ''}127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.tunnels.forEach((socket) => socket.destroy());
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private record(req: http.IncomingMessage): boolean {
    const proxyAuthorization = req.headers['proxy-authorization'];
    this.seen.push({ method: req.method ?? '', target: req.url ?? '', proxyAuthorization });
    const { credentials } = this.options;
    return !credentials || proxyAuthorization === `Basic ${Buffer.from(credentials).toString('base64')}`;
  }

  private tunnel(req: http.IncomingMessage, client: net.Socket, head: Buffer): void {
    if (!this.record(req)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const { hostname, port } = new URL(`http://${req.url}`);
    const upstream = net.connect(Number(port), this.resolve(hostname), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      this.tunnels.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => {
        this.tunnels.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!this.record(req)) {
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const url = new URL(req.url ?? '');
    const { 'proxy-authorization': _, ...headers } = req.headers;
    const upstream = http.request(
      { host: this.resolve(url.hostname), port: url.port, method: req.method, path: `${url.pathname}${url.search}`, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  }

  private resolve(host: string): string {
    return this.options.resolve?.(host) ?? host.replace(/^\[|\]$/g, '');
  }
}
