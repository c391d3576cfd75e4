/** Who is asking: the customer whose orders they act on, and whether they may see every order. */
export interface Principal {
  customerId: string;
  admin: boolean;
}

/** The customer of rows written before per-customer access, and of every request without it. */
export const DEMO_CUSTOMER_ID = 'demo-customer';

/**
 * Every caller when per-customer access is off. An admin, so the service behaves as it did before
 * customers existed: everyone sees and cancels every order, and new ones belong to the demo customer.
 */
export const DEMO_PRINCIPAL: Principal = Object.freeze({
  customerId: DEMO_CUSTOMER_ID,
  admin: true,
});

/** Whether `principal` may see (and so act on) an order of `customerId`. The one access rule. */
export function canAccess(principal: Principal, customerId: string): boolean {
  return principal.admin || principal.customerId === customerId;
}
