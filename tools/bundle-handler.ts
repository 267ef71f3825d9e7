/**
 * Builds assets/handler.js: the program (src/handler/index.ts with undici, minified, without
 * node:http2, see src/handler/no-http2.ts) embedded as a string in the launcher
 * (src/handler/launcher.ts), which compiles it with V8's code cache. With arguments `<entry> <outfile>`,
 * another program on the same code, in the same launcher: the operator CLI (src/cli/index.ts, assets/cli.js).
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';

const ROOT = path.join(__dirname, '..');
const [entry = 'src/handler/index.ts', outfile = 'assets/handler.js'] = process.argv.slice(2);
const COMMON: BuildOptions = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, logLevel: 'warning', absWorkingDir: ROOT };

// The handler starts once per association and V8 parses all of it at each start: minified, it parses faster.
const built = buildSync({
  ...COMMON,
  entryPoints: [entry],
  // undici's Client loads node:http2, which the handler never speaks, at start: it gets a stand-in.
  alias: { 'node:http2': './src/handler/no-http2.ts' },
  // undici's licence ships beside the bundle (assets/handler.js.LICENSE.txt); its comments stay in the program.
  legalComments: 'eof',
  write: false,
});
// The shape Node gives a CommonJS module, which the launcher calls with its own require.
const program = `(function (exports, require, module, __filename, __dirname) {${built.outputFiles[0].text}\n})`;

buildSync({
  ...COMMON,
  entryPoints: ['src/handler/launcher.ts'],
  // assets/cli.js is the package's bin, which npm links and runs as it is.
  banner: { js: '#!/usr/bin/env node' },
  define: {
    HANDLER_PROGRAM: JSON.stringify(program),
    HANDLER_PROGRAM_SHA256: JSON.stringify(createHash('sha256').update(program).digest('hex')),
  },
  outfile,
});
