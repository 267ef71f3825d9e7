import { TerraformElement, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { FpgaImageAssociationHandlerOptions } from './handler-options';
import { HandlerProvisioners } from './private/provisioners';

/**
 * Properties of a removed FPGA image association.
 */
export interface RemovedFpgaImageAssociationProps extends FpgaImageAssociationHandlerOptions {}

/**
 * Removes an association whose `FpgaImageAssociation` was deleted from the code, in one step.
 *
 * Replace `new FpgaImageAssociation(scope, id, {...})` with `new RemovedFpgaImageAssociation(scope, id)`
 * (same scope, same id) and apply: it emits Terraform `removed` blocks (Terraform 1.9 or newer) for
 * the association's two `null_resource`s, the association's carrying the destroy-time provisioner,
 * so Terraform disassociates before it forgets them. Without it, deleting the construct would orphan the
 * association: Terraform skips destroy-time provisioners of a block that is gone from the configuration.
 * Once applied, this construct may be deleted too.
 */
export class RemovedFpgaImageAssociation extends Construct {
  /** The address of the `null_resource` this removes, e.g. `null_resource.Assoc_Resource_1A2B3C4D`. */
  public readonly from: string;

  constructor(scope: Construct, id: string, props: RemovedFpgaImageAssociationProps = {}) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    // The same construct paths give the same logical IDs the association's resources had.
    const address = (child: string) => `null_resource.${stack.getLogicalId(new Construct(this, child).node)}`;
    this.from = address('Resource');
    new RemovedBlocks(this, 'Removed', this.from, address('Associate'), new HandlerProvisioners(this, props));
  }
}

/** Top-level `removed` blocks, for the association and the step that made it; cdktf 0.21 has no construct for them. */
class RemovedBlocks extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly association: string,
    private readonly associate: string,
    private readonly provisioners: HandlerProvisioners,
  ) {
    super(scope, id);
  }

  public toTerraform(): any {
    return {
      removed: [
        { from: this.associate, lifecycle: { destroy: true } },
        { from: this.association, lifecycle: { destroy: true }, provisioner: [this.provisioners.block('disassociate', 'destroy')] },
      ],
    };
  }
}
