import type { ApplyDestroyData } from './apply-destroy';
import type { BundleData } from './bundle';
import type { CredentialsData } from './credentials';
import type { CurvePoint } from './destroy-curve';
import type { FirstFetchData } from './first-fetch';
import type { HandlerRunEnvironment } from './handler-run';
import { formatValue } from './lib/bench';
import { mb, ms, Summary } from './lib/stats';
import { lineChart } from './lib/svg';
import type { PlanData } from './plan';
import type { Report } from './run';
import type { SynthPoint } from './synth';
import type { DrainRun } from './throttled-drain';

/** docs/BENCHMARKS.md and docs/destroy-time.svg, from a full run's report. */

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

function tableOf(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
}

function spread(s: Summary): string {
  return `${ms(s.median)} (${ms(s.p25)}–${ms(s.p75)})`;
}

function machineSection(report: Report): string {
  const m = report.machine;
  return tableOf(['', ''], [
    ['date', m.date],
    ['command', `\`${report.command}\``],
    ['CPUs (`nproc`)', m.cpus],
    ['CPU model (`/proc/cpuinfo`)', m.cpuModel],
    ['memory', `${m.memoryGb} GB`],
    ['OS', m.os],
    ['Node.js', m.node],
    ['Terraform', m.terraform],
    ['load average (1 min) at start, end', `${m.loadAverage.start.toFixed(2)}, ${m.loadAverage.end?.toFixed(2) ?? '?'}`],
    ['duration of the run', ms(report.wallMs)],
  ]);
}

function resultsSection(report: Report): string {
  const goals = tableOf(
    ['target', 'measured', 'limit', 'verdict', 'what was measured'],
    report.goals.map((g) => [g.name, formatValue(g), `${g.unit === 'failures' ? '' : '≤ '}${formatValue({ unit: g.unit, value: g.limit })}`, `**${g.verdict}**`, g.detail]),
  );
  const missed = report.goals.filter((g) => !g.met);
  const why = missed.length === 0
    ? 'Every target is met.'
    : ['Why the missed targets are missed:', '', ...missed.map((g) => `- **${g.name}** (${g.verdict}): ${g.why ?? ''}.`)].join('\n');
  return `${goals}\n\n${why}`;
}

const RUN_LABELS: Readonly<Record<string, string>> = {
  bare: 'bare `node -e 0`',
  floor: 'floor: one `node:http` GET',
  undici: 'least undici request',
  undiciLiftoff: 'least undici request, `--liftoff-only`',
  associate: 'handler: associate',
  disassociate: 'handler: disassociate',
  cold: 'handler: associate, no code cache',
  direct: 'handler: associate, `node handler.js` (no launcher)',
  compare: '--compare bundle: associate',
};

function handlerSection(environments: readonly HandlerRunEnvironment[]): string {
  const rows = environments.flatMap((env) => (Object.entries(env.samples) as [keyof typeof env.samples, Summary][]).map(([variant, s]) => {
    const cpu = env.cpu?.[variant];
    return [
      env.name,
      RUN_LABELS[variant] ?? variant,
      spread(s),
      (s.median / env.samples.floor!.median).toFixed(2),
      (s.median / env.samples.bare!.median).toFixed(2),
      s.n,
      cpu ? `${ms(cpu.median)} (${(cpu.median / env.cpu!.floor!.median).toFixed(2)}×)` : '',
    ];
  }));
  return tableOf(['environment', 'run', 'wall, median (p25–p75)', '× floor', '× bare', 'runs', 'CPU time, median (× floor)'], rows);
}

function firstFetchSection(data: FirstFetchData): string {
  const { first, cached, download } = data.runMs;
  return tableOf(['run of an empty program through the launcher, on a runner without Node', 'wall, median (p25–p75)', 'runs'], [
    ['first run: fetch from the loopback mirror, verify, extract, run', spread(first), first.n],
    ['later runs: the pinned Node from the cache', spread(cached), cached.n],
    [`\`curl\` of the tarball alone (${mb(data.tarballBytes / 1024)}) from the same mirror`, spread(download), download.n],
  ]);
}

function bundleSection(data: BundleData): string {
  return [
    tableOf(['', ''], [
      ['assets/handler.js', `${(data.bytes / 1024).toFixed(1)} KB (${(data.gzipBytes / 1024).toFixed(1)} KB gzipped)`],
      ['`require()` of the bundle in a fresh process', spread(data.requireMs)],
      ['Node built-in modules loaded: `node -e 0`, a `status` run', `${data.builtinsBare}, ${data.builtinsRun}`],
    ]),
    '',
    `Built-ins a run loads beyond a bare start: ${data.builtinsAdded.map((m) => `\`${m}\``).join(', ')}.`,
  ].join('\n');
}

function synthSection(points: readonly SynthPoint[]): string {
  const kinds = [
    ['association', 'associations'], ['single', 'previous shape (no step)'], ['provisioned', 'provisioned null_resources'], ['plain', 'plain null_resources'],
  ] as const;
  return tableOf(
    ['N', 'graph', 'synth (p25–p75)', '× plain', 'peak RSS', '× plain', 'whole process'],
    points.flatMap((p) => kinds.map(([kind, label]) => [
      p.n,
      label,
      spread(p.synthMs[kind]),
      (p.synthMs[kind].median / p.synthMs.plain.median).toFixed(2),
      mb(p.maxRssKb[kind].median),
      (p.maxRssKb[kind].median / p.maxRssKb.plain.median).toFixed(2),
      ms(p.processMs[kind].median),
    ])),
  );
}

function applyDestroySection(data: ApplyDestroyData): string {
  return tableOf(
    ['graph', 'apply', 'destroy', 'apply + destroy'],
    (['association', 'single', 'baseline'] as const).map((kind) => [
      { association: `${data.n} associations`, single: `${data.n} associations, previous shape (no step)`, baseline: `${data.n} null_resources running \`node -e 0\`` }[kind],
      spread(data.applyMs[kind]),
      spread(data.destroyMs[kind]),
      spread(data.totalMs[kind]),
    ]),
  );
}

function planSection(data: PlanData): string {
  return tableOf(
    ['graph', 'resources in the state', 'plan (p25–p75)', '× plain'],
    (['association', 'single', 'plain'] as const).map((kind) => [
      { association: `${data.n} associations`, single: `${data.n} associations, previous shape (no step)`, plain: `${data.n} plain null_resources` }[kind],
      kind === 'association' ? 2 * data.n : data.n,
      spread(data.planMs[kind]),
      (data.planMs[kind].median / data.planMs.plain.median).toFixed(2),
    ]),
  );
}

function drainSection(data: { n: number; rate: number; idealMs: number; paced: DrainRun; unpaced?: DrainRun }): string {
  const runs = [data.paced, ...(data.unpaced ? [data.unpaced] : [])];
  return tableOf(
    ['handlers', 'destroy time', '× N/R', 'requests', 'answered 429', 'associations left', 'apply time (before the limit)'],
    runs.map((r) => [
      r.paced ? `paced: \`maxRequestsPerSecond: ${data.rate}\`` : 'unpaced (the default)',
      ms(r.destroyMs),
      (r.destroyMs / data.idealMs).toFixed(2),
      r.requests,
      r.throttled,
      r.failures,
      ms(r.applyMs),
    ]),
  );
}

function credentialsSection(data: CredentialsData): string {
  const sources = ['environment', 'profile', 'metadata'] as const;
  const env = data.runMs.environment.median;
  return [
    tableOf(['keys from', 'handler run (p25–p75)', '× environment', 'requests per run'],
      sources.map((s) => [s, spread(data.runMs[s]), (data.runMs[s].median / env).toFixed(2), Object.entries(data.requests[s]).map(([k, v]) => `${k} ${v}`).join(', ')])),
    '',
    tableOf(['apply of N', 'IAM project look-ups', 'apply time'], [
      [`${data.apply.n} without projectId`, data.apply.projectLookups, ms(data.apply.applyMs)],
      [`${data.apply.n} with projectId`, 0, ms(data.apply.explicitApplyMs)],
    ]),
  ].join('\n');
}

function curveSection(points: readonly CurvePoint[]): string {
  return [
    '![destroy time against N](destroy-time.svg)',
    '',
    tableOf(['N', 'associations', '`node -e 0` provisioners', '×'], points.map((p) => [p.n, ms(p.association), ms(p.baseline), (p.association / p.baseline).toFixed(2)])),
  ].join('\n');
}

export function destroyTimeSvg(report: Report): string {
  const { points } = report.results['destroy-curve'] as { points: CurvePoint[] };
  return lineChart({
    title: 'terraform destroy time against the number of associations',
    subtitle: `parallelism 10, loopback emulator; ${report.machine.cpus} × ${report.machine.cpuModel}, Node ${report.machine.node}, ${report.machine.terraform}, ${report.machine.date.slice(0, 10)}`,
    xLabel: 'N (resources destroyed)',
    yLabel: 'destroy time (s)',
    series: [
      { label: 'FpgaImageAssociation (handler disassociates)', color: '#d62728', points: points.map((p) => ({ x: p.n, y: p.association / 1000 })) },
      { label: 'same graph, provisioners run node -e 0', color: '#1f77b4', points: points.map((p) => ({ x: p.n, y: p.baseline / 1000 })) },
    ],
  });
}

export function benchmarksMarkdown(report: Report): string {
  const r = report.results as Record<string, any>;
  return `# Benchmarks

<!-- Written by \`npm run bench\` (bench/run.ts, bench/report.ts): edit those, not this file. -->

What an association costs, measured against what the same work costs without this library, in the
same run. Every number is a ratio to a baseline measured on the same machine at the same time,
interleaved with it, and summarised by medians: the machine these come from is shared (others' tests
run on its 2 cores), so absolute times vary from run to run and only ratios are judged.

## Running them

\`\`\`sh
npm run bench                     # everything, about 5 minutes; rewrites this file and destroy-time.svg
npm run bench -- --quick          # fewer rounds and sizes, about 2 minutes; leaves docs/ alone
npm run bench -- --only=handler-run,bundle --rate=20
\`\`\`

Results go to \`bench-results/latest.json\` (and a timestamped copy; the directory is gitignored).
The benchmarks are not part of \`npm test\`: timings belong here, not in tests.

## The run these numbers come from

${machineSection(report)}

## Targets

${resultsSection(report)}

## Handler run

One process per run, as Terraform starts it (\`sh node-launcher.sh handler.js <operation>\`, the launcher
finding Node on PATH), one signed request to the loopback emulator (a new pair to associate, an existing
one to disassociate), in rotating order each round with: the same associate run directly (\`node
handler.js associate\`), for what the launcher costs; the *floor*,
\`node -e "require('node:http').get(url, r => r.resume())"\`, the least any Node program that makes
one HTTP request costs (no signing, checks or output), which the target is judged against; a bare
\`node -e 0\`; and the *least undici request*, [bench/undici-request.ts](../bench/undici-request.ts):
undici's \`Client\` alone, one GET, bundled and minified as the handler is, with V8's default flags
and with \`--liftoff-only\` as the handler sets it. CPU time (user + system of every thread, from
bash's \`times\`, in separate runs) hardly depends on what else the machine is doing, unlike wall
time. The *clean* environment, which the target is judged on, has no \`NODE_EXTRA_CA_CERTS\`: when it
is set (this machine sets it to the system bundle), every Node process, \`node -e 0\` included,
parses that file at start-up; that environment is shown for comparison.

${handlerSection(r['handler-run'].environments)}

## First fetch of the pinned Node

A runner without Node (test/runner's: every program but Node, a fresh HOME): the launcher's first run fetches the
pinned Node from a loopback npm mirror serving the real tarball, checks its sha512, extracts it aside, checks that it
runs, and renames it into the cache; later runs find it there. From a real mirror, add the download's time at the
runner's bandwidth.

${firstFetchSection(r['first-fetch'])}

## Bundle and module load

${bundleSection(r.bundle)}

## Synth

N associations (\`FpgaImageAssociation\`) against N *plain* \`null_resource\`s with the same triggers and
nothing else, each synth in a fresh process (the library compiled, as it ships), interleaved. The
*provisioned* null_resources carry the same two provisioner blocks as an association, without the
construct: the part of the difference that is the provisioners' JSON itself. The *previous shape* is
what an association was before it got its own step that associates: one null_resource carrying both
provisioners (the step is what keeps a failed associate from orphaning the association: see the
README's "How it works"); the difference to it is what the step costs. *synth* is the time to
define the constructs and run \`app.synth()\`; peak RSS and *whole process* (wall time, Node start and
module loading included) are the process's.

${synthSection(r.synth.points)}

## apply + destroy

\`terraform apply\` then \`terraform destroy\` at parallelism 10: N associations against the same
graph whose provisioners (same blocks, same environment) run \`node -e 0\`, and the previous shape
(one null_resource per association with both provisioners, no step that associates).

${applyDestroySection(r['apply-destroy'])}

## plan

\`terraform plan -detailed-exitcode\` (refresh included, nothing to change, exit 0) of N applied
associations, of the previous shape, and of N plain null_resources: a plan refreshes every resource
in the state, so the step that associates, a second null_resource per association, shows here.

${planSection(r.plan)}

## Throttled drain and the shared rate budget

${r['throttled-drain'].n} destroys at parallelism 10 while the emulator allows R = ${r['throttled-drain'].rate} requests per second
(a token bucket with a burst of R, answering 429 \`APIGW.0308\` beyond it), N/R = ${ms(r['throttled-drain'].idealMs)}.
*associations left* counts failed destroys.

${drainSection(r['throttled-drain'])}

${RATE_BUDGET_NOTES}

## Credential sources and the project look-up

One associate per run, interleaved, with the demo keys from the environment (\`HW_ACCESS_KEY\`), from a
KooCLI profile (\`HW_SHARED_CONFIG_FILE\`), and from the emulator's metadata service
(\`FPGA_ASSOC_METADATA_ENDPOINT\`); the requests the emulator saw per run, by service. Then an apply of
N associations without \`projectId\` at parallelism 10, from an empty project cache (a temp dir of its
own), counting IAM's \`GET /v3/projects\`, beside the same apply with \`projectId\`.

${credentialsSection(r.credentials)}

## Destroy time against N

${curveSection(r['destroy-curve'].points)}

${STARTUP_NOTES}
`;
}

const RATE_BUDGET_NOTES = `How the budget works (\`src/handler/rate-budget.ts\`): the handler processes of one machine that
use the same endpoint and access key share a state file in a private per-user directory of the temp
dir (mode 0700, named after a SHA-256 of endpoint and key, never the key itself). Before each attempt
a process takes an \`O_EXCL\` lock file, reserves the next send slot, \`max(now, next)\`, moves \`next\`
on by 1/R, releases the lock and sleeps until its slot; a lock older than 2 s is taken to be left by
a dead process and removed. A throttling answer (429 or a throttling code) still goes through the one
retry policy, honouring \`Retry-After\`, and also moves \`next\` past the wait, so that every process
holds back. The budget is best effort: if the directory cannot be made private and writable, or the
lock cannot be had within 1 s, the handler says so in one line and sends unpaced; it never fails a
run.

It is opt-in (\`maxRequestsPerSecond\`, or \`FPGA_ASSOC_MAX_REQUESTS_PER_SECOND\` in the environment
that runs Terraform). Huawei Cloud does not document the limit of these calls (one real 429 reads
"limit:200,time:5 minute", a window, not a rate), and a default rate would slow every unthrottled
run down to it: the *apply time* column shows the price, a paced apply that nothing throttles still
takes N/R; pacing 100 associations at the 0.67/s that window averages to would take 150 s where the
API may well take them all at once. Unpaced, throttling is retried with backoff as before (see the
unpaced row: it still succeeds, more slowly and with many 429s); who knows their account's limit
sets the budget a little below it.`;

const STARTUP_NOTES = `## What start-up costs, and what was tried

The handler's HTTP goes through undici (issue 10): its \`Client\`, or its \`ProxyAgent\` when a proxy
is used, imported file by file (\`undici/lib/dispatcher/client\`), never the package's index, which
loads fetch, WebSocket and the rest. A run loads undici's JavaScript, compiles llhttp, undici's
HTTP parser, from WebAssembly, loads \`crypto\` to sign, makes its request and writes one line. The
*least undici request* rows are undici's share: what is left between them and the floor is undici
itself; between them and the handler, the handler's own work.

Kept, each measured against the same run without it (interleaved rounds on these 2 shared cores;
wall time moves by 10 ms from one minute to the next here, CPU time much less):

- **V8's code cache of the handler's program** (\`src/handler/launcher.ts\`): \`assets/handler.js\` is
  a small launcher with the program (the handler and undici, 330 KB minified) embedded as a string,
  which it compiles with \`vm.Script\` and the cached data of an earlier run. The first run on a
  machine makes the cache, just before the handler sets \`--liftoff-only\`: V8 refuses a cache made
  under other flags, so one made at exit, after the flag, would be refused at every start (which is
  why the first attempt, below, found no gain). Later runs skip the parsing and compiling of all the
  first one ran, undici's start included: the handler from about 1.6× the floor to about 1.4× (the
  *no code cache* row is the same handler with \`FPGA_ASSOC_CODE_CACHE=off\`, as a machine's first run
  is; it costs a little more than the bundle without a launcher did, about 3 ms for the 330 KB string
  and the cache's bookkeeping). The cache is about 160 KB, one file per program build, Node version
  and architecture, in the per-user private directory that the rate budget uses; it is read only when
  the user owns it and no one else can write it (see the README's security model).

- **\`--liftoff-only\`, set by the handler itself** (\`v8.setFlagsFromString\` in
  \`src/handler/dispatchers.ts\`, before the first connection): V8 compiles llhttp with Liftoff, its
  baseline compiler, in about 2 ms, then a second time with TurboFan in the background, and the
  process cannot exit before that is done. Liftoff alone reads a few short answers just as well.
  The least undici request goes from about 4× the floor to 1.5× (the two *least undici request*
  rows show it in every run).
- **The flag is set late**: once a V8 flag changes, V8 refuses the code cache of Node's built-in
  modules, and each built-in loaded afterwards is compiled from source. In one interleaved run, the
  least undici request cost 1.78× the floor with the flag set before undici's built-ins load, 1.29×
  with it set after them (CPU 64 ms against 56 ms). \`tls\` is loaded just before, and only for an
  https origin.
- **No \`node:http2\`**: undici's \`Client\` loads it as it starts, and it loads \`tls\`, \`crypto\`,
  \`fs/promises\` and \`readline\` with it, for HTTP/2 that the handler never offers (\`allowH2\` is
  off). The bundle gets \`src/handler/no-http2.ts\` instead (esbuild's \`alias\`), the shape undici
  itself falls back to when http2 is missing: the least undici request from 1.57× to 1.46× the
  floor (CPU 63 to 58 ms), the handler from about 2.0× to 1.7× (two quick runs).
- **A lean, minified bundle**: undici's client and nothing else at start; the proxy agent, its
  tunnel code and \`connect()\` are loaded only when a proxy is used. Minified, V8 parses 330 KB
  instead of 560 KB at each start (half of it llhttp's WebAssembly, as base64 text).

Measured and dropped:

- **A code cache made at exit** (\`vm.Script\` with \`cachedData\`, as \`v8-compile-cache\` does;
  Node 20.20 has no \`module.enableCompileCache\`, which came in 22.1): made after \`--liftoff-only\`,
  V8 refused it at every start, so it cost what it should have saved; kept in the form above, made
  before the flag. Also tried: preloading every built-in the handler uses, setting the flag first and
  then compiling with a cache made under it (about 1.55×, and any built-in loaded later loses Node's
  own code cache); resetting the flag before making the cache (V8 still refuses it: the flags the
  first one implies stay changed).
- **Other V8 flags for the WebAssembly** (\`--wasm-lazy-compilation\`, \`--no-wasm-tier-up\`, no SIMD):
  no gain over \`--liftoff-only\`.
- From before undici: **writing output with \`fs.writeSync\`**, **\`process.exit()\`** right after
  the line, \`--max-lazy\`, \`--single-threaded\`, \`--jitless\`, and **a start-up snapshot** (Node 20
  refuses \`require('http')\` in a user snapshot): no gain, or a loss.

Where the rest goes: without the code cache, undici's least request alone costs about 1.5× the
floor, before the handler does anything: loading undici's JavaScript (its client, request, parser
glue and header tables, about 100 KB minified) and compiling llhttp, which a \`node:http\` request
does not do (Node's own parser is C++, built into the binary). The code cache takes most of the
JavaScript's share away; what is left is running undici's and the handler's start (with cached
code), compiling and running llhttp (about 4 ms: V8 has no cache for WebAssembly in Node 20),
reading the cache (about 2 ms for 160 KB), and the handler's own work (checking inputs, signing,
one line of output). Over https, as in production, the floor loads \`tls\` too, and the handler
comes closer to it (the *https* rows).

Compare a change with \`npm run bench -- --only=handler-run --compare=path/to/other/handler.js\`: the
other bundle's associate runs join the same interleaved rounds (the *compare* row).`;
