/**
 * A loopback npm registry: a node:http server on 127.0.0.1 serving tarballs at npm's address,
 * `/<name>/-/<name>-<version>.tgz`, and counting what it sent. It can also serve a corrupted copy, or stop
 * answering, as a mirror that is down (nothing listens on its port) or hung (connections accepted, never answered).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { integrityOf, PinnedTarball } from './pinned-node';

/**
 * 'serve': the real bytes. 'corrupt': the same length with one byte changed. 'closed': nothing listens on the
 * port (connections are refused). 'silent': connections are accepted and requests never answered.
 */
export type RegistryMode = 'serve' | 'corrupt' | 'closed' | 'silent';

export interface NpmRegistry {
  /** `http://127.0.0.1:<port>/`, for `npm_config_registry` (with npm's trailing slash); the same in every mode. */
  readonly url: string;
  /** The address of `tarball` on this registry. */
  tarballUrl(tarball: PinnedTarball): string;
  /** Tarballs sent so far, good or corrupt: of the package `name`, or of all. */
  downloads(name?: string): number;
  /** The integrity of what 'corrupt' sends for `tarball` (what a verifier would compute). */
  corruptIntegrity(tarball: PinnedTarball): string;
  setMode(mode: RegistryMode): Promise<void>;
  stop(): Promise<void>;
}

export async function startNpmRegistry(tarballs: readonly PinnedTarball[], mode: RegistryMode = 'serve'): Promise<NpmRegistry> {
  const address = (t: PinnedTarball) => `/${t.name}/-/${t.name}-${t.version}.tgz`;
  const byAddress = new Map(tarballs.map((t) => [address(t), t]));
  const corrupted = new Map<PinnedTarball, Buffer>();
  const corrupt = (t: PinnedTarball): Buffer => {
    if (!corrupted.has(t)) {
      const bytes = fs.readFileSync(t.file);
      const middle = Math.floor(bytes.length / 2);
      bytes[middle] = 255 - bytes[middle];
      corrupted.set(t, bytes);
    }
    return corrupted.get(t)!;
  };
  const sent: string[] = [];
  let current = mode;

  const server = http.createServer((req, res) => {
    if (current === 'silent') return;
    const tarball = req.method === 'GET' ? byAddress.get(req.url ?? '') : undefined;
    if (!tarball) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(`{"error":"Not found: ${req.method} ${req.url}"}`);
      return;
    }
    sent.push(tarball.name);
    if (current === 'corrupt') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(corrupt(tarball));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': fs.statSync(tarball.file).size });
    fs.createReadStream(tarball.file).pipe(res);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      sockets.forEach((s) => s.destroy());
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;
  if (mode === 'closed') await close();
  const url = `http://127.0.0.1:${port}/`;

  return {
    url,
    tarballUrl: (t) => `${url}${address(t).slice(1)}`,
    downloads: (name) => sent.filter((n) => name === undefined || n === name).length,
    corruptIntegrity: (t) => integrityOf(corrupt(t)),
    async setMode(next) {
      // A hung request ends with the mode that hung it, as a mirror's would when it comes back.
      if (current === 'silent') sockets.forEach((s) => s.destroy());
      current = next;
      if (next === 'closed') await close();
      else if (!server.listening) await listen(port);
    },
    stop: close,
  };
}
