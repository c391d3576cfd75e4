import { useSelector } from '@xstate/react';
import { useAppServices } from '../lib/app-services.js';

const TEXT = {
  connecting: 'Connecting…',
  online: 'Live',
  offline: 'Offline, reconnecting…',
  refused: 'Not signed in: live updates refused',
} as const;

/** Says whether live updates are flowing; while they are not, what is shown may be stale. */
export function ConnectionIndicator() {
  const { connection } = useAppServices();
  const state = useSelector(connection, (s) =>
    s.matches('online')
      ? 'online'
      : s.matches('offline')
        ? 'offline'
        : s.matches('refused')
          ? 'refused'
          : 'connecting',
  );
  return (
    <p
      className={`connection connection-${state}`}
      role="status"
      aria-label="Live updates"
      title={
        state === 'offline'
          ? 'Live updates are down; the page will refresh when they return'
          : undefined
      }
    >
      <span className="connection-dot" aria-hidden="true" />
      {TEXT[state]}
    </p>
  );
}
