import { createActor, fromPromise, waitFor } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { ApiProblem } from '../../lib/graphql/api-problem.js';
import {
  addEndpointMachine,
  type CreatedEndpoint,
  type EndpointDraft,
} from './add-endpoint.machine.js';

function withServer(answer: (draft: EndpointDraft) => Promise<CreatedEndpoint>) {
  const sent: EndpointDraft[] = [];
  const machine = addEndpointMachine.provide({
    actors: {
      createEndpoint: fromPromise<CreatedEndpoint, EndpointDraft>(({ input }) => {
        sent.push(input);
        return answer(input);
      }),
    },
  });
  return { actor: createActor(machine).start(), sent };
}

describe('adding a webhook endpoint', () => {
  it('sends the draft, shows the secret once, then forgets it', async () => {
    const { actor, sent } = withServer((draft) =>
      Promise.resolve({ id: 'e1', url: draft.url, secret: 'whsec_abc' }),
    );
    actor.send({ type: 'EDIT', field: 'url', value: 'https://hooks.example.com/x' });
    actor.send({ type: 'TOGGLE_EVENT', status: 'CREATED' });
    actor.send({ type: 'TOGGLE_EVENT', status: 'CANCELLED' });
    actor.send({ type: 'TOGGLE_EVENT', status: 'CREATED' });
    actor.send({ type: 'SUBMIT' });
    const created = await waitFor(actor, (s) => s.matches('created'));
    expect(sent).toEqual([
      { url: 'https://hooks.example.com/x', description: '', events: ['CANCELLED'] },
    ]);
    expect(created.context.created?.secret).toBe('whsec_abc');
    expect(created.context.draft.url).toBe('');
    actor.send({ type: 'DISMISS_SECRET' });
    expect(actor.getSnapshot().matches('editing')).toBe(true);
    expect(actor.getSnapshot().context.created).toBeNull();
  });

  it('does not send without a URL, and keeps the server refusal by field', async () => {
    const refusal: ApiProblem[] = [
      { code: 'BAD_USER_INPUT', field: 'input.url', message: 'must be an http(s) URL' },
    ];
    // Rejected the way the page's actor does: with the API's problems, not an Error.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    const { actor, sent } = withServer(() => Promise.reject(refusal));
    actor.send({ type: 'SUBMIT' });
    expect(sent).toEqual([]);
    expect(actor.getSnapshot().context.problems[0]?.field).toBe('input.url');
    actor.send({ type: 'EDIT', field: 'url', value: 'ftp://x' });
    actor.send({ type: 'SUBMIT' });
    const back = await waitFor(actor, (s) => s.matches('editing') && sent.length === 1);
    expect(back.context.problems).toEqual(refusal);
    expect(back.context.draft.url).toBe('ftp://x');
  });
});
