/**
 * The command line (`npm run toolchain`, and `npm test` before jest):
 *
 *   npx ts-node --transpile-only tools/toolchain/main.ts [--all] [--json | --print-env] [--providers=registry|stand-in] [--quiet]
 *
 * It always checks again whether the registry is reachable (a fraction of a second), and says in one line which
 * providers the CLIs will install.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureToolchain, ProviderSource, ToolchainError } from '.';
import { seconds } from './run';

const USAGE = [
  'usage: tools/toolchain/main.ts [--all] [--json | --print-env] [--providers=registry|stand-in] [--quiet]',
  '  --all                  also provision the other CLI (terraform and tofu; where the registry is not reachable, tofu is built from source if not on PATH)',
  '  --json                 print .toolchain/toolchain.json',
  '  --print-env            print `export` lines for the primary CLI: eval "$(... --print-env)"',
  '  --providers=registry   the real providers from your own CLI configuration (registry or mirror), without checking',
  '  --providers=stand-in   build the stand-ins from tools/*-provider, without checking the registry',
  '  --quiet                no progress lines',
  '',
].join('\n');

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'all': { type: 'boolean' },
        'json': { type: 'boolean' },
        'print-env': { type: 'boolean' },
        'providers': { type: 'string' },
        'quiet': { type: 'boolean' },
        'help': { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err: any) {
    process.stderr.write(`toolchain: ${err.message} (see --help)\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.providers !== undefined && values.providers !== 'registry' && values.providers !== 'stand-in') {
    process.stderr.write(`toolchain: --providers must be registry or stand-in, not '${values.providers}'\n`);
    return 2;
  }
  const started = Date.now();
  const log = (line: string) => !values.quiet && process.stderr.write(`[toolchain] ${line}\n`);
  try {
    const toolchain = await ensureToolchain({
      all: values.all || undefined,
      providers: values.providers as ProviderSource | undefined,
      recheck: true,
      log,
      verbose: true,
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(toolchain, undefined, 2)}\n`);
    } else if (values['print-env']) {
      for (const [key, value] of Object.entries(toolchain.env)) process.stdout.write(`export ${key}=${shellQuote(value)}\n`);
    }
    const clis = toolchain.clis.map((c) => `${c.binaryName} ${c.version}`).join(', ');
    log(`ready in ${seconds(started)}: ${clis}, providers: ${toolchain.providers.source} (${path.join(path.dirname(toolchain.pluginCacheDir), 'toolchain.json')})`);
    return 0;
  } catch (err: any) {
    process.stderr.write(`[toolchain] error: ${err instanceof ToolchainError ? err.message : err?.stack ?? err}\n`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
