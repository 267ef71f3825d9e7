import * as fs from 'node:fs';
import * as path from 'node:path';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { Resource } from '@cdktf/provider-null/lib/resource';
import {
  Annotations,
  AssetType,
  Aspects,
  IAspect,
  TerraformAsset,
  TerraformProvider,
  TerraformStack,
  Token,
} from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { HANDLER_DEFAULTS, INPUT_ENV, Operation } from './contract';
import { checkEndpoint, checkId, checkRegion, endpointForRegion, IdField, showValue } from './rules';

/**
 * Properties of an FPGA image association.
 */
export interface FpgaImageAssociationProps {
  /**
   * The Huawei Cloud project ID (32 lowercase hexadecimal characters).
   */
  readonly projectId: string;

  /**
   * The FPGA image ID (32 lowercase hexadecimal characters).
   */
  readonly fpgaImageId: string;

  /**
   * The ID of the private ECS image to associate the FPGA image with (a lowercase UUID).
   */
  readonly imageId: string;

  /**
   * The region: one of cn-north-1, cn-east-2 or cn-south-1, where the FPGA-image API is available.
   *
   * @default - required unless `endpoint` is given
   */
  readonly region?: string;

  /**
   * The base URL of the ECS API. `https://` is required, except for a loopback host (such as the
   * bundled emulator at `http://127.0.0.1:PORT`).
   *
   * @default - `https://ecs.{region}.myhuaweicloud.com`
   */
  readonly endpoint?: string;

  /**
   * Whether the association exists. Set it to `false` and apply to remove an association while its
   * block (and so its destroy-time provisioner) is still in the configuration; then delete the
   * construct from the code. Deleting the construct directly would orphan the association, because
   * Terraform skips the destroy-time provisioners of a block that is no longer in the configuration.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * How long one HTTP attempt may take, in seconds.
   *
   * @default 15
   */
  readonly attemptTimeoutSeconds?: number;

  /**
   * How long one associate or disassociate operation may take in all, retries included, in seconds.
   *
   * @default 300
   */
  readonly totalTimeoutSeconds?: number;

  /**
   * How many HTTP attempts one operation may make before it gives up on transient failures
   * (throttling, 5xx, resets, timeouts).
   *
   * @default 8
   */
  readonly maxAttempts?: number;

  /**
   * The Node.js executable that runs the handler where Terraform runs (a name on PATH or an
   * absolute path). Node 20 or newer.
   *
   * @default "node"
   */
  readonly nodeExecutable?: string;
}

/** The handler bundle, at the same depth below the package root from `src/` (tests) and `lib/`. */
const HANDLER_BUNDLE = path.join(__dirname, '..', 'assets', 'handler.js');
const HANDLER_ASSET_ID = 'FpgaImageAssociationHandler';
const NULL_PROVIDER_ID = 'FpgaImageAssociationNullProvider';
const NODE_EXECUTABLE = /^[A-Za-z0-9_.\/\\: +-]+$/;

/**
 * Associates a Huawei Cloud FPGA image with an ECS image, and removes the association when the
 * resource is destroyed (`terraform destroy`, `cdktf destroy`, a replacement, or `enabled: false`).
 *
 * Defines one `null_resource` whose create-time `local-exec` provisioner runs the bundled handler to
 * associate, and whose destroy-time `local-exec` provisioner runs it to disassociate. The handler
 * signs each request with the AK/SK it reads from the environment of the process that runs
 * Terraform (`HW_ACCESS_KEY`, `HW_SECRET_KEY`, optional `HW_SECURITY_TOKEN`); no credential is ever
 * part of the configuration or the state.
 */
export class FpgaImageAssociation extends Construct {
  /** The `null_resource` that carries the association. */
  public readonly resource: Resource;

  /** The base URL of the ECS API the handler calls. */
  public readonly endpoint: string;

  constructor(scope: Construct, id: string, props: FpgaImageAssociationProps) {
    super(scope, id);

    this.checkId('projectId', props.projectId);
    this.checkId('fpgaImageId', props.fpgaImageId);
    this.checkId('imageId', props.imageId);
    this.endpoint = this.resolveEndpoint(props);
    const tuning = this.tuningEnvironment(props);
    const node = props.nodeExecutable ?? 'node';
    if (!Token.isUnresolved(node) && !NODE_EXECUTABLE.test(node)) {
      this.fail(`invalid nodeExecutable ${showValue(node)}: expected a command name or path (letters, digits, space, _ . / \\ : + -)`);
    }

    const stack = TerraformStack.of(this);
    const handler = handlerAsset(stack);
    ensureDefaultNullProvider(stack);

    this.resource = new Resource(this, 'Resource', {
      // Only identity fields: a change replaces the association. Never a credential: state is plain text.
      triggers: {
        project_id: props.projectId,
        fpga_image_id: props.fpgaImageId,
        image_id: props.imageId,
        endpoint: this.endpoint,
      },
      count: props.enabled === false ? 0 : undefined,
    });

    // Written raw because cdktf's typed provisioners lack `on_failure`; nothing else sets provisioners.
    // Values reach the handler through `environment` only: no prop value is on a command line.
    const provisioner = (operation: Operation, when: 'create' | 'destroy') => ({
      'local-exec': {
        when,
        on_failure: 'fail',
        interpreter: [node, `\${path.module}/${handler.path}`],
        command: operation,
        environment: {
          [INPUT_ENV.projectId]: '${self.triggers.project_id}',
          [INPUT_ENV.fpgaImageId]: '${self.triggers.fpga_image_id}',
          [INPUT_ENV.imageId]: '${self.triggers.image_id}',
          [INPUT_ENV.endpoint]: '${self.triggers.endpoint}',
          ...tuning,
        },
      },
    });
    this.resource.addOverride('provisioner', [provisioner('associate', 'create'), provisioner('disassociate', 'destroy')]);

    // create_before_destroy disables destroy-time provisioners: the old association would be orphaned.
    this.node.addValidation({
      validate: () => {
        const block = this.resource.toTerraform().resource?.null_resource?.[this.resource.friendlyUniqueId];
        return block?.lifecycle?.create_before_destroy === true
          ? [
            `${this.node.path}: lifecycle.create_before_destroy must not be set: Terraform skips destroy-time provisioners with it, so a replaced association would never be removed`,
          ]
          : [];
      },
    });
  }

  private fail(message: string): never {
    throw new Error(`${this.node.path}: ${message}`);
  }

  private checkId(field: IdField, value: string): void {
    if (Token.isUnresolved(value)) return;
    const error = checkId(field, value);
    if (error) this.fail(error);
  }

  private resolveEndpoint(props: FpgaImageAssociationProps): string {
    if (props.region !== undefined && !Token.isUnresolved(props.region)) {
      const error = checkRegion(props.region);
      if (error) this.fail(error);
    }
    if (props.endpoint !== undefined) {
      if (Token.isUnresolved(props.endpoint)) return props.endpoint;
      const { origin, error } = checkEndpoint(props.endpoint);
      if (error) this.fail(error);
      return origin!;
    }
    if (props.region === undefined) {
      this.fail('region is required unless endpoint is given: expected one of cn-north-1, cn-east-2, cn-south-1');
    }
    return endpointForRegion(props.region);
  }

  /** Tuning that differs from the handler's defaults, as literal environment values. */
  private tuningEnvironment(props: FpgaImageAssociationProps): Record<string, string> {
    const env: Record<string, string> = {};
    const set = (prop: keyof FpgaImageAssociationProps, value: number | undefined, min: number, max: number, scale: number, envName: string) => {
      if (value === undefined) return;
      if (!Number.isInteger(value) || value < min || value > max) {
        this.fail(`invalid ${prop} ${value}: expected a whole number from ${min} to ${max}`);
      }
      env[envName] = String(value * scale);
    };
    set('attemptTimeoutSeconds', props.attemptTimeoutSeconds, 1, 600, 1000, INPUT_ENV.attemptTimeoutMs);
    set('totalTimeoutSeconds', props.totalTimeoutSeconds, 1, 3600, 1000, INPUT_ENV.totalTimeoutMs);
    set('maxAttempts', props.maxAttempts, 1, 100, 1, INPUT_ENV.maxAttempts);
    const attempt = props.attemptTimeoutSeconds ?? HANDLER_DEFAULTS.attemptTimeoutMs / 1000;
    const total = props.totalTimeoutSeconds ?? HANDLER_DEFAULTS.totalTimeoutMs / 1000;
    if (attempt > total) {
      this.fail(`invalid attemptTimeoutSeconds ${attempt}: expected at most totalTimeoutSeconds (${total})`);
    }
    return env;
  }
}

/** The handler bundle, shipped once per stack so that the synthesized directory is self-contained. */
function handlerAsset(stack: TerraformStack): TerraformAsset {
  const existing = stack.node.tryFindChild(HANDLER_ASSET_ID);
  if (existing) return existing as TerraformAsset;
  if (!fs.existsSync(HANDLER_BUNDLE)) {
    throw new Error(`the handler bundle ${HANDLER_BUNDLE} is missing: build it with \`npx projen bundle\` (a packaged release ships it)`);
  }
  return new TerraformAsset(stack, HANDLER_ASSET_ID, { path: HANDLER_BUNDLE, type: AssetType.FILE });
}

/**
 * Makes sure the stack has exactly one default (unaliased) null provider, whether or not the user
 * declared one, before or after this construct: decided at synth, once the whole stack is known.
 */
function ensureDefaultNullProvider(stack: TerraformStack): void {
  if (stack.node.tryFindChild(NULL_PROVIDER_ID) || Aspects.of(stack).all.some((a) => a instanceof DefaultNullProvider)) return;
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
