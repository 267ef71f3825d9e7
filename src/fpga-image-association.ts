import { Resource } from '@cdktf/provider-null/lib/resource';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { FpgaImageAssociationHandlerOptions } from './handler-options';
import { AssociateStep } from './private/associate-step';
import { DriftCheck } from './private/drift-check';
import { fail, HandlerProvisioners, REGION_TRIGGER } from './private/provisioners';
import { checkEndpoint, checkId, checkRegion, endpointForRegion, IdField, regionOfEndpoint } from './rules';

/**
 * Properties of an FPGA image association.
 */
export interface FpgaImageAssociationProps extends FpgaImageAssociationHandlerOptions {
  /**
   * The Huawei Cloud project ID (32 lowercase hexadecimal characters).
   *
   * When omitted, the handler finds the project where Terraform runs, as terraform-provider-huaweicloud
   * does: `HW_PROJECT_ID`, else the profile's `projectId`, else the one IAM project named after the
   * region (one signed lookup per machine, cached). `region` is then required. Moving an existing
   * association between an omitted and an explicit `projectId` replaces it: one disassociate, then
   * one associate.
   *
   * @default - the project of `region` for the credentials in use
   */
  readonly projectId?: string;

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
   * Whether every plan checks that the association still exists in the cloud. When it was removed
   * behind Terraform's back, the plan shows a warning that names the FPGA image, the ECS image and
   * the `terraform apply -replace=...` that associates them again. A query that cannot be answered
   * (the API is unreachable, say) is a warning too: the check never fails a plan. Needs the
   * `hashicorp/external` provider (2.3 or newer) and Terraform 1.5 or newer; see docs/TEMPLATES.md.
   *
   * @default false
   */
  readonly driftCheck?: boolean;
}

/**
 * Associates a Huawei Cloud FPGA image with an ECS image, and removes the association when the
 * resource is destroyed (`terraform destroy`, `cdktf destroy`, a replacement, or `enabled: false`).
 *
 * Defines two `null_resource`s: the association (`resource`), whose destroy-time `local-exec`
 * provisioner runs the bundled handler to disassociate, and the step that makes it (`Associate`, which
 * depends on it), whose create-time `local-exec` provisioner runs the handler to associate. A failed
 * or interrupted associate taints only the step, so the association is always disassociated by
 * destroy, whatever happened to the associate. The handler signs each request with credentials it
 * finds where Terraform runs, in terraform-provider-huaweicloud's order: a KooCLI profile
 * (`HW_PROFILE`, `HW_SHARED_CONFIG_FILE`), the environment (`HW_ACCESS_KEY`, `HW_SECRET_KEY`,
 * optional `HW_SECURITY_TOKEN`), or the ECS metadata service, then assumes an agency if one is
 * configured; no credential is ever part of the configuration or the state.
 */
export class FpgaImageAssociation extends Construct {
  /** The `null_resource` that carries the association: its destroy-time provisioner disassociates. */
  public readonly resource: Resource;

  /**
   * The `null_resource` whose create-time provisioner associates (see AssociateStep).
   * @internal
   */
  public readonly _associate: Resource;

  /** The base URL of the ECS API the handler calls. */
  public readonly endpoint: string;

  private readonly exists: boolean;
  private readonly props: FpgaImageAssociationProps;

  constructor(scope: Construct, id: string, props: FpgaImageAssociationProps) {
    super(scope, id);

    if (props.projectId !== undefined) this.checkId('projectId', props.projectId);
    this.checkId('fpgaImageId', props.fpgaImageId);
    this.checkId('imageId', props.imageId);
    this.endpoint = this.resolveEndpoint(props);
    const provisioners = new HandlerProvisioners(this, props);

    // Only identity fields: a change replaces the association. Never a credential: state is plain text.
    // Without projectId the project is the region's, so the region is part of the identity (an empty
    // project_id keeps one shape of provisioner for both).
    const triggers: Record<string, string> = {
      project_id: props.projectId ?? '',
      fpga_image_id: props.fpgaImageId,
      image_id: props.imageId,
      endpoint: this.endpoint,
      ...(props.projectId === undefined ? { [REGION_TRIGGER]: this.regionForProjectLookup(props) } : {}),
    };
    this.resource = new Resource(this, 'Resource', { triggers, count: props.enabled === false ? 0 : undefined });

    // Written raw because cdktf's typed provisioners lack `on_failure`; nothing else sets provisioners.
    this.resource.addOverride('provisioner', [provisioners.block('disassociate', 'destroy')]);
    this._associate = new AssociateStep(this, 'Associate', this.resource, provisioners, Object.keys(triggers));

    this.props = props;
    this.exists = props.enabled !== false;
    if (props.driftCheck === true && this.exists) new DriftCheck(this, 'DriftCheck', this.resource, this._associate, provisioners);

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

  /**
   * The FPGA image ID, as a reference to the step that associates: whatever uses it (a
   * `TerraformOutput`, another resource) waits until the association was made. The plain value when
   * `enabled` is false.
   */
  public get fpgaImageId(): string {
    return this.exists ? this.trigger('fpga_image_id') : this.props.fpgaImageId;
  }

  /** The ECS image ID, as a reference to the step that associates (see `fpgaImageId`). */
  public get imageId(): string {
    return this.exists ? this.trigger('image_id') : this.props.imageId;
  }

  /**
   * `<fpgaImageId>/<imageId>`, the identity of the association (Huawei Cloud gives it no ID of its
   * own), as a reference to the step that associates (see `fpgaImageId`).
   */
  public get associationId(): string {
    return `${this.fpgaImageId}/${this.imageId}`;
  }

  /** Made on demand: a reference token captures a stack trace, which costs at a thousand associations. */
  private trigger(key: string): string {
    return Token.asString(this._associate.interpolationForAttribute(`triggers.${key}`));
  }

  private checkId(field: IdField, value: string): void {
    if (Token.isUnresolved(value)) return;
    const error = checkId(field, value);
    if (error) fail(this, error);
  }

  /** The region whose project the handler looks up when projectId is omitted: the prop, or the region of a Huawei ECS endpoint. */
  private regionForProjectLookup(props: FpgaImageAssociationProps): string {
    if (props.region !== undefined) return props.region;
    const fromEndpoint = Token.isUnresolved(this.endpoint) ? undefined : regionOfEndpoint(this.endpoint);
    if (fromEndpoint !== undefined) return fromEndpoint;
    return fail(this, `region is required when projectId is omitted: the project is looked up by the region's name (got endpoint ${this.endpoint} and no region); `
      + 'set region (e.g. cn-north-1), or projectId');
  }

  private resolveEndpoint(props: FpgaImageAssociationProps): string {
    if (props.region !== undefined && !Token.isUnresolved(props.region)) {
      const error = checkRegion(props.region);
      if (error) fail(this, error);
    }
    if (props.endpoint !== undefined) {
      if (Token.isUnresolved(props.endpoint)) return props.endpoint;
      const { origin, error } = checkEndpoint(props.endpoint);
      if (error) fail(this, error);
      return origin!;
    }
    if (props.region === undefined) {
      fail(this, 'region is required unless endpoint is given: expected one of cn-north-1, cn-east-2, cn-south-1');
    }
    return endpointForRegion(props.region);
  }
}
