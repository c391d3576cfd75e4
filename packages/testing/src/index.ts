export { disposeLeftovers, leftoverCount, trackLeftover, type Leftover } from './leftovers.js';
export { freePort, freePorts, LOOPBACK } from './ports.js';
export {
  DIST_ENTRY,
  INHERITED_ENV,
  ServiceProcess,
  TSX_ENTRY,
  serviceEntry,
  startService,
  type ProcessExit,
  type ServiceOptions,
  type ServiceProcessClass,
  type SpawnedChild,
} from './service-process.js';
export { postGraphQL, type GraphQLErrorBody, type GraphQLResponse } from './graphql-http.js';
