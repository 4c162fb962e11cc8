import { Registry, collectDefaultMetrics } from 'prom-client';

/** The one Prometheus registry of a process; `/metrics` serves it. Modules add their own metrics to it. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });
