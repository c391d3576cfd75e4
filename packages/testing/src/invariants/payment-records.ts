/** A payment record as payments-api shows it. */
export interface PaymentRecord {
  id: string;
  orderId: string;
  status: string;
  amount: number | null;
}

/**
 * payments-api's own records for an order (`GET /payments?orderId=`), its view of what was
 * charged and refunded. Throws, naming the status, when the lookup is refused or missing.
 */
export async function paymentRecordsOf(
  paymentsUrl: string,
  token: string,
  orderId: string,
): Promise<PaymentRecord[]> {
  const response = await fetch(`${paymentsUrl}/payments?orderId=${encodeURIComponent(orderId)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) {
    throw new Error(`GET /payments?orderId= answered HTTP ${response.status}`);
  }
  return (await response.json()) as PaymentRecord[];
}
