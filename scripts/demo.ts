/**
 * `npm run demo`: the whole life of one association, end to end, on this machine. Starts the emulator,
 * synthesizes the example app (cdktf.json at the root), applies it with real Terraform, shows the
 * relation, destroys it, shows it gone, and cleans up everything it started or wrote.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { emulatorAppEnvironment } from '../examples/emulator-environment';
import { startEmulatorProcess } from '../src/emulator/process';
import { ensureToolchain } from '../tools/toolchain';

const ROOT = path.join(__dirname, '..');
const STACK = 'fpga-demo';
const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const ECS_IMAGE_ID = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
const started = Date.now();

/** Colours and cursor movement only for a terminal, and never when NO_COLOR is set to anything (https://no-color.org). */
const colour = (stream: NodeJS.WriteStream) => stream.isTTY === true && !process.env.NO_COLOR;

function paint(stream: NodeJS.WriteStream, sgr: string, text: string): string {
  return colour(stream) ? `\x1b[${sgr}m${text}\x1b[0m` : text;
}

function step(text: string): void {
  console.log(`\n${paint(process.stdout, '1', `▶ ${text}`)}`);
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; quiet?: boolean }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let lineStart = true;
    // Indent what the command prints; a chunk may end mid-line, so indent only where a line starts.
    const show = (chunk: Buffer) => {
      const text = chunk.toString();
      out += text;
      if (options.quiet || !text) return;
      process.stdout.write((lineStart ? '  ' : '') + text.replace(/\n(?!$)/g, '\n  '));
      lineStart = text.endsWith('\n');
    };
    child.stdout.on('data', show);
    child.stderr.on('data', show);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(command)} ${args.join(' ')} exited ${code}\n${out}`))));
  });
}

async function main(): Promise<void> {
  step('Toolchain');
  // Checked afresh, and said in one line ("providers: ..."): the real providers where the registry is reachable.
  const toolchain = await ensureToolchain({ recheck: true, log: (line) => console.log(`  ${line}`) });
  console.log(`  ${toolchain.binaryName} ${toolchain.version} (${toolchain.binary})`);

  step('Emulator of the Huawei Cloud ECS FPGA-image API, on loopback');
  const emulator = await startEmulatorProcess();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-demo-'));
  try {
    console.log(`  ${emulator.url} (project ${emulator.projectId})`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...toolchain.env,
      ...emulatorAppEnvironment({
        ...emulator,
        fpgaImageId: FPGA_IMAGE_ID,
        imageId: ECS_IMAGE_ID,
        statePath: path.join(outdir, 'terraform.fpga-demo.tfstate'),
      }),
    };
    const stackDir = path.join(outdir, 'stacks', STACK);
    const status = async () => {
      const handler = path.join(ROOT, 'assets', 'handler.js');
      const statusEnv = {
        ...env,
        FPGA_ASSOC_ENDPOINT: emulator.url,
        FPGA_ASSOC_PROJECT_ID: emulator.projectId,
        FPGA_ASSOC_FPGA_IMAGE_ID: FPGA_IMAGE_ID,
        FPGA_ASSOC_IMAGE_ID: ECS_IMAGE_ID,
      };
      return JSON.parse(await run(process.execPath, [handler, 'status'], { cwd: ROOT, env: statusEnv, quiet: true })).associated as boolean;
    };

    step(`Synthesize the example app (cdktf.json → examples/main.ts) into ${outdir}`);
    // cdktf's spinner and coloured log lines read CI and FORCE_COLOR, not whether their output is a terminal.
    const plain = colour(process.stdout) ? {} : { CI: '1', FORCE_COLOR: '0' };
    await run(process.execPath, [require.resolve('cdktf-cli/bundle/bin/cdktf'), 'synth', '--output', outdir], { cwd: ROOT, env: { ...env, ...plain } });

    const tf = (...args: string[]) => run(toolchain.binary, [...args, '-no-color'], { cwd: stackDir, env });
    step(`${toolchain.binaryName} init`);
    await tf('init', '-input=false');
    step(`${toolchain.binaryName} apply: the create-time provisioner associates`);
    await tf('apply', '-auto-approve', '-input=false');
    step('Status, asked of the API by the handler');
    const afterApply = await status();
    console.log(`  FPGA image ${FPGA_IMAGE_ID} ↔ ECS image ${ECS_IMAGE_ID}: ${afterApply ? 'associated' : 'NOT associated'}`);
    if (!afterApply) throw new Error('the association is missing after apply');

    step(`${toolchain.binaryName} destroy: the destroy-time provisioner disassociates`);
    await tf('destroy', '-auto-approve', '-input=false');
    step('Status, asked of the API by the handler');
    const afterDestroy = await status();
    console.log(`  FPGA image ${FPGA_IMAGE_ID} ↔ ECS image ${ECS_IMAGE_ID}: ${afterDestroy ? 'STILL associated' : 'gone'}`);
    if (afterDestroy) throw new Error('the association is still there after destroy');
  } finally {
    await emulator.stop();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  console.log(`\n${paint(process.stdout, '32', `✔ demo done in ${((Date.now() - started) / 1000).toFixed(1)} s; emulator stopped, temporary files removed`)}`);
}

main().catch((error: Error) => {
  console.error(`\n${paint(process.stderr, '31', `✘ demo failed: ${error.message}`)}`);
  process.exitCode = 1;
});
