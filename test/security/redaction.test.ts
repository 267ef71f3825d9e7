/**
 * Finding 2 of the security review (docs/RELIABILITY.md): the log cut a note to 2,000 characters and
 * then redacted, and an API message was cut to 400 (80 in a retry line) before the log saw it, so a
 * long token quoted in an error survived in part. Redaction now comes before every shortening.
 */
import { randomBytes } from 'node:crypto';
import { secret } from './secret-scan';
import { EXIT_CODES } from '../../src/contract';
import { DEMO_CREDENTIALS } from '../../src/emulator/server';
import { envFor, lines, runHandler, useEmulator } from '../handler/harness';

/** 2 KB, as a federated or assumed security token can be. */
const TOKEN = `tok${randomBytes(1024).toString('hex')}`.slice(0, 2048);
const context = useEmulator({ credentials: [{ ...DEMO_CREDENTIALS, securityToken: TOKEN }] });
const env = (overrides = {}) => envFor(context.emu, { HW_SECURITY_TOKEN: TOKEN, ...overrides });
const echo = (code: string) => ({ error_code: code, error_msg: `the request carried X-Security-Token ${TOKEN}, which is not valid here` });

test('a 2 KB token quoted in a refusal: redacted before the message is cut', async () => {
  context.emu.addFaults([{ method: 'POST', status: 403, body: echo('APIGW.0302') }]);
  const run = await runHandler(['associate'], env());
  expect(run.code).toBe(EXIT_CODES.authFailed);
  expect(lines(run)).toEqual([expect.stringContaining('HTTP 403 APIGW.0302: the request carried X-Security-Token [redacted], which is not valid here')]);
});

test('… and in the retry lines, cut to 80 characters, and the line that gives up', async () => {
  context.emu.addFaults([{ method: 'POST', status: 503, times: 2, body: echo('Common.1503') }]);
  const run = await runHandler(['associate'], env({ FPGA_ASSOC_MAX_ATTEMPTS: '2' }));
  expect(run.code).toBe(EXIT_CODES.gaveUp);
  expect(lines(run)).toEqual([
    expect.stringContaining('attempt 1 of 2 got HTTP 503 Common.1503: the request carried X-Security-Token [redacted], which is not valid here (request id'),
    expect.stringContaining('the last got HTTP 503 Common.1503: the request carried X-Security-Token [redacted], which is not valid here'),
  ]);
});

test('a password in HW_AUTH_URL, which is refused, is not shown in the refusal', async () => {
  const password = secret(`pw${randomBytes(12).toString('hex')}`);
  const run = await runHandler(['associate'], env({ FPGA_ASSOC_PROJECT_ID: undefined, FPGA_ASSOC_REGION: 'cn-north-1', HW_AUTH_URL: `https://deploy:${password}@iam.example.com/v3` }));
  expect(run.code).toBe(EXIT_CODES.invalidInput);
  expect(lines(run)).toEqual([expect.stringContaining('invalid HW_AUTH_URL "https://deploy:***@iam.example.com/v3"')]);
});
