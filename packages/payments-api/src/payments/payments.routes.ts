import {
  TypeBoxValidatorCompiler,
  type FastifyPluginCallbackTypebox,
} from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import {
  BatchChargeAnswerSchema,
  BatchChargeBodySchema,
  BatchChargeEnvelopeSchema,
  BatchChargeItemSchema,
  ChargeBodySchema,
  IdempotencyHeadersSchema,
  PaymentParamsSchema,
  PaymentSchema,
  PaymentsQuerySchema,
  VoidBodySchema,
  type BatchChargeResult,
  type PaymentRecord,
} from '../contract.js';
import { BEARER_SECURITY_SCHEME, bearerAuth } from '../http/auth.js';
import {
  problem,
  problemResponse,
  sendProblem,
  toFieldErrors,
  validationProblem,
} from '../http/problem.js';
import { validateHeadersWithBody } from '../http/validation.js';
import type { PaymentsMetrics } from '../observability/metrics.js';
import type { ChargeResult, Payment, PaymentsService } from './payments.service.js';

export interface PaymentsRoutesOptions {
  readonly service: PaymentsService;
  readonly apiToken: string;
  readonly metrics?: PaymentsMetrics | undefined;
}

const security = [{ [BEARER_SECURITY_SCHEME]: [] }];
const unauthorized = problemResponse('Missing or wrong bearer token');
const invalid = problemResponse('Malformed request');

const KEY_REUSED = 'This Idempotency-Key was already used with a different payload.';

/**
 * Largest body of a batch: `MAX_BATCH_ITEMS` items of the longest valid values, each character
 * escaped, fit with room to spare.
 */
export const BATCH_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

const batchItem = Compile(BatchChargeItemSchema);

/** The payment endpoints, all behind the service bearer token. */
export const paymentsRoutes: FastifyPluginCallbackTypebox<PaymentsRoutesOptions> = (
  app,
  { service, apiToken, metrics },
  done,
) => {
  app.addHook('onRequest', bearerAuth(apiToken));

  app.post(
    '/payments',
    {
      schema: {
        summary: 'Charge once per Idempotency-Key',
        description:
          'tok_approve always confirms, tok_decline always declines, other tokens are drawn at random. ' +
          'A retry with the same key and payload answers 200 with the stored record and ' +
          '`Idempotent-Replayed: true`; a key voided earlier answers the voided record.',
        tags: ['payments'],
        security,
        headers: IdempotencyHeadersSchema,
        body: ChargeBodySchema,
        response: {
          200: PaymentSchema,
          201: PaymentSchema,
          400: invalid,
          401: unauthorized,
          409: problemResponse('The key was used with a different payload'),
          413: problemResponse('Body too large'),
          415: problemResponse('Body is not JSON'),
        },
      },
      preValidation: validateHeadersWithBody(IdempotencyHeadersSchema, ChargeBodySchema),
    },
    async (request, reply) => {
      const result = await service.charge({
        idempotencyKey: request.headers['idempotency-key'],
        ...request.body,
      });
      metrics?.charges.inc({ outcome: chargeOutcome(result) });
      switch (result.kind) {
        case 'created':
          return reply.code(201).send(toJson(result.payment));
        case 'replayed':
          return reply.code(200).header('Idempotent-Replayed', 'true').send(toJson(result.payment));
        case 'key-reused':
          return sendProblem(reply, problem(409, 'idempotency-key-reused', KEY_REUSED));
      }
    },
  );

  app.post(
    '/payments/batch',
    {
      bodyLimit: BATCH_BODY_LIMIT_BYTES,
      schema: {
        summary: 'Charge many keys in one request, each as POST /payments would',
        description:
          'Each item is charged as if it had been sent alone to `POST /payments` with its ' +
          '`idempotencyKey` as Idempotency-Key, and gets its own result, in the order of the items: ' +
          '`created`, `replayed` (the key was charged or voided before) or `refused` with the problem ' +
          'the single route would have answered (`idempotency-key-reused`, or `validation-failed` ' +
          'naming `items[i].field`); one item refused never refuses the others. A key that comes ' +
          'again later in the same batch is answered as a retry sent after the first. Only a ' +
          'malformed batch as a whole (no `items`, none or too many, not JSON, too large) is refused ' +
          'as a whole. The mocked processing delay (PAYMENT_LATENCY_MS) is waited once per request, ' +
          'not once per item.',
        tags: ['payments'],
        security,
        body: BatchChargeBodySchema,
        response: {
          200: BatchChargeAnswerSchema,
          400: invalid,
          401: unauthorized,
          413: problemResponse('Body too large'),
          415: problemResponse('Body is not JSON'),
        },
      },
      // Only the envelope is checked before the handler: the items are checked one by one in it,
      // against the documented item schema, so that a bad one is refused alone.
      validatorCompiler: (route) =>
        TypeBoxValidatorCompiler({ ...route, schema: BatchChargeEnvelopeSchema }),
    },
    async (request, reply) => {
      const items: readonly unknown[] = request.body.items;
      metrics?.batchSizes.observe(items.length);
      const valid = items.flatMap((item, index) =>
        batchItem.Check(item) ? [{ index, item }] : [],
      );
      const charged = await service.chargeMany(valid.map(({ item }) => item));
      const answers = new Map<number, BatchChargeResult>();
      valid.forEach(({ index, item }, n) => {
        const result = charged[n];
        if (result === undefined) throw new Error('a charge of the batch got no result');
        metrics?.charges.inc({ outcome: chargeOutcome(result) });
        answers.set(index, batchResult(item.idempotencyKey, result));
      });
      if (valid.length < items.length) {
        metrics?.charges.inc({ outcome: 'invalid' }, items.length - valid.length);
      }
      return reply.code(200).send({
        items: items.map((item, index) => answers.get(index) ?? invalidItem(item, index)),
      });
    },
  );

  app.post(
    '/payments/void',
    {
      schema: {
        summary: 'Make sure nothing stays charged under an Idempotency-Key',
        description:
          'No record: stores a voided one so a later charge with the key is never captured. ' +
          'Confirmed: refunds it. Declined, refunded or voided: leaves it. Answers the record.',
        tags: ['payments'],
        security,
        headers: IdempotencyHeadersSchema,
        body: VoidBodySchema,
        response: {
          200: PaymentSchema,
          400: invalid,
          401: unauthorized,
          409: problemResponse('The key belongs to another order'),
        },
      },
      preValidation: validateHeadersWithBody(IdempotencyHeadersSchema, VoidBodySchema),
    },
    async (request, reply) => {
      const result = await service.voidByKey({
        idempotencyKey: request.headers['idempotency-key'],
        orderId: request.body.orderId,
      });
      metrics?.voids.inc({ outcome: result.kind.replace('-', '_') });
      if (result.kind === 'key-reused') {
        const detail = 'This Idempotency-Key belongs to a payment for another order.';
        return sendProblem(reply, problem(409, 'idempotency-key-reused', detail));
      }
      return reply.code(200).send(toJson(result.payment));
    },
  );

  app.get(
    '/payments',
    {
      schema: {
        summary: 'List the payments of an order (for reconciliation)',
        tags: ['payments'],
        security,
        querystring: PaymentsQuerySchema,
        response: { 200: Type.Array(PaymentSchema), 400: invalid, 401: unauthorized },
      },
    },
    async (request, reply) => {
      const found = await service.listByOrder(request.query.orderId);
      return reply.code(200).send(found.map(toJson));
    },
  );

  app.get(
    '/payments/:id',
    {
      schema: {
        summary: 'Read a payment',
        tags: ['payments'],
        security,
        params: PaymentParamsSchema,
        response: {
          200: PaymentSchema,
          401: unauthorized,
          404: problemResponse('No such payment'),
        },
      },
    },
    async (request, reply) => {
      const payment = await service.find(request.params.id);
      if (payment === undefined) return sendProblem(reply, paymentNotFound());
      return reply.code(200).send(toJson(payment));
    },
  );

  app.post(
    '/payments/:id/refund',
    {
      schema: {
        summary: 'Refund a confirmed payment (idempotent)',
        tags: ['payments'],
        security,
        params: PaymentParamsSchema,
        response: {
          200: PaymentSchema,
          401: unauthorized,
          404: problemResponse('No such payment'),
          409: problemResponse('The payment is declined or voided'),
        },
      },
    },
    async (request, reply) => {
      const result = await service.refund(request.params.id);
      metrics?.refunds.inc({ outcome: result.kind.replaceAll('-', '_') });
      switch (result.kind) {
        case 'refunded':
        case 'already-refunded':
          return reply.code(200).send(toJson(result.payment));
        case 'not-refundable': {
          const detail = `A ${result.payment.status} payment cannot be refunded.`;
          return sendProblem(reply, problem(409, 'payment-not-refundable', detail));
        }
        case 'not-found':
          return sendProblem(reply, paymentNotFound());
      }
    },
  );

  done();
};

/** A new charge counts by its drawn status; a repeat is `replayed`, a clash `key_reused`. */
function chargeOutcome(result: ChargeResult): string {
  return result.kind === 'created' ? result.payment.status : result.kind.replace('-', '_');
}

/** A batch item's result: what `POST /payments` would have answered, as an item. */
function batchResult(idempotencyKey: string, result: ChargeResult): BatchChargeResult {
  if (result.kind === 'key-reused') {
    const refusal = problem(409, 'idempotency-key-reused', KEY_REUSED);
    return { idempotencyKey, outcome: 'refused', problem: refusal };
  }
  return { idempotencyKey, outcome: result.kind, payment: toJson(result.payment) };
}

/** The refusal of an item that breaks the item schema, naming each field as `items[i].field`. */
function invalidItem(item: unknown, index: number): BatchChargeResult {
  const errors = toFieldErrors(batchItem.Errors(item), 'body', `items[${index}]`);
  const sentKey =
    typeof item === 'object' && item !== null && 'idempotencyKey' in item
      ? item.idempotencyKey
      : null;
  return {
    idempotencyKey: typeof sentKey === 'string' ? sentKey : null,
    outcome: 'refused',
    problem: validationProblem(errors),
  };
}

function paymentNotFound() {
  return problem(404, 'payment-not-found', 'No payment has this id.');
}

function toJson(payment: Payment): PaymentRecord {
  return {
    ...payment,
    createdAt: payment.createdAt.toISOString(),
    updatedAt: payment.updatedAt.toISOString(),
    refundedAt: payment.refundedAt?.toISOString() ?? null,
  };
}
