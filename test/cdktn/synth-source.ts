/**
 * Synthesizes the stack of test/python/stack.ts from the library's source under cdktn (see cdktn-aliases.ts).
 *
 *   CDKTN_WORKSPACE=DIR node -r ts-node/register/transpile-only -r ./cdktn-aliases.ts synth-source.ts OUTDIR
 */
import { synthTypeScriptApp } from '../python/stack';

synthTypeScriptApp(process.argv[2]);
