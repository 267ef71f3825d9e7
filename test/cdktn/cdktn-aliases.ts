/**
 * Preloaded (`node -r`) by synth-source.ts: serves the library's cdktf imports from the cdktn workspace named by
 * CDKTN_WORKSPACE, as building the library against cdktn would (`cdktf` → `cdktn`, `@cdktf/provider-null` →
 * `@cdktn/provider-null`, and cdktn's `constructs`). The source itself is unchanged.
 */
import { Module } from 'node:module';
import * as path from 'node:path';

const ALIASES: Record<string, string> = {
  'cdktf': 'cdktn',
  '@cdktf/provider-null': '@cdktn/provider-null',
  'constructs': 'constructs',
};

const workspace = process.env.CDKTN_WORKSPACE;
if (!workspace) throw new Error('CDKTN_WORKSPACE must name the cdktn workspace directory');
const fromWorkspace = { id: path.join(workspace, 'app.js'), filename: path.join(workspace, 'app.js'), paths: [path.join(workspace, 'node_modules')] };

const modules = Module as any;
const resolveFilename = modules._resolveFilename;
modules._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]) {
  for (const [from, to] of Object.entries(ALIASES)) {
    if (request === from || request.startsWith(`${from}/`)) {
      return resolveFilename.call(this, to + request.slice(from.length), fromWorkspace, ...rest);
    }
  }
  return resolveFilename.call(this, request, parent, ...rest);
};
