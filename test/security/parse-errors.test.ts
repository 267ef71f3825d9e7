/**
 * Finding 1 of the security review (docs/RELIABILITY.md): JSON.parse's message quotes the text
 * around the error, so a malformed KooCLI profile printed part of its secret key. Every document the
 * handler reads is now described by position and field, never quoted: a profile, the metadata
 * service's answer, IAM's assume-role answer. The secrets here are declared, so the harness's scan
 * fails a run that prints any 8 characters of one.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { secret } from './secret-scan';
import { EXIT_CODES } from '../../src/contract';
import { DEMO_AGENCY, DEMO_REGION } from '../../src/emulator/server';
import { envFor, lines, runHandler, useEmulator } from '../handler/harness';

const context = useEmulator();
const SECRET = secret(`Sup3rS3cret${randomBytes(15).toString('hex')}`);
/** Where the secret starts in `text`, as the line says it: `line 1, column N`. */
const columnOf = (text: string) => `line 1, column ${text.indexOf(SECRET) + 1}`;

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'fpga-parse-errors-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

test('a malformed KooCLI profile: its position and field, never its content', async () => {
  const file = path.join(scratch, 'config.json');
  const content = `{"current":"deploy","profiles":[{"name":"deploy","accessKeyId":"AKEXAMPLE","secretAccessKey":${SECRET}}]}`;
  writeFileSync(file, content);
  const run = await runHandler(['associate'], envFor(context.emu, { HW_ACCESS_KEY: undefined, HW_SECRET_KEY: undefined, HW_SHARED_CONFIG_FILE: file }));
  expect(run.code).toBe(EXIT_CODES.invalidInput);
  expect(lines(run)).toEqual([expect.stringContaining(
    `the KooCLI profile file ${file} (HW_SHARED_CONFIG_FILE) is not valid JSON at ${columnOf(content)} (in profiles[0].secretAccessKey)`,
  )]);
  expect(context.emu.requests()).toEqual([]);
});

describe("the metadata service's answer", () => {
  const body = `{"credential":{"access":"MDACCESSKEY","secret":${SECRET},"securitytoken":"t","expires_at":"2099-01-01T00:00:00Z"}}`;
  const env = () => envFor(context.emu, { HW_ACCESS_KEY: undefined, HW_SECRET_KEY: undefined, FPGA_ASSOC_METADATA_ENDPOINT: context.emu.url });

  test.each([200, 500])('malformed, with HTTP %i', async (status) => {
    context.emu.addFaults([{ method: 'GET', path: '/openstack/latest/securitykey', status, body }]);
    const run = await runHandler(['associate'], env());
    expect(run.code).toBe(EXIT_CODES.invalidInput);
    const described = status === 200 ? 'a body that is not valid JSON' : 'HTTP 500: response body: not valid JSON';
    expect(lines(run)).toEqual([expect.stringContaining(`answered GET /openstack/latest/securitykey with ${described} at ${columnOf(body)} (in credential.secret)`)]);
  });
});

test("IAM's assume-role answer, malformed: position and field", async () => {
  const body = `{"credential":{"access":"ASACCESSKEY","secret":${SECRET}}`;
  context.emu.addFaults([{ method: 'POST', path: '/v3.0/OS-CREDENTIAL/securitytokens', status: 400, body }]);
  const run = await runHandler(['associate'], envFor(context.emu, {
    FPGA_ASSOC_REGION: DEMO_REGION,
    HW_AUTH_URL: `${context.emu.url}/v3`,
    FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME: DEMO_AGENCY.agencyName,
    FPGA_ASSOC_ASSUME_ROLE_DOMAIN_NAME: DEMO_AGENCY.domainName,
  }));
  expect(run.code).toBe(EXIT_CODES.rejected);
  expect(lines(run)).toEqual([expect.stringContaining(`failed: HTTP 400: response body: not valid JSON at ${columnOf(body)} (in credential.secret)`)]);
});
