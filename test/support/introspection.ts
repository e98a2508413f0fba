import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

/** A GraphQL literal that satisfies an input type (required fields only), for probing fields. */
export function sampleValue(type: GraphQLInputType, depth = 0): string {
  if (isNonNullType(type)) return sampleValue(type.ofType, depth);
  if (isListType(type)) return `[${sampleValue(type.ofType, depth)}]`;
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter(
      (f) => isNonNullType(f.type) && f.defaultValue === undefined,
    );
    return `{ ${fields.map((f) => `${f.name}: ${sampleValue(f.type, depth + 1)}`).join(', ')} }`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
      case 'Float':
        return '1';
      case 'Boolean':
        return 'true';
      case 'ID':
        return '"1"';
      case 'DateTimeISO':
        return '"2026-01-01T00:00:00.000Z"';
      default:
        return '"x"';
    }
  }
  throw new Error(`no sample for ${String(type)}`);
}

function argsOf(args: readonly GraphQLArgument[]): string {
  const required = args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  return required.length ? `(${required.map((a) => `${a.name}: ${sampleValue(a.type)}`).join(', ')})` : '';
}

function selectionOf(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  if (isScalarType(named) || isEnumType(named)) return '';
  return '{ __typename }';
}

/** One operation per root field of a root type, e.g. `mutation { createUser(input: {…}) { __typename } }`. */
export function rootFieldOperations(
  schema: GraphQLSchema,
  root: 'query' | 'mutation' | 'subscription',
): { field: string; operation: string }[] {
  const type =
    root === 'query'
      ? schema.getQueryType()
      : root === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!type) return [];
  return Object.values(type.getFields()).map((field) => ({
    field: field.name,
    operation: `${root} { ${field.name}${argsOf(field.args)} ${selectionOf(field)} }`,
  }));
}
