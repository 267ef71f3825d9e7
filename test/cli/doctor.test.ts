import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { at, keysOnly, runCli } from './cli';
import { EXIT_CODES } from '../../src/contract';
import { DEMO_AGENCY, DEMO_PROJECT_ID, DEMO_REGION } from '../../src/emulator/server';
import { ACCESS_KEY, CLI_BUNDLE, FAST_RETRIES, itNeverPrintsCredentials, recordRun, SECRET_KEY, traffic, useEmulator } from '../handler/harness';
import { run as runCommand } from '../python/artifacts';
import { createRunner, ensurePinnedTarballs, hostArch, startNpmRegistry } from '../runner';

/**
 * `doctor`: a few lines that explain a runner's setup, with each credential source and with none;
 * read-only (one query, no change), and never a secret.
 */

const context = useEmulator();
const scratch = mkdtempSync(path.join(tmpdir(), 'fpga-doctor-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const PROFILE_PROJECT = 'abcdefabcdefabcdefabcdefabcdef00';
const NO_PROFILE = 'no KooCLI profile (neither HW_SHARED_CONFIG_FILE nor HW_PROFILE is set)';
const NO_KEYS = 'the environment has no access key (HW_ACCESS_KEY or HUAWEICLOUD_SDK_AK) and no secret key (HW_SECRET_KEY or HUAWEICLOUD_SDK_SK)';

/** The report's lines, as `label text`, spaces squeezed. */
function report(stdout: string): string[] {
  return stdout.split('\n').filter(Boolean).map((line) => line.replace(/ {2,}/g, ' ').trim());
}

/** The emulator's IAM, for the project lookup and the agency. */
const iam = () => ({ HW_AUTH_URL: `${context.emu.url}/v3` });

function profileFile(projectId: string = ''): string {
  const file = path.join(scratch, `config-${projectId || 'none'}.json`);
  writeFileSync(file, JSON.stringify({
    current: 'default',
    profiles: [
      { name: 'default', mode: 'AKSK', accessKeyId: 'NOTTHISONE0000000000', secretAccessKey: 'not-this-secret-either' },
      { name: 'deploy', mode: 'AKSK', accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, projectId },
    ],
  }));
  return file;
}

it('keys in the environment: which source and why the profile was skipped, the project given, the endpoint, the query allowed', async () => {
  const run = await runCli(['doctor', ...at(context.emu)], keysOnly());

  expect(run.code).toBe(EXIT_CODES.ok);
  expect(run.stderr).toBe('');
  const lines = report(run.stdout);
  expect(lines.slice(0, 5)).toEqual([
    `endpoint ${context.emu.url} (--endpoint)`,
    'credentials HW_ACCESS_KEY, HW_SECRET_KEY',
    `skipped: ${NO_PROFILE}`,
    `project ${DEMO_PROJECT_ID} (--project-id)`,
    expect.stringMatching(/^query allowed \(ecs:cloudServerFpgaImages:getRelations\): the associations query answered 200, request id [0-9a-f]{32}$/),
  ]);
  expect(lines[5]).toMatch(/^node \S/);
  expect(lines).toHaveLength(6);
  // Read-only: one query that names no image.
  expect(context.emu.requests().map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/${DEMO_PROJECT_ID}/cloudservers/fpga_image/associations`]);
});

it('a KooCLI profile given with --profile: named, nothing skipped, and its projectId is the project', async () => {
  const file = profileFile(PROFILE_PROJECT);
  context.emu.setProjects([{ id: PROFILE_PROJECT, name: DEMO_REGION }]);
  const run = await runCli(['doctor', '--endpoint', context.emu.url, '--profile', 'deploy'], keysOnly({ HW_SHARED_CONFIG_FILE: file }));

  expect(report(run.stdout).slice(1, 3)).toEqual([
    `credentials the KooCLI profile "deploy" in ${file} (--profile)`,
    `project ${PROFILE_PROJECT} (projectId of the KooCLI profile "deploy" in ${file})`,
  ]);
  // The emulator serves one project: the profile's is refused, which the handler's one line says.
  expect(run.stderr).toMatch(/^fpga-image-association: query the associations of project abcdef\w+ failed: HTTP 400 Common.0018: .*\n$/);
  expect(report(run.stdout)[3]).toMatch(/^node /);
  expect(run.code).toBe(EXIT_CODES.rejected);
});

it('the ECS metadata service: why the profile and the environment were skipped; the project looked up by region in IAM', async () => {
  const env = { ...FAST_RETRIES, FPGA_ASSOC_METADATA_ENDPOINT: context.emu.url, ...iam() };
  const run = await runCli(['doctor', '--endpoint', context.emu.url, '--region', DEMO_REGION], env);

  expect(run.code).toBe(EXIT_CODES.ok);
  expect(report(run.stdout).slice(0, 5)).toEqual([
    `endpoint ${context.emu.url} (--endpoint)`,
    `credentials the ECS metadata service at ${context.emu.url}`,
    `skipped: ${NO_PROFILE}; ${NO_KEYS}`,
    `project ${DEMO_PROJECT_ID} (the project IAM names for region ${DEMO_REGION})`,
    expect.stringMatching(/^query allowed /),
  ]);
  expect(traffic(context.emu)).toEqual(['metadata PUT 200', 'metadata GET 200', 'iam GET 200', 'ecs GET 200']);
});

it('an agency assumed on top of the keys: the agency and the base source', async () => {
  const env = keysOnly({ HW_ASSUME_ROLE_AGENCY_NAME: DEMO_AGENCY.agencyName, HW_ASSUME_ROLE_DOMAIN_NAME: DEMO_AGENCY.domainName, ...iam() });
  const run = await runCli(['doctor', ...at(context.emu)], env);

  expect(run.code).toBe(EXIT_CODES.ok);
  expect(report(run.stdout)[1]).toBe(`credentials agency "${DEMO_AGENCY.agencyName}" of account "${DEMO_AGENCY.domainName}", assumed with HW_ACCESS_KEY, HW_SECRET_KEY`);
  expect(traffic(context.emu)).toEqual(['iam POST 201', 'ecs GET 200']);
});

it("no credentials at all: the handler's one line naming every source looked at, exit 2, nothing sent; the Node line still", async () => {
  const run = await runCli(['doctor', ...at(context.emu)], { ...FAST_RETRIES });

  expect(run.code).toBe(EXIT_CODES.invalidInput);
  const lines = report(run.stdout);
  expect(lines[0]).toBe(`endpoint ${context.emu.url} (--endpoint)`);
  expect(run.stderr).toBe(`fpga-image-association: no Huawei Cloud credentials: ${NO_PROFILE}; ${NO_KEYS}; the ECS metadata service is not asked `
    + '(FPGA_ASSOC_METADATA_ENDPOINT=off). Give credentials in one of the ways terraform-provider-huaweicloud takes: HW_PROFILE (a KooCLI profile), '
    + 'HW_ACCESS_KEY and HW_SECRET_KEY in the environment that runs Terraform, or an agency bound to the ECS it runs on. Nothing was sent to the API\n');
  expect(lines[1]).toMatch(/^node \S/);
  expect(lines).toHaveLength(2);
  expect(context.emu.requests()).toEqual([]);
});

it('no credentials, the metadata source off: not a socket opened, not a name looked up (the network rule, recorded from inside)', async () => {
  const record = path.join(scratch, 'attempts.jsonl');
  writeFileSync(record, '');
  const recorder = path.join(__dirname, '..', 'security', 'socket-recorder.js');
  const run = await runCli(['doctor', '--region', DEMO_REGION], { ...FAST_RETRIES, NODE_OPTIONS: `--require ${recorder}`, SOCKET_RECORD_FILE: record });

  expect(run.code).toBe(EXIT_CODES.invalidInput);
  expect(run.stderr).toMatch(/^fpga-image-association: no Huawei Cloud credentials: /);
  expect(readFileSync(record, 'utf8')).toBe('');

  // The recorder sees what the CLI does open: with keys, the one connection to the emulator.
  const withKeys = await runCli(['doctor', ...at(context.emu)], keysOnly({ NODE_OPTIONS: `--require ${recorder}`, SOCKET_RECORD_FILE: record }));
  expect(withKeys.code).toBe(EXIT_CODES.ok);
  expect(readFileSync(record, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))).toEqual([
    { kind: 'connect', host: '127.0.0.1', port: Number(new URL(context.emu.url).port) },
  ]);
});

it('the endpoint of a region: said to come from it', async () => {
  const run = await runCli(['doctor', '--region', 'cn-east-2'], { ...FAST_RETRIES });

  expect(report(run.stdout)[0]).toBe('endpoint https://ecs.cn-east-2.myhuaweicloud.com (the ECS endpoint of region cn-east-2, from --region)');
});

it('a query the credentials may not make: the permission is named, exit 4', async () => {
  context.emu.addFaults([{ path: '/associations', status: 403, body: { error_code: 'APIGW.0302', error_msg: 'The IAM user is not authorized to access the API.' } }]);
  const run = await runCli(['doctor', ...at(context.emu)], keysOnly());

  expect(run.code).toBe(EXIT_CODES.authFailed);
  expect(run.stderr).toMatch(
    /^fpga-image-association: query the associations of project \w+ failed: HTTP 403 APIGW.0302: .*grant their user the IAM action ecs:cloudServerFpgaImages:getRelations in this project/,
  );
  expect(report(run.stdout).map((line) => line.split(' ')[0])).toEqual(['endpoint', 'credentials', 'skipped:', 'project', 'node']);
});

describe('the Node a provisioner would run: node-launcher.sh --which, from beside the CLI, which fetches and runs nothing', () => {
  it('a Node 20.19+ on PATH', async () => {
    const run = await runCli(['doctor', ...at(context.emu)], keysOnly({ PATH: process.env.PATH }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(report(run.stdout)[5]).toBe(`node node ${process.version} from PATH: ${process.execPath}`);
  });

  it('FPGA_ASSOC_NODE naming no Node: the launcher\'s line, and doctor fails with exit 2', async () => {
    const run = await runCli(['doctor', ...at(context.emu)], keysOnly({ PATH: process.env.PATH, FPGA_ASSOC_NODE: '/nowhere/node' }));

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(report(run.stdout)[5]).toBe('node FPGA_ASSOC_NODE=/nowhere/node is not an executable file: set it to a Node.js 20.19+, or to auto or local');
  });

  it('a runner without Node (PATH without it, a fresh HOME): what it would fetch, from the registry npm is set to, and where', async () => {
    const registry = 'http://127.0.0.1:9/npm/';
    const runner = await createRunner({ registry });
    try {
      const run = await runCli(['doctor', ...at(context.emu)], keysOnly(runner.env));

      expect(run.code).toBe(EXIT_CODES.ok);
      expect(report(run.stdout)[5]).toMatch(new RegExp(`^node would fetch Node.js 20\\.\\d+\\.\\d+ \\(node-linux-\\w+\\) from ${registry}\\S+ into ${runner.nodeCache}/ `));
    } finally {
      runner.cleanup();
    }
  });

  (hostArch() ? it : it.skip)('a runner without Node runs doctor through the launcher, as the README says: the pinned Node fetched once, then the report', async () => {
    const [tarball] = await ensurePinnedTarballs();
    const registry = await startNpmRegistry([tarball]);
    const runner = await createRunner({ registry: registry.url });
    try {
      const assets = path.dirname(CLI_BUNDLE);
      const started = Date.now();
      const stdout = await runCommand('sh', [path.join(assets, 'node-launcher.sh'), CLI_BUNDLE, 'doctor', ...at(context.emu)], { cwd: runner.home, env: keysOnly(runner.env) });
      recordRun({ code: 0, stdout, stderr: '', ms: Date.now() - started }, 'sh node-launcher.sh cli.js doctor on a runner', keysOnly(runner.env));

      expect(report(stdout)[0]).toBe(`endpoint ${context.emu.url} (--endpoint)`);
      expect(report(stdout)[4]).toMatch(/^query allowed /);
      expect(report(stdout)[5]).toMatch(new RegExp(`^node the pinned Node.js ${tarball.version}, cached: ${runner.nodeCache}/\\S+/bin/node$`));
      expect(registry.downloads()).toBe(1);
    } finally {
      runner.cleanup();
      await registry.stop();
    }
  }, 120_000);
});

itNeverPrintsCredentials(['NOTTHISONE0000000000', 'not-this-secret-either']);
