import { answer, signedFetch } from './signed-fetch';
import { EmulatorControl } from '../../src/emulator/process';
import { DEMO_CREDENTIALS, DEMO_PROJECT_ID, DEMO_REGION, FpgaApiEmulator } from '../../src/emulator/server';
import { associationPath } from '../../src/rules';

const FPGA = '4010a32b5f231f04015f24259efd0429';

test('defaults: loopback, an ephemeral port, the demo project and credentials', async () => {
  const emulator = await FpgaApiEmulator.start();
  try {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.state().projectId).toBe(DEMO_PROJECT_ID);
    const projects = await signedFetch(emulator.url, { method: 'GET', path: `/v3/projects?name=${DEMO_REGION}` });
    expect(projects.json.projects).toEqual([expect.objectContaining({ id: DEMO_PROJECT_ID, name: 'cn-north-1' })]);
    const result = await signedFetch(emulator.url, { method: 'GET', path: `/v1/${DEMO_PROJECT_ID}/cloudservers/fpga_image/detail`, credentials: DEMO_CREDENTIALS });
    expect(result.status).toBe(200);
  } finally {
    await emulator.stop();
  }
});

test('refuses to listen anywhere but loopback, and names bad options', async () => {
  for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
    await expect(FpgaApiEmulator.start({ host })).rejects.toThrow(`invalid EmulatorOptions.host "${host}": the emulator serves an unsigned control plane, so it listens only on a loopback host`);
  }
  await expect(FpgaApiEmulator.start({ port: 70_000 })).rejects.toThrow(/invalid EmulatorOptions.port "70000"/);
  await expect(FpgaApiEmulator.start({ projectId: 'proj' })).rejects.toThrow(/invalid EmulatorOptions.projectId "proj"/);
  await expect(FpgaApiEmulator.start({ credentials: [] })).rejects.toThrow(/at least one/);
  await expect(FpgaApiEmulator.start({ credentials: [{ accessKey: 'A B', secretKey: 's' }] })).rejects.toThrow(/credentials\[0\]\.accessKey "A B"/);
  await expect(FpgaApiEmulator.start({ credentials: [{ accessKey: 'AK', secretKey: '' }] })).rejects.toThrow(/credentials\[0\]\.secretKey: expected a non-empty/);
  await expect(FpgaApiEmulator.start({ credentials: [DEMO_CREDENTIALS, DEMO_CREDENTIALS] })).rejects.toThrow(/listed twice/);
  await expect(FpgaApiEmulator.start({ maxClockSkewMs: -1 })).rejects.toThrow(/maxClockSkewMs/);
  await expect(FpgaApiEmulator.start({ projects: [{ id: DEMO_PROJECT_ID, name: '' }] })).rejects.toThrow(/invalid EmulatorOptions.projects\[0\]\.name/);
  await expect(FpgaApiEmulator.start({ agencies: [{ agencyName: 'a', domainName: 'd', domainId: 'D' }] })).rejects.toThrow(/invalid EmulatorOptions.agencies\[0\]\.domainId "D"/);
});

test('a port in use is reported; localhost is accepted; stop() is idempotent and closes the port', async () => {
  const first = await FpgaApiEmulator.start({ host: 'localhost', projectId: 'ffffffffffffffffffffffffffffffff' });
  const port = Number(new URL(first.url).port);
  const second = FpgaApiEmulator.start({ host: new URL(first.url).hostname.replace(/^\[|\]$/g, ''), port });
  await expect(second).rejects.toThrow(/the emulator cannot listen on .*EADDRINUSE/);
  expect(first.state().projectId).toBe('ffffffffffffffffffffffffffffffff');
  await first.stop();
  await first.stop();
  await expect(new EmulatorControl(first).state()).rejects.toThrow();
});

test('a body over 12 MB gets the gateway\'s 413', async () => {
  const emulator = await FpgaApiEmulator.start();
  try {
    const body = 'x'.repeat(12 * 1024 * 1024 + 1);
    const result = await answer(await fetch(`${emulator.url}${associationPath(DEMO_PROJECT_ID, FPGA)}`, { method: 'POST', body }));
    expect(result.status).toBe(413);
    expect(result.json).toEqual({ error_code: 'APIGW.0201', error_msg: expect.stringMatching(/too large/), request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
  } finally {
    await emulator.stop();
  }
});

test('onRequest sees each API request once its outcome is known', async () => {
  const seen: string[] = [];
  const emulator = await FpgaApiEmulator.start({ onRequest: (r) => seen.push(`${r.method} ${r.status}`) });
  try {
    await answer(await fetch(`${emulator.url}/nope`));
    await new EmulatorControl(emulator).state();
    expect(seen).toEqual(['GET 404']);
  } finally {
    await emulator.stop();
  }
});
