import { Resource } from '@cdktf/provider-null/lib/resource';
import { Construct } from 'constructs';
import { HandlerProvisioners } from './provisioners';

/** The step's own trigger: the association's `id`, new whenever the association is (re)created. */
export const ASSOCIATION_ID_TRIGGER = 'association_id';

/**
 * The step that makes an association: a `null_resource` that depends on the association's
 * `null_resource` and whose only provisioner is the create-time `associate`.
 *
 * Terraform taints a resource whose create-time provisioner fails or is interrupted, and never runs
 * the destroy-time provisioners of a tainted resource. Kept apart, a failed or interrupted associate
 * (an answer lost after the API acted, say) taints only this step: the association, which carries
 * the destroy-time `disassociate`, stays in the state untainted, so destroy, `count = 0`, a
 * replacement or a `removed` block still disassociates. The next apply replaces the tainted step,
 * which runs the (idempotent) associate again.
 *
 * Its triggers are references to the association: its `id`, which changes exactly when the
 * association is replaced (so a new pair is always associated after the old one was removed), and
 * the identity triggers, so that the provisioner reads `self` like the destroy-time one, and outputs
 * and the drift check that read them wait for the associate.
 *
 * Its `count` follows the association's. With `for_each` (FpgaImageAssociations sets it on both),
 * each instance makes the association instance of the same key.
 */
export class AssociateStep extends Resource {
  constructor(
    scope: Construct,
    id: string,
    private readonly association: Resource,
    provisioners: HandlerProvisioners,
    /** The association's trigger keys (its identity), which the step carries too. */
    private readonly identity: readonly string[],
  ) {
    super(scope, id);
    this.addOverride('provisioner', [provisioners.block('associate', 'create')]);
  }

  public toTerraform(): any {
    const address = `null_resource.${this.association.friendlyUniqueId}`;
    const many = this.forEach !== undefined;
    const counted = this.association.count !== undefined;
    const pair = many ? 'each.value' : counted ? `${address}[count.index]` : address;
    this.count = this.association.count;
    this.triggers = {
      [ASSOCIATION_ID_TRIGGER]: `\${${pair}.id}`,
      ...Object.fromEntries(this.identity.map((key) => [key, `\${${pair}.triggers.${key}}`])),
    };
    return super.toTerraform();
  }
}
