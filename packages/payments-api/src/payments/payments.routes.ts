import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  ChargeBodySchema,
  IdempotencyHeadersSchema,
  PaymentParamsSchema,
  PaymentSchema,
  PaymentsQuerySchema,
  VoidBodySchema,
  type PaymentRecord,
} from '../contract.js';
import { BEARER_SECURITY_SCHEME, bearerAuth } from '../http/auth.js';
import { problem, problemResponse, sendProblem } from '../http/problem.js';
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
