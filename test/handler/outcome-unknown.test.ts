import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUNDLE, envFor, FPGA_IMAGE_ID, IMAGE_ID, itNeverPrintsCredentials, lines, runHandler, seen, useEmulator } from './harness';
import { EXIT_CODES } from '../../src/contract';

/**
 * What the handler knows and says when it cannot know whether the API acted, the `list` operation
 * that finds associations to remove by hand, and a handler whose Terraform is gone.
 */

const context = useEmulator();

const MAY_HAVE_BEEN_MADE = /may have been made.*terraform apply.* again once the API answers: it confirms the association \(or makes it\); `terraform destroy` removes it either way\. /;

describe('an associate that gives up says whether the association may have been made', () => {
  it.each([
    ['the answer is lost after the API acted (reset)', { action: 'reset', takesEffect: true }, 'POST reset'],
    ['a 502 from the gateway after the API acted', { action: 'respond', status: 502, takesEffect: true }, 'POST 502'],
    ['a 503 without a throttling code', { action: 'respond', status: 503 }, 'POST 503'],
  ] as const)('%s: it may have been', async (_, fault, request) => {
    const { emu } = context;
    emu.addFaults([{ method: 'POST', path: '/association', times: -1, ...fault }]);
    const run = await runHandler(['associate'], envFor(emu, { FPGA_ASSOC_MAX_ATTEMPTS: '2' }));

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(seen(emu)).toEqual([request, request]);
    const last = lines(run).pop()!;
    expect(last).toMatch(new RegExp(`^fpga-image-association: associate FPGA image ${FPGA_IMAGE_ID} with ECS image ${IMAGE_ID} failed: gave up after 2 attempts`));
    expect(last).toContain(`The association of FPGA image ${FPGA_IMAGE_ID} with ECS image ${IMAGE_ID} may have been made`);
    expect(last).toMatch(MAY_HAVE_BEEN_MADE);
  });

  it('throttled on every attempt: it was not made, and the message says what it said before', async () => {
    const { emu } = context;
    emu.addFaults([{ method: 'POST', path: '/association', times: -1, action: 'respond', status: 429, body: { error_code: 'APIGW.0308', error_msg: 'throttled' } }]);
    const run = await runHandler(['associate'], envFor(emu, { FPGA_ASSOC_MAX_ATTEMPTS: '2' }));

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(run.stderr).not.toContain('may have been made');
    expect(lines(run).pop()).toMatch(/The API is throttling requests or is unavailable: run again later/);
    expect(emu.relations()).toEqual([]);
  });

  it('connection refused on every attempt: nothing was sent, so nothing may have been made', async () => {
    const { emu } = context;
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const run = await runHandler(['associate'], envFor(emu, { FPGA_ASSOC_ENDPOINT: `http://127.0.0.1:${port}`, FPGA_ASSOC_MAX_ATTEMPTS: '2' }));

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(run.stderr).toContain('ECONNREFUSED');
    expect(run.stderr).not.toContain('may have been made');
  });

  it('a disassociate that gives up keeps its message: destroy runs it again', async () => {
    const { emu } = context;
    emu.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
    emu.addFaults([{ method: 'DELETE', path: '/association', times: -1, action: 'reset', takesEffect: true }]);
    const run = await runHandler(['disassociate'], envFor(emu, { FPGA_ASSOC_MAX_ATTEMPTS: '2' }));

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(run.stderr).not.toContain('may have been made');
    expect(emu.relations()).toEqual([]);
  });
});

describe('list: every ECS image an FPGA image is associated with', () => {
  it('reads every page, sorted, without an ECS image ID', async () => {
    const { emu } = context;
    const imageIds = Array.from({ length: 105 }, (_, i) => `18efee75-e058-4c52-a49c-${i.toString(16).padStart(12, '0')}`);
    emu.addRelations([...imageIds].reverse().map((imageId) => ({ fpgaImageId: FPGA_IMAGE_ID, imageId })));
    emu.addRelations([{ fpgaImageId: '5'.repeat(32), imageId: IMAGE_ID }]);
    const run = await runHandler(['list'], envFor(emu, { FPGA_ASSOC_IMAGE_ID: undefined }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(run.stdout)).toEqual({ fpgaImageId: FPGA_IMAGE_ID, imageIds });
    expect(emu.requests().map((r) => r.path.replace(/^.*\?/, ''))).toEqual([
      `fpga_image_id=${FPGA_IMAGE_ID}&page=1&size=100`,
      `fpga_image_id=${FPGA_IMAGE_ID}&page=2&size=100`,
    ]);
  });

  it('an FPGA image with no association, or one the API does not know, lists none', async () => {
    const { emu } = context;
    const run = await runHandler(['list'], envFor(emu, { FPGA_ASSOC_IMAGE_ID: undefined }));
    expect(run.code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(run.stdout)).toEqual({ fpgaImageId: FPGA_IMAGE_ID, imageIds: [] });
  });

  it('still checks the inputs it needs, and names them', async () => {
    const { emu } = context;
    const run = await runHandler(['list'], envFor(emu, { FPGA_ASSOC_IMAGE_ID: undefined, FPGA_ASSOC_FPGA_IMAGE_ID: undefined }));
    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(run.stderr).toContain('FPGA_ASSOC_FPGA_IMAGE_ID is not set');
    expect(run.stderr).not.toContain('FPGA_ASSOC_IMAGE_ID is not set');
    expect(emu.requests()).toEqual([]);
  });
});

describe('a disassociate of inputs its associate refused', () => {
  it('an invalid ID or endpoint: nothing was ever sent for them, so there is nothing to remove (exit 0), and nothing is sent', async () => {
    const { emu } = context;
    for (const overrides of [{ FPGA_ASSOC_IMAGE_ID: 'NOT-A-UUID' }, { FPGA_ASSOC_ENDPOINT: 'http://ecs.example.com' }, { FPGA_ASSOC_PROJECT_ID: 'NOT-HEX' }]) {
      const run = await runHandler(['disassociate'], envFor(emu, overrides));
      expect(run.code).toBe(EXIT_CODES.ok);
      expect(lines(run)).toEqual([expect.stringMatching(/^fpga-image-association: nothing to disassociate: .*no association was made with them$/)]);
    }
    expect(emu.requests()).toEqual([]);
  });

  it('valid inputs without credentials still fail (exit 2): the association may exist, and only the credentials can remove it', async () => {
    const { emu } = context;
    const run = await runHandler(['disassociate'], envFor(emu, { HW_ACCESS_KEY: undefined, FPGA_ASSOC_IMAGE_ID: 'NOT-A-UUID' }));
    expect(run.code).toBe(EXIT_CODES.ok);
    const missing = await runHandler(['disassociate'], envFor(emu, { HW_ACCESS_KEY: undefined }));
    expect(missing.code).toBe(EXIT_CODES.invalidInput);
    expect(missing.stderr).toContain('no Huawei Cloud credentials');
    expect(emu.requests()).toEqual([]);
  });

  it('no project ID and nothing to find the project by still fails (exit 2): HW_PROJECT_ID may have given the project the association was made in', async () => {
    const { emu } = context;
    const run = await runHandler(['disassociate'], envFor(emu, { FPGA_ASSOC_PROJECT_ID: '' }));
    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(run.stderr).toContain('no project: FPGA_ASSOC_PROJECT_ID is empty');
    expect(emu.requests()).toEqual([]);
  });

  it('the associate still refuses them (exit 2)', async () => {
    const { emu } = context;
    const run = await runHandler(['associate'], envFor(emu, { FPGA_ASSOC_IMAGE_ID: 'NOT-A-UUID' }));
    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(run.stderr).toContain('invalid FPGA_ASSOC_IMAGE_ID "NOT-A-UUID"');
  });
});

describe('a handler whose Terraform is gone', () => {
  it('sends nothing more: no late associate after the user has moved on', async () => {
    const { emu } = context;
    // The first POST fails after 1 s without effect; a retry would succeed.
    emu.addFaults([{ method: 'POST', path: '/association', action: 'respond', status: 503, delayMs: 1000 }]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-orphan-'));
    const output = path.join(dir, 'handler.log');
    try {
      // The shell stands in for Terraform: it starts the handler (output to a file, which stays
      // writable) and is gone 0.5 s later, while the first attempt is still waiting for its answer.
      const env = Object.fromEntries(Object.entries(envFor(emu)).filter((e): e is [string, string] => e[1] !== undefined));
      const shell = spawn('/bin/sh', ['-c', `"${process.execPath}" "${BUNDLE}" associate >"${output}" 2>&1 & sleep 0.5`], { env, stdio: 'ignore' });
      await new Promise((resolve) => shell.on('close', resolve));
      for (const deadline = Date.now() + 10_000; !/failed/.test(fs.readFileSync(output, 'utf8')) && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      expect(seen(emu)).toEqual(['POST 503']);
      expect(fs.readFileSync(output, 'utf8')).toContain('the Terraform run that started this handler has ended, so nothing more is sent');
      expect(emu.relations()).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

itNeverPrintsCredentials();
