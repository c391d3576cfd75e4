import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problem, problemResponse, sendProblem } from '../http/problem.js';

export interface HealthRoutesOptions {
  /** Resolves when the database answers. */
  readonly ping: () => Promise<void>;
}

/** Liveness (process up) and readiness (database reachable); both open, for orchestrators. */
export const healthRoutes: FastifyPluginCallbackTypebox<HealthRoutesOptions> = (
  app,
  options,
  done,
) => {
  app.get(
    '/health',
    {
      schema: {
        summary: 'The process is up',
        tags: ['health'],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'The database answers',
        tags: ['health'],
        response: {
          200: Type.Object({ status: Type.Literal('ready') }),
          503: problemResponse('The database does not answer'),
        },
      },
    },
    async (request, reply) => {
      try {
        await options.ping();
        return { status: 'ready' as const };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        return sendProblem(reply, problem(503, 'not-ready', 'The database is not reachable.'));
      }
    },
  );
  done();
};
