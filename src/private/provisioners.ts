import * as fs from 'node:fs';
import * as path from 'node:path';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { Annotations, AssetType, Aspects, IAspect, TerraformAsset, TerraformProvider, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { ASSUME_ROLE_DURATION, HANDLER_DEFAULTS, INPUT_ENV, isRequestsPerSecond, Operation, REQUESTS_PER_SECOND_EXPECTED } from '../contract';
import { FpgaImageAssociationHandlerOptions as HandlerOptions } from '../handler-options';
import { checkAgencyField, showValue } from '../rules';

/** The shipped files, at the same depth below the package root from `src/` (tests) and `lib/`. */
const ASSETS = path.join(__dirname, '..', '..', 'assets');
/** The handler bundle, and the launcher that picks (or fetches) the Node that runs it (src/node-launcher/). */
const HANDLER_ASSET = { id: 'FpgaImageAssociationHandler', file: path.join(ASSETS, 'handler.js') };
const LAUNCHER_ASSET = { id: 'FpgaImageAssociationNodeLauncher', file: path.join(ASSETS, 'node-launcher.sh') };
const NULL_PROVIDER_ID = 'FpgaImageAssociationNullProvider';
const NODE_EXECUTABLE = /^[A-Za-z0-9_.\/\\: +-]+$/;

/** The trigger that carries the region, by which the handler looks the project up, when `projectId` is omitted. */
export const REGION_TRIGGER = 'region';

/** Thrown for a bad prop: names the construct, the prop, the value and what is expected. */
export function fail(scope: Construct, message: string): never {
  throw new Error(`${scope.node.path}: ${message}`);
}

/**
 * Builds the `local-exec` provisioner blocks of one association. They reference only `self.*` and
 * `path.*` (all a destroy-time provisioner may use), run the handler through its launcher (or the
 * `nodeExecutable` given), and pass every value through `environment`: no prop value is ever part of
 * a command line.
 */
export class HandlerProvisioners {
  /** The tuning the user set, as the handler's input variables (see ../contract's INPUT_ENV). */
  public readonly tuning: Readonly<Record<string, string>>;
  /** The agency to assume, as the handler's input variables; empty without `assumeRole`. */
  public readonly agency: Readonly<Record<string, string>>;
  /** What runs the handler: the launcher under `sh`, or the `nodeExecutable` given, which bypasses it (Windows). */
  private readonly runner: readonly string[];
  private readonly handlerPath: string;

  constructor(scope: Construct, options: HandlerOptions) {
    const stack = TerraformStack.of(scope);
    this.handlerPath = modulePath(asset(stack, HANDLER_ASSET));
    ensureDefaultNullProvider(stack);
    this.tuning = tuningEnvironment(scope, options);
    this.agency = agencyEnvironment(scope, options);
    const node = options.nodeExecutable;
    if (node !== undefined && !Token.isUnresolved(node) && !NODE_EXECUTABLE.test(node)) {
      fail(scope, `invalid nodeExecutable ${showValue(node)}: expected a command name or path (letters, digits, space, _ . / \\ : + -)`);
    }
    this.runner = node === undefined ? ['sh', modulePath(asset(stack, LAUNCHER_ASSET))] : [node];
  }

  /** The handler as a program run without a shell, e.g. by the drift check's external data source. */
  public program(operation: Operation): string[] {
    return [...this.runner, this.handlerPath, operation];
  }

  public block(operation: Operation, when: 'create' | 'destroy') {
    return {
      'local-exec': {
        when: keyword(when),
        on_failure: keyword('fail'),
        interpreter: [...this.runner, this.handlerPath],
        command: operation,
        environment: {
          [INPUT_ENV.projectId]: '${self.triggers.project_id}',
          [INPUT_ENV.fpgaImageId]: '${self.triggers.fpga_image_id}',
          [INPUT_ENV.imageId]: '${self.triggers.image_id}',
          [INPUT_ENV.endpoint]: '${self.triggers.endpoint}',
          // Only an association without projectId has this trigger, and a `removed` block cannot know which it removes.
          [INPUT_ENV.region]: `\${lookup(self.triggers, "${REGION_TRIGGER}", "")}`,
          ...this.tuning,
          ...this.agency,
        },
      },
    };
  }
}

/** `assumeRole` as literal environment values: a destroy-time provisioner can read no variable. */
function agencyEnvironment(scope: Construct, { assumeRole }: HandlerOptions): Record<string, string> {
  if (assumeRole === undefined) return {};
  const { agencyName, domainName, domainId, durationSeconds } = assumeRole;
  const literal = (prop: string, value: string | number | undefined) => {
    if (value !== undefined && Token.isUnresolved(value)) {
      fail(scope, `assumeRole.${prop} must be a literal value, not a token: destroy-time provisioners can read no Terraform variable`);
    }
  };
  literal('agencyName', agencyName);
  literal('domainName', domainName);
  literal('domainId', domainId);
  literal('durationSeconds', durationSeconds);
  const check = (error: string | undefined) => {
    if (error) fail(scope, error);
  };
  check(checkAgencyField('agencyName', agencyName, 'assumeRole.agencyName'));
  if ((domainName === undefined) === (domainId === undefined)) {
    fail(scope, `assumeRole needs exactly one of domainName and domainId (the delegating account), got ${domainName === undefined ? 'neither' : 'both'}`);
  }
  if (domainName !== undefined) check(checkAgencyField('domainName', domainName, 'assumeRole.domainName'));
  if (domainId !== undefined) check(checkAgencyField('domainId', domainId, 'assumeRole.domainId'));
  const { min, max } = ASSUME_ROLE_DURATION;
  if (durationSeconds !== undefined && (!Number.isInteger(durationSeconds) || durationSeconds < min || durationSeconds > max)) {
    fail(scope, `invalid assumeRole.durationSeconds ${durationSeconds}: expected a whole number of seconds from ${min} to ${max}`);
  }
  const env: Record<string, string> = { [INPUT_ENV.assumeRoleAgencyName]: agencyName };
  if (domainName !== undefined) env[INPUT_ENV.assumeRoleDomainName] = domainName;
  if (domainId !== undefined) env[INPUT_ENV.assumeRoleDomainId] = domainId;
  if (durationSeconds !== undefined) env[INPUT_ENV.assumeRoleDurationSeconds] = String(durationSeconds);
  return env;
}

/**
 * A keyword's value. `cdktf synth --hcl` (SYNTH_HCL_OUTPUT, as cdktf's stack reads it) quotes strings, which
 * Terraform warns is deprecated for keywords; what its renderer takes for a reference, it writes bare.
 */
function keyword(value: string): string | object {
  return /^(true|1)$/.test(process.env.SYNTH_HCL_OUTPUT ?? '') ? { value, type: 'reference' } : value;
}

/** Tuning that the user set, as literal environment values; the handler's defaults apply otherwise. */
function tuningEnvironment(scope: Construct, options: HandlerOptions): Record<string, string> {
  const env: Record<string, string> = {};
  const set = (prop: keyof HandlerOptions, min: number, max: number, scale: number, envName: string) => {
    const value = options[prop] as number | undefined;
    if (value === undefined) return;
    if (!Number.isInteger(value) || value < min || value > max) {
      fail(scope, `invalid ${prop} ${value}: expected a whole number from ${min} to ${max}`);
    }
    env[envName] = String(value * scale);
  };
  set('attemptTimeoutSeconds', 1, 600, 1000, INPUT_ENV.attemptTimeoutMs);
  set('totalTimeoutSeconds', 1, 3600, 1000, INPUT_ENV.totalTimeoutMs);
  set('maxAttempts', 1, 100, 1, INPUT_ENV.maxAttempts);
  const rate = options.maxRequestsPerSecond;
  if (rate !== undefined) {
    if (!isRequestsPerSecond(String(rate))) fail(scope, `invalid maxRequestsPerSecond ${rate}: expected ${REQUESTS_PER_SECOND_EXPECTED}`);
    env[INPUT_ENV.maxRequestsPerSecond] = String(rate);
  }
  const attempt = options.attemptTimeoutSeconds ?? HANDLER_DEFAULTS.attemptTimeoutMs / 1000;
  const total = options.totalTimeoutSeconds ?? HANDLER_DEFAULTS.totalTimeoutMs / 1000;
  if (attempt > total) fail(scope, `invalid attemptTimeoutSeconds ${attempt}: expected at most totalTimeoutSeconds (${total})`);
  return env;
}

/** A shipped file, as a stack's asset once per stack, so that the synthesized directory is self-contained. */
function asset(stack: TerraformStack, { id, file }: { id: string; file: string }): TerraformAsset {
  const existing = stack.node.tryFindChild(id);
  if (existing) return existing as TerraformAsset;
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: build it with \`npx projen bundle\` (a packaged release ships it)`);
  }
  return new TerraformAsset(stack, id, { path: file, type: AssetType.FILE });
}

/** An asset's path as a provisioner or data source sees it: relative to the stack's directory. */
function modulePath(fileAsset: TerraformAsset): string {
  return `\${path.module}/${fileAsset.path}`;
}

/**
 * Makes sure the stack has exactly one default (unaliased) null provider, whether or not the user
 * declared one, before or after this construct: decided at synth, once the whole stack is known.
 */
function ensureDefaultNullProvider(stack: TerraformStack): void {
  if (Aspects.of(stack).all.some((a) => a instanceof DefaultNullProvider)) return;
  Aspects.of(stack).add(new DefaultNullProvider());
}

class DefaultNullProvider implements IAspect {
  public visit(node: IConstruct): void {
    if (!(node instanceof TerraformStack)) return;
    const defaults = node.node
      .findAll()
      .filter((c) => TerraformProvider.isTerraformProvider(c) && c.terraformResourceType === NullProvider.tfResourceType && !c.alias);
    if (defaults.length === 0) {
      new NullProvider(node, NULL_PROVIDER_ID);
    } else if (defaults.length > 1) {
      Annotations.of(node).addError(`the stack declares ${defaults.length} default null providers; keep one (FpgaImageAssociation needs exactly one)`);
    }
  }
}
