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
 * (same scope, same id) and apply: it emits a Terraform `removed` block (Terraform 1.9 or newer) for
 * the association's `null_resource` that carries the destroy-time provisioner, so Terraform
 * disassociates before it forgets the resource. Without it, deleting the construct would orphan the
 * association: Terraform skips destroy-time provisioners of a block that is gone from the configuration.
 * Once applied, this construct may be deleted too.
 */
export class RemovedFpgaImageAssociation extends Construct {
  /** The address of the `null_resource` this removes, e.g. `null_resource.Assoc_Resource_1A2B3C4D`. */
  public readonly from: string;

  constructor(scope: Construct, id: string, props: RemovedFpgaImageAssociationProps = {}) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    // The same construct path gives the same logical ID the association's resource had.
    this.from = `null_resource.${stack.getLogicalId(new Construct(this, 'Resource').node)}`;
    new RemovedBlock(this, 'Removed', this.from, new HandlerProvisioners(this, props));
  }
}

/** A top-level `removed` block; cdktf 0.21 has no construct for it. */
class RemovedBlock extends TerraformElement {
  constructor(scope: Construct, id: string, private readonly from: string, private readonly provisioners: HandlerProvisioners) {
    super(scope, id);
  }

  public toTerraform(): any {
    return {
      removed: [{ from: this.from, lifecycle: { destroy: true }, provisioner: [this.provisioners.block('disassociate', 'destroy')] }],
    };
  }
}
