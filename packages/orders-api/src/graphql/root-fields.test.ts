import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { rootFieldsOf } from './root-fields.js';

describe('rootFieldsOf', () => {
  it('names the root fields of the one operation, through fragments and whatever the directives', () => {
    const document = parse(`
      mutation Place($input: CreateOrderInput!, $skip: Boolean!) {
        ...Both
        __typename
      }
      fragment Both on Mutation {
        ... on Mutation { createOrder(input: $input) @skip(if: $skip) { id } }
        cancelOrder(id: "x") { id }
      }`);
    expect(rootFieldsOf(document, undefined)).toEqual(['createOrder', 'cancelOrder', '__typename']);
    expect(rootFieldsOf(document, 'Place')).toEqual(['createOrder', 'cancelOrder', '__typename']);
  });

  it('picks the operation by name, and has none for a name that is not there or a missing one', () => {
    const document = parse(`
      query Read { order(id: "x") { id } orders { edges { node { id } } } }
      mutation Place { createOrder(input: {}) { id } }`);
    expect(rootFieldsOf(document, 'Read')).toEqual(['order', 'orders']);
    expect(rootFieldsOf(document, 'Place')).toEqual(['createOrder']);
    expect(rootFieldsOf(document, 'Other')).toBeUndefined();
    // Several operations and no name: GraphQL runs none of them.
    expect(rootFieldsOf(document, undefined)).toBeUndefined();
    expect(rootFieldsOf(document, null)).toBeUndefined();
  });

  it('works each document and name out once', () => {
    const document = parse('subscription { orderUpdated { id } }');
    const first = rootFieldsOf(document, undefined);
    expect(first).toEqual(['orderUpdated']);
    expect(rootFieldsOf(document, undefined)).toBe(first);
    expect(rootFieldsOf(parse('subscription { orderUpdated { id } }'), undefined)).not.toBe(first);
  });
});
