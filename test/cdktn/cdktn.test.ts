/**
 * The library under cdktn 0.24.0, the community fork of the archived CDKTF (docs/CDKTN.md): what works and
 * what blocks. Each case runs an app in an npm workspace under .toolchain/cdktn and compares what it
 * synthesizes with what the same stack (test/python/stack.ts) synthesizes under cdktf 0.21.0.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ALIASED,
  CDKTN_NULL_PROVIDER_VERSION,
  CDKTN_VERSION,
  ensureWorkspace,
  installLibrary,
  packLibrary,
  SIDE_BY_SIDE,
  WorkspaceSpec,
} from './workspaces';
import { ROOT, run } from '../python/artifacts';
import { outputFiles, STACK_NAME, synthTypeScriptApp } from '../python/stack';

const STACK_FILE = `stacks/${STACK_NAME}/cdk.tf.json`;

let work: string;
let tarball: string;
/** What cdktf synthesizes, with cdktn's version where the synthesizing runtime records its own. */
let expected: Record<string, any>;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-cdktn-'));
  tarball = await packLibrary(work);
  synthTypeScriptApp(path.join(work, 'cdktf.out'));
  expected = outputFiles(path.join(work, 'cdktf.out'));
  expected['manifest.json'].version = CDKTN_VERSION;
  expected[STACK_FILE]['//'].metadata.version = CDKTN_VERSION;
}, 10 * 60_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** The workspace, with the library installed from its packed tarball. */
async function workspaceWithLibrary(spec: WorkspaceSpec): Promise<string> {
  const workspace = await ensureWorkspace(spec);
  await installLibrary(workspace, tarball);
  fs.copyFileSync(path.join(__dirname, '..', 'python', 'binding-app.js'), path.join(workspace, 'app.js'));
  return workspace;
}

/**
 * Runs the binding app (test/python/binding-app.js) as app.js, which resolves every import from its workspace, from this process's cwd: the default local
 * backend's state path is absolute, resolved against it.
 */
async function synthApp(workspace: string, name: string, args: string[]): Promise<Record<string, any>> {
  const outdir = path.join(work, name);
  await run('node', [path.join(workspace, 'app.js'), outdir, ...args], { cwd: process.cwd() });
  return outputFiles(outdir);
}

describe('the library as published, its peers cdktf 0.21.0 and @cdktf/provider-null 11.0.1 next to cdktn', () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = await workspaceWithLibrary(SIDE_BY_SIDE);
  }, 10 * 60_000);

  test('does not synthesize: cdktn 0.24 calls an element method that cdktf 0.21 elements lack', async () => {
    await expect(synthApp(workspace, 'side-by-side.out', ['cdktn'])).rejects.toThrow(
      'TypeError: e._resetResolveDiscoveredProviderFeatureUsage is not a function',
    );
  });
});

describe(`the library as published, with cdktf installed as npm:cdktn@${CDKTN_VERSION}`, () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = await workspaceWithLibrary(ALIASED);
  }, 10 * 60_000);

  test('synthesizes what it does under cdktf, from an app that imports cdktf', async () => {
    expect(await synthApp(workspace, 'aliased.out', ['cdktf'])).toEqual(expected);
  });

  // The app's `cdktn` and the library's `cdktf` are two copies of cdktn. cdktn keeps a scope's aspects under
  // a module-private symbol, so the copy that synthesizes never runs the aspect through which the library
  // adds the default null provider. (With no null provider declared at all, cdktn's validation then fails:
  // "Found resources without a matching provider construct".)
  test('an app that imports cdktn gets no default null provider from the library, unless it declares one', async () => {
    const undeclared = await synthApp(workspace, 'aliased-cdktn.out', ['cdktn']);
    expect(undeclared[STACK_FILE].provider.null).toEqual([{ alias: 'secondary' }]);
    expect(await synthApp(workspace, 'aliased-cdktn-declared.out', ['cdktn', '--default-null-provider'])).toEqual(expected);
  });
});

describe(`the library's source built against cdktn ${CDKTN_VERSION} and @cdktn/provider-null ${CDKTN_NULL_PROVIDER_VERSION}`, () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = await ensureWorkspace(ALIASED);
  }, 10 * 60_000);

  test('type-checks with only its cdktf imports mapped to cdktn', async () => {
    const modules = path.join(workspace, 'node_modules');
    const tsconfig = path.join(work, 'tsconfig.cdktn.json');
    fs.writeFileSync(tsconfig, JSON.stringify({
      extends: path.join(ROOT, 'tsconfig.json'),
      compilerOptions: {
        noEmit: true,
        typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        paths: {
          'cdktf': [path.join(modules, 'cdktn')],
          '@cdktf/provider-null/*': [path.join(modules, '@cdktn', 'provider-null', '*')],
          'constructs': [path.join(modules, 'constructs')],
        },
      },
    }));
    const files = await run(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', tsconfig, '--listFilesOnly'], { cwd: ROOT });
    expect(files).toContain(path.join(modules, 'cdktn', 'lib', 'index.d.ts'));
    expect(files).not.toContain(path.join(ROOT, 'node_modules', 'cdktf', 'lib'));
    await run(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', tsconfig], { cwd: ROOT });
  }, 120_000);

  test('synthesizes the same stack, but for the null provider version the cdktn binding pins', async () => {
    const outdir = path.join(work, 'source.out');
    await run('node', ['-r', 'ts-node/register/transpile-only', '-r', path.join(__dirname, 'cdktn-aliases.ts'), path.join(__dirname, 'synth-source.ts'), outdir], {
      cwd: process.cwd(),
      env: { ...process.env, CDKTN_WORKSPACE: workspace, TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json') },
    });
    const withCdktnBinding = structuredClone(expected);
    withCdktnBinding[STACK_FILE].terraform.required_providers.null = { source: 'hashicorp/null', version: '3.3.2' };
    expect(outputFiles(outdir)).toEqual(withCdktnBinding);
  }, 120_000);
});
