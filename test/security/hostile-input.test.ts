/**
 * Hostile prop values: refused at synth with a one-line message that names the prop, so nothing
 * reaches cdk.tf.json; and, when a value is a token at synth (a Terraform variable), refused by the
 * handler at apply, before anything is sent, without any shell ever seeing it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { FpgaImageAssociation, FpgaImageAssociationProps } from '../../src';
import { DEMO_CREDENTIALS, DEMO_PROJECT_ID, FpgaApiEmulator } from '../../src/emulator/server';
import { availableClis, Workspace } from '../e2e/workspace';

const PROPS: FpgaImageAssociationProps = {
  projectId: DEMO_PROJECT_ID,
  fpgaImageId: '4010a32b5f231f04015f24259efd0429',
  imageId: '18efee75-e058-4c52-a49c-9e3ba4d1c8de',
  region: 'cn-north-1',
};

const MARKER = path.join(tmpdir(), `fpga-hostile-${randomBytes(6).toString('hex')}`);

/** Shell, Terraform template, path, control-character and size tricks. */
const HOSTILE_STRINGS = [
  `$(touch ${MARKER})`,
  `\`touch ${MARKER}\``,
  `; touch ${MARKER}`,
  `| touch ${MARKER}`,
  `&& touch ${MARKER}`,
  '${file("/etc/passwd")}',
  '%{ for x in ["a"] }${x}%{ endfor }',
  '"; rm -rf / #',
  "' OR '1'='1",
  'line\nbreak',
  'carriage\rreturn',
  'nul\u0000byte',
  '../../../etc/passwd',
  '--require=/tmp/evil.js',
  ` ${PROPS.fpgaImageId}`,
  `${PROPS.fpgaImageId}\n`,
  '０１２３４５６７８９ａｂｃｄｅｆ０１２３４５６７８９ａｂｃｄｅｆ',
  'a'.repeat(10_000),
];

const HOSTILE_ENDPOINTS = [
  'https://user:secret@ecs.example.com',
  'https://ecs.example.com@evil.example.com',
  'https://ecs.example.com/v1/..%2f..%2f',
  'https://ecs.example.com?x=${var.y}',
  'https://ecs.example.com#frag',
  'https://${var.host}.example.com',
  'https://ecs.example.com;touch',
  'http://169.254.169.254',
  'http://ecs.cn-north-1.myhuaweicloud.com',
  'http://[::ffff:127.0.0.1]',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'ftp://ecs.example.com',
  'https://ecs.example.com:99999',
];

const HOSTILE_NODE_EXECUTABLES = [`node; touch ${MARKER}`, 'node $(id)', 'node`id`', 'node && id', 'node | id', '${path.module}/evil', 'node\nid', "node' '-e", 'node"'];

const HOSTILE_NUMBERS = [NaN, Infinity, -Infinity, -1, 0, 1.5, 1e12, Number.MAX_SAFE_INTEGER + 2];

function synthError(props: Partial<FpgaImageAssociationProps>): string {
  const stack = new TerraformStack(Testing.app(), 'stack');
  try {
    new FpgaImageAssociation(stack, 'Assoc', { ...PROPS, ...props });
    Testing.synth(stack);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`synth accepted ${JSON.stringify(props)}`);
}

function expectRefused(prop: string, props: Partial<FpgaImageAssociationProps>): void {
  const message = synthError(props);
  expect(message).toMatch(new RegExp(`^stack/Assoc: invalid ${prop}\\b`));
  // One line, no raw control characters, and bounded however long the value.
  // eslint-disable-next-line no-control-regex
  expect(message).not.toMatch(/[\u0000-\u001f]/);
  expect(message.length).toBeLessThan(500);
}

describe('refused at synth, naming the prop', () => {
  describe.each(['projectId', 'fpgaImageId', 'imageId', 'region'] as const)('%s', (prop) => {
    it.each(HOSTILE_STRINGS.map((value) => [JSON.stringify(value).slice(0, 60), value]))('%s', (_, value) => {
      expectRefused(prop, { [prop]: value });
    });
  });

  it.each(HOSTILE_ENDPOINTS)('endpoint %s', (endpoint) => {
    expectRefused('endpoint', { endpoint });
  });

  it.each(HOSTILE_NODE_EXECUTABLES)('nodeExecutable %j', (nodeExecutable) => {
    expectRefused('nodeExecutable', { nodeExecutable });
  });

  describe.each(['attemptTimeoutSeconds', 'totalTimeoutSeconds', 'maxAttempts'] as const)('%s', (prop) => {
    it.each(HOSTILE_NUMBERS)('%s', (value) => {
      expectRefused(prop, { [prop]: value });
    });
  });

  it('nothing ran', () => {
    expect(existsSync(MARKER)).toBe(false);
  });
});

test('values that were tokens at synth are refused by the handler under real Terraform: nothing sent, no shell', async () => {
  const [cli] = await availableClis();
  const emulator = await FpgaApiEmulator.start();
  const ws = new Workspace(cli, { HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey, HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey });
  try {
    ws.synth((stack) => {
      const variable = (name: string, value: string) => new TerraformVariable(stack, name, { type: 'string', default: value }).stringValue;
      new FpgaImageAssociation(stack, 'Assoc', {
        ...PROPS,
        region: undefined,
        projectId: variable('project', `$(touch ${MARKER})`),
        imageId: variable('image', `\`touch ${MARKER}\``),
        endpoint: variable('endpoint', `${emulator.url}; touch ${MARKER}`),
      });
    });
    await ws.init();
    const applied = await ws.apply();
    const output = applied.stdout + applied.stderr;

    expect(applied.status).toBe(1);
    expect(output).toContain(`invalid FPGA_ASSOC_PROJECT_ID "$(touch ${MARKER})": expected 32 lowercase hexadecimal characters`);
    expect(output).toContain(`invalid FPGA_ASSOC_IMAGE_ID "\`touch ${MARKER}\`": expected a lowercase UUID`);
    expect(output).toContain('invalid FPGA_ASSOC_ENDPOINT');
    expect(output).toContain('Nothing was sent to the API');
    expect(emulator.requests()).toEqual([]);
    expect(await ws.statePairs()).toEqual([]);
    expect(existsSync(MARKER)).toBe(false);
  } finally {
    ws.cleanup();
    await emulator.stop();
  }
}, 120_000);
