/**
 * What payments-api's clients may rely on: the request and response bodies of its routes as
 * TypeBox schemas. The routes validate and document with these same schemas, and clients check
 * answers with them (`Compile(PaymentSchema).Check(body)`), so the two cannot drift apart.
 * Imports nothing but TypeBox.
 */
import { Type, type Static } from 'typebox';

/** Every state a payment record can be in. */
export const PAYMENT_STATUSES = ['confirmed', 'declined', 'refunded', 'voided'] as const;

export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const Timestamp = Type.String({ format: 'date-time' });

/** Text PostgreSQL can store: no NUL characters (they would fail in the database as a 500). */
const Text = (maxLength: number) =>
  Type.String({ minLength: 1, maxLength, pattern: '^[^\\u0000]*$' });

/** A payment record, as every payment route answers it. */
export const PaymentSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    orderId: Type.String(),
    status: Type.Enum(PAYMENT_STATUSES),
    amount: Type.Union([Type.Integer(), Type.Null()], {
      description: 'Minor units; null when voided',
    }),
    currency: Type.Union([Type.String(), Type.Null()], { description: 'Null when voided' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    refundedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { title: 'Payment' },
);

export type PaymentRecord = Static<typeof PaymentSchema>;

/** Headers of the charge and void requests: the key that makes a retry safe. */
export const IdempotencyHeadersSchema = Type.Object({
  // Fastify matches header schemas as written when a custom validator is set, so lower case.
  'idempotency-key': Text(200),
});

/** Body of `POST /payments`. */
export const ChargeBodySchema = Type.Object(
  {
    orderId: Text(200),
    amount: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    paymentToken: Text(200),
  },
  { additionalProperties: false },
);

export type ChargeBody = Static<typeof ChargeBodySchema>;

/** Body of `POST /payments/void`. */
export const VoidBodySchema = Type.Object({ orderId: Text(200) }, { additionalProperties: false });

export type VoidBody = Static<typeof VoidBodySchema>;

/** Most charges one `POST /payments/batch` may carry. */
export const MAX_BATCH_ITEMS = 500;

/** One charge of `POST /payments/batch`: a `POST /payments` body with its Idempotency-Key. */
export const BatchChargeItemSchema = Type.Object(
  { idempotencyKey: Text(200), ...ChargeBodySchema.properties },
  { additionalProperties: false, title: 'BatchChargeItem' },
);

export type BatchChargeItem = Static<typeof BatchChargeItemSchema>;

/** Body of `POST /payments/batch`, as documented: each item is a `BatchChargeItem`. */
export const BatchChargeBodySchema = Type.Object(
  {
    items: Type.Array(BatchChargeItemSchema, { minItems: 1, maxItems: MAX_BATCH_ITEMS }),
  },
  { additionalProperties: false },
);

export type BatchChargeBody = Static<typeof BatchChargeBodySchema>;

/**
 * What a batch must be for any of it to be taken: 1 to `MAX_BATCH_ITEMS` items of any shape.
 * Each item is then checked against `BatchChargeItemSchema` on its own, so one bad item is
 * refused alone instead of refusing the others.
 */
export const BatchChargeEnvelopeSchema = Type.Object(
  { items: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_BATCH_ITEMS }) },
  { additionalProperties: false },
);

/** Path of `GET /payments/{id}` and `POST /payments/{id}/refund`. */
export const PaymentParamsSchema = Type.Object({ id: Type.String() });

/** Query of `GET /payments`. */
export const PaymentsQuerySchema = Type.Object(
  { orderId: Text(200) },
  { additionalProperties: false },
);

/** The `type` of every problem payments-api can answer, so clients can match on it. */
export type ProblemType =
  | 'validation-failed'
  | 'malformed-json'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'unauthorized'
  | 'not-found'
  | 'payment-not-found'
  | 'idempotency-key-reused'
  | 'payment-not-refundable'
  | 'not-ready'
  | 'bad-request'
  | 'internal-error';

const FieldErrorSchema = Type.Object({ field: Type.String(), message: Type.String() });

export type FieldError = Static<typeof FieldErrorSchema>;

/** RFC 9457 media type; every error payments-api answers uses it. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An error answer (RFC 9457), with `errors` naming each field at fault. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
  },
  { $id: 'Problem', title: 'Problem' },
);

export type Problem = Static<typeof ProblemSchema>;

/** What one item of a batch came to: a payment, or the problem the item was refused with. */
export const BatchChargeResultSchema = Type.Union(
  [
    Type.Object(
      {
        idempotencyKey: Type.String(),
        outcome: Type.Union([Type.Literal('created'), Type.Literal('replayed')], {
          description:
            '`created`: charged now (`POST /payments` would answer 201). `replayed`: the key ' +
            'was charged or voided before, and this is that record (a 200 with Idempotent-Replayed)',
        }),
        payment: PaymentSchema,
      },
      { title: 'BatchChargePayment' },
    ),
    Type.Object(
      {
        idempotencyKey: Type.Union([Type.String(), Type.Null()], {
          description: 'As the item sent it; null when it sent no string',
        }),
        outcome: Type.Literal('refused'),
        problem: ProblemSchema,
      },
      { title: 'BatchChargeRefusal' },
    ),
  ],
  { title: 'BatchChargeResult' },
);

export type BatchChargeResult = Static<typeof BatchChargeResultSchema>;

/** Answer of `POST /payments/batch`: one result per item, in the order of the items. */
export const BatchChargeAnswerSchema = Type.Object(
  { items: Type.Array(BatchChargeResultSchema) },
  { title: 'BatchChargeAnswer' },
);

export type BatchChargeAnswer = Static<typeof BatchChargeAnswerSchema>;
