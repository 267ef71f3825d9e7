/**
 * The hashicorp/external 2.3.5 stand-in (tools/external-provider) that the toolchain builds into the
 * project's mirror for the drift check, driven by every CLI: its schema, and the external-program
 * protocol (query on stdin, result on stdout, a failure quoting stderr).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { forEachCli } from './for-each-cli';
import { ensureToolchain, EXTERNAL_PROVIDER_VERSION, Toolchain, ToolchainCli } from '../../tools/toolchain';

let toolchain: Toolchain;
const workdirs: string[] = [];

beforeAll(async () => {
  toolchain = await ensureToolchain();
}, 20 * 60_000);
afterAll(() => workdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A directory with a data "external" that runs `program.js` (which echoes its query, or fails). */
function workdir(cli: ToolchainCli, query: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `external-provider-${cli.binaryName}-`));
  workdirs.push(dir);
  fs.writeFileSync(
    path.join(dir, 'program.js'),
    "let input = ''; process.stdin.on('data', (d) => (input += d)).on('end', () => {" +
      " const query = JSON.parse(input); if (query.fail) { console.error('refused: ' + query.fail); process.exit(3); }" +
      ' process.stdout.write(JSON.stringify({ ...query, cwd: process.cwd(), argv: process.argv.slice(2).join(" ") })); });',
  );
  const config = {
    terraform: { required_providers: { external: { source: 'hashicorp/external', version: EXTERNAL_PROVIDER_VERSION } } },
    data: { external: { echo: { program: ['node', '${path.module}/program.js', 'drift-query'], query } } },
    output: { result: { value: '${data.external.echo.result}' } },
  };
  fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(config));
  return dir;
}

function run(cli: ToolchainCli, dir: string, args: string[]): Promise<{ status: number | null; output: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cli.binary, [...args, '-no-color'], { cwd: dir, env: { ...process.env, ...cli.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output: `${stdout}${stderr}`.replace(/\s+/g, ' '), stdout }));
  });
}

test('the data source matches the hashicorp/external 2.3.5 schema', async () => {
  expect(toolchain.externalProvider).toMatchObject({ version: EXTERNAL_PROVIDER_VERSION });
  await forEachCli(toolchain, async (cli) => {
    const dir = workdir(cli, {});
    const init = await run(cli, dir, ['init', '-input=false']);
    expect(init.status).toBe(0);
    expect(init.output).toMatch(/hashicorp\/external v2\.3\.5/);
    const schemas = JSON.parse((await run(cli, dir, ['providers', 'schema', '-json'])).stdout).provider_schemas;
    const [address] = Object.keys(schemas);
    expect(address).toMatch(/^registry\.(terraform|opentofu)\.(io|org)\/hashicorp\/external$/);
    expect(schemas[address].provider.block.attributes ?? {}).toEqual({});
    expect(schemas[address].resource_schemas ?? {}).toEqual({});
    const source = schemas[address].data_source_schemas.external;
    expect(source.version).toBe(0);
    expect(source.block.attributes).toEqual({
      program: expect.objectContaining({ type: ['list', 'string'], required: true }),
      working_dir: expect.objectContaining({ type: 'string', optional: true }),
      query: expect.objectContaining({ type: ['map', 'string'], optional: true }),
      result: expect.objectContaining({ type: ['map', 'string'], computed: true }),
      id: expect.objectContaining({ type: 'string', computed: true }),
    });
  });
});

test('the program gets the query on stdin and its arguments, runs in the configuration directory, and its stdout is the result', async () => {
  await forEachCli(toolchain, async (cli) => {
    const dir = workdir(cli, { a: 'x y', b: '${jsonencode(["quoted"])}' });
    await run(cli, dir, ['init', '-input=false']);
    const applied = await run(cli, dir, ['apply', '-auto-approve', '-input=false']);
    expect(applied.status).toBe(0);
    const result = JSON.parse((await run(cli, dir, ['output', '-json', 'result'])).stdout);
    expect(result).toEqual({ a: 'x y', b: '["quoted"]', cwd: fs.realpathSync(dir), argv: 'drift-query' });
  });
});

test('a program that fails fails the read with its stderr', async () => {
  await forEachCli(toolchain, async (cli) => {
    const dir = workdir(cli, { fail: 'no such pair' });
    await run(cli, dir, ['init', '-input=false']);
    const planned = await run(cli, dir, ['plan', '-input=false']);
    expect(planned.status).toBe(1);
    expect(planned.output).toContain('External Program Execution Failed');
    expect(planned.output).toContain('refused: no such pair');
  });
});
