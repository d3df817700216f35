import {
  getNamedType,
  GraphQLError,
  isObjectType,
  isInterfaceType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { DEFAULT_FIRST, MAX_FIRST } from '../pagination/connection.js';

/**
 * Refuses an operation whose worst-case cost exceeds `maxCost`, before anything executes. The
 * cost is the number of fields the operation could resolve: every field counts 1, and the fields
 * under a connection count once per item it may return (its `first`, or the default page size;
 * a `first` given by a variable counts as the largest page). Nested connections multiply, which
 * is what a depth limit alone does not catch: `meshes(first: 100) { virtualRouters(first: 100)
 * { routes(first: 100) { spec } } }` is shallow but asks for a million specs. Fragments are
 * costed once each (memoised), so a document cannot make this check itself expensive.
 *
 * A field whose type is one of `dataTypes` (the App Mesh spec types: plain data that came with
 * its resource, resolved from memory) counts 1 with everything selected below it, however deep:
 * selecting the fields of a spec costs no more than asking for the spec as JSON.
 */
export function queryCostRule(maxCost: number, dataTypes: ReadonlySet<string> = new Set()): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const root =
        operation.operation === 'query'
          ? schema.getQueryType()
          : operation.operation === 'mutation'
            ? schema.getMutationType()
            : schema.getSubscriptionType();
      if (!root) return;
      const fragments = new Map(
        context
          .getDocument()
          .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
          .map((f) => [f.name.value, f]),
      );
      const cost = new CostCounter(schema, fragments, dataTypes).selectionSet(operation.selectionSet, root);
      if (cost > maxCost) {
        context.reportError(
          new GraphQLError(
            `The operation may resolve up to ${cost} fields, more than the limit of ${maxCost}: ask for smaller pages (first) or fewer nested connections.`,
            { nodes: [operation], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
          ),
        );
      }
    },
  });
}

class CostCounter {
  private readonly fragmentCosts = new Map<string, number>();
  private readonly visiting = new Set<string>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly dataTypes: ReadonlySet<string>,
  ) {}

  selectionSet(set: SelectionSetNode, parent: GraphQLCompositeType): number {
    let total = 0;
    for (const selection of set.selections) {
      switch (selection.kind) {
        case Kind.FIELD: {
          const fields = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields() : {};
          const field = fields[selection.name.value];
          total += 1;
          if (field && selection.selectionSet) {
            const child = getNamedType(field.type) as GraphQLCompositeType;
            if (this.dataTypes.has(child.name)) break;
            const isConnection = field.args.some((a) => a.name === 'first');
            const items = isConnection
              ? pageSize(selection.arguments?.find((a) => a.name.value === 'first')?.value)
              : 1;
            total += items * this.selectionSet(selection.selectionSet, child);
          }
          break;
        }
        case Kind.INLINE_FRAGMENT: {
          const type = selection.typeCondition
            ? (this.schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType | undefined)
            : parent;
          if (type) total += this.selectionSet(selection.selectionSet, type);
          break;
        }
        case Kind.FRAGMENT_SPREAD:
          total += this.fragment(selection.name.value);
          break;
      }
    }
    return total;
  }

  private fragment(name: string): number {
    const known = this.fragmentCosts.get(name);
    if (known !== undefined) return known;
    const fragment = this.fragments.get(name);
    // Unknown and cyclic fragments are refused by GraphQL's own rules; they cost nothing here.
    if (!fragment || this.visiting.has(name)) return 0;
    const type = this.schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined;
    if (!type) return 0;
    this.visiting.add(name);
    const cost = this.selectionSet(fragment.selectionSet, type);
    this.visiting.delete(name);
    this.fragmentCosts.set(name, cost);
    return cost;
  }
}

function pageSize(value: { kind: Kind; value?: unknown } | undefined): number {
  if (value === undefined) return DEFAULT_FIRST;
  if (value.kind === Kind.INT) return Math.max(1, Math.min(Number(value.value), MAX_FIRST));
  return MAX_FIRST;
}
