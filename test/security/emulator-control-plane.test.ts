/**
 * Finding 5 of the security review (docs/RELIABILITY.md): a web page could drive the emulator's
 * control plane (a `text/plain` POST, a foreign Origin or Host were accepted) and, with DNS
 * rebinding, read its state, temporary credentials included. Each request below is one a page can
 * make without a CORS preflight, or with a rebound name: none may change or read anything.
 */
import { request } from 'node:http';
import { FpgaApiEmulator } from '../../src/emulator/server';

let emulator: FpgaApiEmulator;
beforeAll(async () => {
  emulator = await FpgaApiEmulator.start();
});
afterAll(() => emulator.stop());

function send(method: string, route: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${emulator.url}/_emulator/${route}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const RELATION = { fpgaImageId: '4010a32b5f231f04015f24259efd0429', imageId: '18efee75-e058-4c52-a49c-9e3ba4d1c8de' };
const relations = JSON.stringify({ relations: [RELATION] });

test.each([
  ['a form post (text/plain)', { 'content-type': 'text/plain' }],
  ['a fetch from a page (Origin)', { 'content-type': 'application/json', 'origin': 'https://attacker.example' }],
  ['a rebound name (foreign Host)', { 'content-type': 'application/json', 'host': 'attacker.example:8080' }],
])('%s cannot change the state', async (_, headers) => {
  const { status } = await send('POST', 'relations', headers, relations);
  expect(status).toBeGreaterThanOrEqual(400);
  expect(emulator.relations()).toEqual([]);
});

test('a rebound name cannot read the state', async () => {
  emulator.addRelations([RELATION]);
  try {
    const { status, text } = await send('GET', 'state', { host: 'attacker.example:8080' });
    expect(status).toBe(403);
    expect(text).not.toContain(RELATION.imageId);
  } finally {
    emulator.reset();
  }
});

test('nor can a loopback request without the control token change anything', async () => {
  emulator.addRelations([RELATION]);
  try {
    expect((await send('POST', 'reset', {})).status).toBe(401);
    expect(emulator.relations()).toEqual([RELATION]);
  } finally {
    emulator.reset();
  }
});
