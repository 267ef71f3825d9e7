/**
 * One synth in a fresh process, for bench/synth.ts: `node synth-child.js <association|single|plain|provisioned> <n> <outdir>`.
 * Prints one JSON line: the synth time (constructs defined and synthesized, modules already loaded)
 * and the process's peak resident memory.
 */
import { App, TerraformStack } from 'cdktf';
import { associations, nodeNoopResources, plainNullResources, singleResourceAssociations, Target } from './lib/stacks';

const TARGET: Target = { projectId: '0123456789abcdef0123456789abcdef', endpoint: 'http://127.0.0.1:8080' };

const [kind, count, outdir] = process.argv.slice(2);
const started = performance.now();
const app = new App({ outdir });
const stack = new TerraformStack(app, 'bench');
const KINDS = { association: associations, single: singleResourceAssociations, plain: plainNullResources, provisioned: nodeNoopResources };
const define = KINDS[kind as keyof typeof KINDS];
define(stack, Number(count), TARGET);
app.synth();
const synthMs = performance.now() - started;
process.stdout.write(`${JSON.stringify({ synthMs, maxRssKb: process.resourceUsage().maxRSS })}\n`);
