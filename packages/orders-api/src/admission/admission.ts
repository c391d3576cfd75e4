import { AdmissionController, type RefusalReason } from './admission-controller.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { LoadSampler, eventLoopDelayReader } from './load-sampler.js';

/** Admission control's settings (the `ADMISSION_*` variables). */
export interface AdmissionSettings {
  minConcurrency: number;
  initialConcurrency: number;
  maxConcurrency: number;
  latencyTolerance: number;
  latencyFloorMs: number;
  maxEventLoopDelayMs: number;
  maxJobAgeMs: number;
  sampleIntervalMs: number;
  retryAfterSeconds: number;
}

export interface AdmissionDependencies {
  /** Seconds the oldest due background job has waited, null when none is due. */
  oldestDueJobAge: () => Promise<number | null>;
  onRefusal?: (reason: RefusalReason) => void;
  /** Told when the backlog cannot be read (once until it can again). */
  onSampleError: (error: unknown) => void;
}

/** Admission control running in this process. */
export interface RunningAdmission {
  controller: AdmissionController;
  /** Stops sampling; waits for a read of the backlog in progress. */
  stop(): Promise<void>;
}

/** Starts admission control: the controller, and the sampler that feeds it its signals. */
export function startAdmission(
  settings: AdmissionSettings,
  dependencies: AdmissionDependencies,
): RunningAdmission {
  const controller = new AdmissionController({
    limit: new ConcurrencyLimit({
      min: settings.minConcurrency,
      initial: settings.initialConcurrency,
      max: settings.maxConcurrency,
      tolerance: settings.latencyTolerance,
      latencyFloorMs: settings.latencyFloorMs,
    }),
    maxJobAgeMs: settings.maxJobAgeMs,
    maxEventLoopDelayMs: settings.maxEventLoopDelayMs,
    retryAfterSeconds: settings.retryAfterSeconds,
    now: () => performance.now(),
    onRefusal: dependencies.onRefusal,
  });
  const sampler = new LoadSampler({
    oldestDueJobAge: dependencies.oldestDueJobAge,
    eventLoopDelay: eventLoopDelayReader(),
    onSignals: (signals) => {
      controller.update(signals);
    },
    onError: dependencies.onSampleError,
  });
  void sampler.sample();
  sampler.start(settings.sampleIntervalMs);
  return {
    controller,
    stop: () => sampler.stop(),
  };
}
