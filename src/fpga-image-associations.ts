import { Resource } from '@cdktf/provider-null/lib/resource';
import { TerraformIterator, Token } from 'cdktf';
import { Construct } from 'constructs';
import { FpgaImageAssociation } from './fpga-image-association';
import { FpgaImageAssociationHandlerOptions } from './handler-options';
import { DriftCheck } from './private/drift-check';
import { fail, HandlerProvisioners } from './private/provisioners';
import { checkId, showValue } from './rules';

/**
 * Properties of the associations of one FPGA image with many ECS images.
 */
export interface FpgaImageAssociationsProps extends FpgaImageAssociationHandlerOptions {
  /**
   * The Huawei Cloud project ID (32 lowercase hexadecimal characters). See
   * `FpgaImageAssociationProps.projectId` for what omitting it does.
   *
   * @default - the project of `region` for the credentials in use
   */
  readonly projectId?: string;

  /**
   * The FPGA image ID (32 lowercase hexadecimal characters).
   */
  readonly fpgaImageId: string;

  /**
   * The IDs of the private ECS images to associate the FPGA image with (lowercase UUIDs), each once.
   * Their order does not matter: each pair is keyed by its image ID, so reordering the list changes
   * nothing, and removing an ID removes that association (and only that one).
   *
   * May be a token (a `TerraformVariable`'s `listValue`, say) whose value Terraform knows at plan
   * time; its IDs are then checked by the handler when Terraform applies.
   */
  readonly imageIds: string[];

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
   * Whether the associations exist. Set it to `false` and apply to remove them all while the
   * construct (and so the destroy-time provisioner) is still in the configuration; then delete the
   * construct from the code, or replace it with a `RemovedFpgaImageAssociation` of the same id.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Whether every plan checks that each association still exists in the cloud, and warns, naming the
   * pair, about one removed behind Terraform's back. See `FpgaImageAssociationProps.driftCheck`.
   *
   * @default false
   */
  readonly driftCheck?: boolean;
}

/**
 * Associates one Huawei Cloud FPGA image with many ECS images, each pair its own instance of one
 * `null_resource` with `for_each`, keyed by the ECS image ID: reordering `imageIds` changes nothing,
 * adding an ID associates that image, and removing one disassociates it (the block stays in the
 * configuration, so its destroy-time provisioner runs).
 *
 * Each pair behaves as an `FpgaImageAssociation`, which this construct uses as its default child.
 */
export class FpgaImageAssociations extends Construct {
  /**
   * The `null_resource` whose instances (`for_each`, keyed by ECS image ID) carry the associations;
   * a second one, with the same keys, makes them (see `FpgaImageAssociation`).
   */
  public readonly resource: Resource;

  /** The base URL of the ECS API the handler calls. */
  public readonly endpoint: string;

  /** The FPGA image ID. */
  public readonly fpgaImageId: string;

  /**
   * The ECS image IDs with an association, read from the steps that associate (sorted): whatever
   * uses them waits until the associations were made.
   */
  public readonly imageIds: string[];

  /**
   * Each ECS image ID mapped to its association ID, `<fpgaImageId>/<imageId>`, read from the steps
   * that associate (see `imageIds`). Pass it to a `TerraformOutput`, or look one up with `Fn.lookup`.
   */
  public readonly associationIds: { [imageId: string]: string };

  constructor(scope: Construct, id: string, props: FpgaImageAssociationsProps) {
    super(scope, id);
    const imageIds = this.checkImageIds(props.imageIds);
    const each = TerraformIterator.fromList(props.enabled === false ? [] : imageIds);
    // The default child: its resource has the address a single association with this id would have.
    const association = new FpgaImageAssociation(this, 'Default', {
      ...props,
      imageId: Token.asString(each.value),
      enabled: true,
      driftCheck: false,
    });
    this.resource = association.resource;
    this.resource.forEach = each;
    association._associate.forEach = TerraformIterator.fromResources(this.resource);
    this.endpoint = association.endpoint;
    this.fpgaImageId = props.fpgaImageId;

    // Read from the steps that associate, so that whatever uses them waits until the associations were made.
    const made = TerraformIterator.fromResources(association._associate);
    this.imageIds = Token.asList(made.keys());
    this.associationIds = Token.asStringMap(made.forExpressionForMap('key', 'join("/", [val.triggers.fpga_image_id, val.triggers.image_id])'));
    if (props.driftCheck === true && props.enabled !== false) {
      new DriftCheck(this, 'DriftCheck', this.resource, association._associate, new HandlerProvisioners(this, props));
    }
  }

  /** Literal IDs are checked now and sorted, so that the synthesized configuration ignores their order too. */
  private checkImageIds(imageIds: string[]): string[] {
    if (Token.isUnresolved(imageIds)) return imageIds;
    const literal = imageIds.filter((imageId) => !Token.isUnresolved(imageId));
    literal.forEach((imageId) => {
      const error = checkId('imageId', imageId, 'imageIds entry');
      if (error) fail(this, error);
    });
    const repeated = [...new Set(literal.filter((imageId, i) => literal.indexOf(imageId) !== i))];
    if (repeated.length > 0) {
      fail(this, `imageIds lists ${repeated.map(showValue).join(', ')} more than once: expected each ECS image ID once`);
    }
    return [...imageIds].sort();
  }
}
