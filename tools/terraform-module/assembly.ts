/**
 * The construct's props as the jsii assembly (`.jsii`) describes them: names, optionality, types and
 * docs, inherited props included. The module's variables follow from these, so a prop added to
 * `FpgaImageAssociationProps` reaches the module (or stops the generator until it is wired).
 */
import * as fs from 'node:fs';

export interface Docs {
  readonly summary?: string;
  readonly remarks?: string;
  readonly default?: string;
}

/** A prop's type: a primitive, or a struct with props of its own. */
export type PropType = { readonly primitive: 'string' | 'number' | 'boolean' } | { readonly struct: string; readonly props: readonly Prop[] };

export interface Prop {
  /** As in TypeScript, e.g. `fpgaImageId`. */
  readonly name: string;
  readonly optional: boolean;
  readonly type: PropType;
  readonly docs: Docs;
}

interface AssemblyProperty {
  name: string;
  optional?: boolean;
  type: { primitive?: string; fqn?: string; collection?: unknown };
  docs?: Docs;
}

interface AssemblyType {
  kind: string;
  datatype?: boolean;
  interfaces?: string[];
  properties?: AssemblyProperty[];
}

export class Assembly {
  private readonly types: Record<string, AssemblyType>;
  public readonly name: string;
  public readonly version: string;

  constructor(file: string) {
    const assembly = JSON.parse(fs.readFileSync(file, 'utf8'));
    this.types = assembly.types;
    this.name = assembly.name;
    this.version = assembly.version;
  }

  /** Every prop of the struct `name` (e.g. `FpgaImageAssociationProps`), its own first, then the inherited ones. */
  props(name: string): Prop[] {
    const fqn = `${this.name}.${name}`;
    const type = this.types[fqn];
    if (type?.kind !== 'interface' || !type.datatype) throw new Error(`${fqn} is not a struct in the jsii assembly`);
    const own = (type.properties ?? []).map((p) => this.prop(fqn, p));
    const inherited = (type.interfaces ?? []).flatMap((parent) => this.props(parent.slice(this.name.length + 1)));
    return [...own, ...inherited];
  }

  private prop(owner: string, property: AssemblyProperty): Prop {
    const { primitive, fqn } = property.type;
    let type: PropType;
    if (primitive === 'string' || primitive === 'number' || primitive === 'boolean') {
      type = { primitive };
    } else if (fqn?.startsWith(`${this.name}.`)) {
      const struct = fqn.slice(this.name.length + 1);
      type = { struct, props: this.props(struct) };
    } else {
      throw new Error(`${owner}.${property.name}: its type ${JSON.stringify(property.type)} has no Terraform variable type here`);
    }
    return { name: property.name, optional: property.optional === true, type, docs: property.docs ?? {} };
  }
}

/** `fpgaImageId` → `fpga_image_id`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
