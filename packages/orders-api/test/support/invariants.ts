import {
  assertInvariants as assertSubject,
  type InvariantReport,
  type InvariantSubject,
} from '@oms/testing/invariants';
import { Stack, TEST_PAYMENTS_TOKEN } from './stack.js';

/**
 * The system's invariants (see @oms/testing/invariants) over a test's orders-api and its
 * payments-api, given as a Stack or as the subject itself (the test token by default).
 */
export function assertInvariants(
  target: (Omit<InvariantSubject, 'paymentsToken'> & { paymentsToken?: string }) | Stack,
): Promise<InvariantReport> {
  const subject =
    target instanceof Stack
      ? { graphqlUrl: target.graphqlUrl, paymentsUrl: target.payments.url }
      : target;
  return assertSubject({ paymentsToken: TEST_PAYMENTS_TOKEN, ...subject });
}
