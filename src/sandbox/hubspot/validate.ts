// Property-value validation and normalisation for writes (docs/vendors/hubspot.md "CRM objects"). Error codes inside the
// VALIDATION_ERROR message are UNVERIFIED (docs/vendors/hubspot.md "Error bodies"), only the category and the 400 are attested.
import { type PropertyProblem } from './errors';
import { LIFECYCLE_STAGES, type Pipeline, type PropertyDef } from './schema';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE_ONLY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Epoch ms for an epoch-ms string or an ISO-8601 date/datetime; NaN when neither. */
export function parseHsTime(value: string): number {
  if (/^-?\d+$/.test(value)) return Number(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return NaN;
  return Date.parse(value);
}

export interface WriteContext {
  defs: Map<string, PropertyDef>;
  pipelines: Pipeline[];
  /** The record's current values, for updates (lifecycle direction, stage ∈ pipeline). */
  current?: Record<string, string>;
}

/**
 * Checks `input` against the definitions and returns the normalised values to store: datetimes become
 * ISO strings, dates `YYYY-MM-DD`, and `""` means "clear" (kept as `""` here; the store deletes it).
 */
export function normaliseProperties(
  input: Record<string, unknown>,
  ctx: WriteContext,
): { values: Record<string, string>; problems: PropertyProblem[] } {
  const values: Record<string, string> = {};
  const problems: PropertyProblem[] = [];
  const bad = (name: string, error: string, message: string): void => {
    problems.push({ isValid: false, message, error, name });
  };
  for (const [name, raw] of Object.entries(input)) {
    const def = ctx.defs.get(name);
    if (!def) {
      bad(name, 'PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`);
      continue;
    }
    if (def.readOnlyValue) {
      bad(name, 'READ_ONLY_VALUE', `${name} is a read only property; its value cannot be set.`);
      continue;
    }
    if (raw === null || raw === undefined || raw === '') {
      values[name] = '';
      continue;
    }
    // Clients send numbers and booleans unquoted now and then; HubSpot coerces them to strings.
    const value =
      typeof raw === 'string'
        ? raw
        : typeof raw === 'number' || typeof raw === 'boolean'
          ? String(raw)
          : null;
    if (value === null) {
      bad(name, 'INVALID_TYPE', `${JSON.stringify(raw)} is not a valid value for ${name}`);
      continue;
    }
    const out = checkValue(def, value, ctx);
    if (typeof out === 'string') values[name] = out;
    else bad(name, out.error, out.message);
  }
  checkStage(values, ctx, bad);
  return { values, problems };
}

function checkValue(
  def: PropertyDef,
  value: string,
  ctx: WriteContext,
): string | { error: string; message: string } {
  switch (def.type) {
    case 'number':
      return Number.isFinite(Number(value)) && value.trim() !== ''
        ? value
        : { error: 'INVALID_INTEGER', message: `${value} was not a valid number.` };
    case 'bool':
      return value === 'true' || value === 'false'
        ? value
        : { error: 'INVALID_OPTION', message: `${value} was not one of the allowed options: [true, false]` };
    case 'datetime': {
      const t = parseHsTime(value);
      return Number.isFinite(t)
        ? new Date(t).toISOString()
        : { error: 'INVALID_DATE', message: `${value} is not a valid datetime.` };
    }
    case 'date': {
      const t = DATE_ONLY_RE.test(value) ? Date.parse(`${value}T00:00:00.000Z`) : parseHsTime(value);
      if (!Number.isFinite(t)) return { error: 'INVALID_DATE', message: `${value} is not a valid date.` };
      if (t % 86_400_000 !== 0) {
        return {
          error: 'INVALID_DATE',
          message: `${value} is at ${new Date(t).toISOString()}, not midnight UTC!`,
        };
      }
      return new Date(t).toISOString().slice(0, 10);
    }
    case 'enumeration': {
      if (def.name === 'dealstage' || def.name === 'pipeline') return value; // checked with the pipeline
      const allowed = new Set(def.options.map((o) => o.value));
      // Multi-select (checkbox) values are `;`-separated [UNVERIFIED separator].
      const parts = def.fieldType === 'checkbox' ? value.split(';') : [value];
      if (def.options.length > 0 && parts.some((p) => !allowed.has(p))) {
        return {
          error: 'INVALID_OPTION',
          message: `${value} was not one of the allowed options: [${[...allowed].join(', ')}]`,
        };
      }
      if (def.name === 'lifecyclestage') return checkLifecycle(value, ctx.current?.lifecyclestage);
      return value;
    }
    default:
      if (def.textDisplayHint === 'email' && !EMAIL_RE.test(value)) {
        return { error: 'INVALID_EMAIL', message: `Email address ${value} is invalid` };
      }
      return value;
  }
}

/** "lifecyclestage can only move forward. To go back, clear it first" [V-DOC]; the code name is ours. */
function checkLifecycle(
  next: string,
  current: string | undefined,
): string | { error: string; message: string } {
  if (!current) return next;
  const from = LIFECYCLE_STAGES.indexOf(current);
  const to = LIFECYCLE_STAGES.indexOf(next);
  if (next !== 'other' && current !== 'other' && to < from) {
    return {
      error: 'INVALID_LIFECYCLE_STAGE',
      message: `lifecyclestage cannot move backwards from ${current} to ${next}; clear it first.`,
    };
  }
  return next;
}

function checkStage(
  values: Record<string, string>,
  ctx: WriteContext,
  bad: (name: string, error: string, message: string) => void,
): void {
  if (values.pipeline === undefined && values.dealstage === undefined) return;
  const pipelineId = values.pipeline || ctx.current?.pipeline || 'default';
  const pipeline = ctx.pipelines.find((p) => p.id === pipelineId);
  if (!pipeline) {
    bad('pipeline', 'INVALID_OPTION', `${pipelineId} is not a valid pipeline id`);
    return;
  }
  const stage = values.dealstage || ctx.current?.dealstage;
  if (stage && !pipeline.stages.some((s) => s.id === stage)) {
    bad('dealstage', 'INVALID_OPTION', `${stage} is not a valid stage of pipeline ${pipelineId}`);
  }
}
