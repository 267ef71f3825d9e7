/**
 * What the HTTP client guarantees whatever the server does, against small servers on real loopback
 * sockets that stand where the API would: the bytes of a DELETE, the 1 MiB answer cap, an attempt
 * timeout that also bounds a body, and a process that exits as soon as its line is written.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { envFor, FPGA_IMAGE_ID, IMAGE_ID, itNeverPrintsCredentials, lines, runHandler, useEmulator } from './harness';
import { EXIT_CODES } from '../../src/contract';

const context = useEmulator();

interface RawServer {
  readonly url: string;
  readonly received: string[];
  close(): Promise<void>;
}

/** A loopback server that hands each connection to `onConnection`; records every byte it receives. */
async function rawServer(onConnection: (socket: Socket, received: () => string) => void): Promise<RawServer> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const index = received.push('') - 1;
    socket.on('data', (chunk: Buffer) => (received[index] += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket, () => received[index]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => {
      sockets.forEach((socket) => socket.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers once the whole request (headers and Content-Length bytes of body) is in. */
function whenRequestIn(socket: Socket, received: () => string, answer: () => void): void {
  const check = (): void => {
    const text = received();
    const end = text.indexOf('\r\n\r\n');
    if (end < 0) return;
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? 0);
    if (text.length - end - 4 < length) return;
    socket.off('data', check);
    answer();
  };
  socket.on('data', check);
}

const env = (url: string, overrides: Record<string, string> = {}) => envFor(context.emu, { FPGA_ASSOC_ENDPOINT: url, ...overrides });

it('a DELETE carries its JSON body with Content-Length, not chunked, and nothing but the signed headers besides', async () => {
  const server = await rawServer((socket, received) => whenRequestIn(socket, received, () => socket.end('HTTP/1.1 204 No Content\r\n\r\n')));
  try {
    const run = await runHandler(['disassociate'], env(server.url));

    expect(run.code).toBe(EXIT_CODES.ok);
    const [request] = server.received;
    const [head, body] = request.split('\r\n\r\n');
    const [requestLine, ...headerLines] = head.split('\r\n');
    expect(requestLine).toMatch(new RegExp(`^DELETE /v1/\\w+/cloudservers/fpga_image/${FPGA_IMAGE_ID}/association HTTP/1.1$`));
    expect(body).toBe(JSON.stringify({ image: { id: IMAGE_ID } }));
    const names = headerLines.map((line) => line.slice(0, line.indexOf(':')).toLowerCase()).sort();
    expect(names).toEqual(['authorization', 'connection', 'content-length', 'content-type', 'host', 'x-sdk-date']);
    expect(headerLines).toContain(`content-length: ${Buffer.byteLength(body)}`);
    expect(request).toMatch(/\r\nauthorization: SDK-HMAC-SHA256 Access=\w+, SignedHeaders=content-type;host;x-sdk-date, Signature=[0-9a-f]{64}\r\n/);
  } finally {
    await server.close();
  }
});

it('an answer over 1 MiB is cut at 1 MiB: a query document that large is not read as one', async () => {
  const entries = Array.from({ length: 20_000 }, (_, n) => ({ image_id: `${n}`.padStart(36, '0'), fpgaimages: [{ id: FPGA_IMAGE_ID }] }));
  const document = JSON.stringify({ associations: entries });
  expect(Buffer.byteLength(document)).toBeGreaterThan(1024 * 1024);
  const server = await rawServer((socket, received) => whenRequestIn(socket, received, () => {
    socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(document)}\r\n\r\n${document}`);
  }));
  try {
    const run = await runHandler(['status'], env(server.url));

    expect(run.code).toBe(EXIT_CODES.internal);
    expect(run.stderr).toContain('failed: HTTP 200 without an "associations" list');
    expect(lines(run)).toHaveLength(1);
  } finally {
    await server.close();
  }
});

it('the attempt timeout bounds the body too: an answer that trickles is cut, the next attempt succeeds', async () => {
  let connections = 0;
  const server = await rawServer((socket, received) => whenRequestIn(socket, received, () => {
    if (++connections > 1) {
      socket.end('HTTP/1.1 204 No Content\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n');
    const trickle = setInterval(() => socket.write('x'), 50);
    socket.on('close', () => clearInterval(trickle));
  }));
  try {
    const run = await runHandler(['associate'], env(server.url, { FPGA_ASSOC_ATTEMPT_TIMEOUT_MS: '500' }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(lines(run)[0]).toContain('attempt 1 of 8 got no answer within 500 ms (ETIMEDOUT); retrying in');
    expect(connections).toBe(2);
    expect(run.ms).toBeLessThan(3000);
  } finally {
    await server.close();
  }
});

it('the process exits as soon as its line is written, though the server would keep the connection for a minute', async () => {
  const server = await rawServer((socket, received) => whenRequestIn(socket, received, () => {
    socket.write('HTTP/1.1 204 No Content\r\nconnection: keep-alive\r\nkeep-alive: timeout=60\r\n\r\n');
  }));
  try {
    const run = await runHandler(['associate'], env(server.url));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(run.stderr).toContain('associated FPGA image');
    expect(run.ms).toBeLessThan(2000);
  } finally {
    await server.close();
  }
});

itNeverPrintsCredentials();
