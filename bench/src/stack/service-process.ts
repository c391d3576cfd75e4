import { DIST_ENTRY, ServiceProcess as HarnessProcess, startService } from '@oms/testing';
import { readProcessUsage, type ProcessUsage } from '../machine/process-usage.js';

/** What Node runs in each service's package folder. */
const SERVICE_ENTRY = ['--enable-source-maps', ...DIST_ENTRY];

export interface ServiceSpec {
  /** For messages, e.g. `orders-api`. */
  name: string;
  /** The package folder; the service runs its bundle, `dist/main.js`, from there, as in production. */
  packageDir: string;
  /** The whole environment of the child (nothing else is inherited). */
  env: Record<string, string>;
  port: number;
  /** Extra Node flags, e.g. --cpu-prof. */
  nodeArgs?: readonly string[];
  readyTimeoutMs?: number;
}

/**
 * A service (orders-api or payments-api) as its own Node process, so the CPU and memory it uses
 * are its own and can be read from /proc. SIGTERM stops it gracefully, which also writes a
 * --cpu-prof profile.
 */
export class ServiceProcess extends HarnessProcess {
  /** Starts the service and resolves once its /ready answers 200. */
  static async start(spec: ServiceSpec): Promise<ServiceProcess> {
    return startService(
      {
        name: spec.name,
        cwd: spec.packageDir,
        port: spec.port,
        env: spec.env,
        inheritEnv: [],
        entry: SERVICE_ENTRY,
        nodeArgs: spec.nodeArgs,
        readyTimeoutMs: spec.readyTimeoutMs ?? 60_000,
        maxLogLines: 200,
      },
      ServiceProcess,
    );
  }

  /** CPU time and RSS now; null once the process has exited. */
  usage(): ProcessUsage | null {
    return readProcessUsage(this.pid);
  }
}
