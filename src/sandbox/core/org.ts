import { SandboxClock } from './clock';
import { FaultController } from './faults';
import { RequestLog } from './request-log';
import { type SeedCounts } from './types';
import { WebhookDispatcher, type WebhookTransport } from './webhooks';

/**
 * One tenant of a vendor (an org, a portal, an account…): its own data, limits, faults, clock
 * and request log. `state` is whatever the vendor keeps; the core never looks inside it.
 */
export class SandboxOrg<TState, TEvent = never> {
  readonly clock = new SandboxClock();
  readonly faults: FaultController;
  readonly log: RequestLog;
  readonly webhooks: WebhookDispatcher<TEvent> | null;
  /** Raw vendor settings (see VendorDefinition.applySettings); survive resets. */
  settings: Record<string, unknown> = {};
  /** Set by the server right after construction and on every reset. */
  state!: TState;

  constructor(
    readonly id: string,
    public seed: number,
    public counts: SeedCounts,
    logCapacity: number,
    transport: WebhookTransport<TEvent> | undefined,
  ) {
    const now = (): number => this.clock.now();
    this.faults = new FaultController(seed, now);
    this.log = new RequestLog(logCapacity);
    this.webhooks = transport ? new WebhookDispatcher(transport, this.faults, now) : null;
  }

  now(): number {
    return this.clock.now();
  }
}
