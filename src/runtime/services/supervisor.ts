import { type Crash, type EmbeddedService } from './embedded';

/** At most `maxRestarts` restarts of one store within any `windowMs`; one crash more and we give up. */
export interface RestartPolicy {
  maxRestarts: number;
  windowMs: number;
}

/**
 * `npm start`'s bound: a store that crashed now and then is started again, one that crashes in a loop
 * (a full disk, a corrupt data file) is not restarted forever while the demo half works.
 */
export const DEFAULT_RESTART_POLICY: RestartPolicy = Object.freeze({ maxRestarts: 3, windowMs: 60_000 });

export interface SupervisorEvents {
  /** `service` crashed and serves again on its URL. */
  restarted(service: EmbeddedService, crash: Crash): void;
  /**
   * `service` crashed once more than the policy allows, or could not be started again. The supervisor
   * does nothing more: the caller stops everything, loudly, rather than run half alive.
   */
  gaveUp(service: EmbeddedService, reason: string): void;
}

/**
 * Watches embedded stores and restarts each one that crashes, within `policy`. Returns a function that
 * stops watching (a deliberate {@link EmbeddedService.stop} is never taken for a crash anyway).
 */
export function superviseServices(
  services: readonly EmbeddedService[],
  policy: RestartPolicy,
  events: SupervisorEvents,
): () => void {
  const unsubscribes = services.map((service) => {
    const restarts: number[] = [];
    return service.onCrash((crash) => {
      const now = Date.now();
      while (restarts.length > 0 && restarts[0]! <= now - policy.windowMs) restarts.shift();
      const how = crash.signal ? `signal ${crash.signal}` : `exit code ${crash.code}`;
      if (restarts.length >= policy.maxRestarts) {
        events.gaveUp(
          service,
          `the embedded ${service.name} (pid ${crash.pid}) stopped (${how}) after ${restarts.length} ` +
            `restart(s) within ${Math.round(policy.windowMs / 1000)} s; not restarting it again`,
        );
        return;
      }
      restarts.push(now);
      service.restart().then(
        () => events.restarted(service, crash),
        (err: unknown) =>
          events.gaveUp(
            service,
            `the embedded ${service.name} (pid ${crash.pid}) stopped (${how}) and could not be started ` +
              `again on ${service.url}: ${err instanceof Error ? err.message : String(err)}`,
          ),
      );
    });
  });
  return () => unsubscribes.forEach((unsubscribe) => unsubscribe());
}
