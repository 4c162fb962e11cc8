import crypto from 'node:crypto';
import { CRM_OBJECTS } from '../connectors/types';
import { WRITE_KINDS, type CanonicalPatch } from './write-operation.types';
import { MAX_WRITE_ITEMS, type WriteItem } from './write-service.types';

/**
 * The shape of write items as they arrive, checked before anything is looked up (pure): what kinds and
 * objects exist, which of `connectionId` / `id` / `targetId` / `externalId` / `input` a kind takes,
 * and bounds on names and values. Every problem is a string `items[i].<path>: <why>`.
 *
 * Bounds (beyond the 1 MiB request body, src/server/limits.ts): a field name at most
 * {@link MAX_FIELD_NAME_CHARS}, a text value at most {@link MAX_WRITE_TEXT_CHARS}, a list at most
 * {@link MAX_LIST_VALUES} values, {@link MAX_FIELDS_PER_ITEM} fields per item, an external id value at
 * most {@link MAX_EXTERNAL_ID_CHARS}. `__proto__` is never a field name.
 */

export const MAX_FIELD_NAME_CHARS = 255;
/** The longest text any connected CRM field takes is in this order (long text areas); larger is refused here. */
export const MAX_WRITE_TEXT_CHARS = 131_072;
export const MAX_LIST_VALUES = 1000;
export const MAX_FIELDS_PER_ITEM = 500;
export const MAX_EXTERNAL_ID_CHARS = 255;
const MAX_ID_CHARS = 400;

type Takes = { connectionId: boolean; id: boolean; targetId: boolean; externalId: boolean; input: boolean };
const TAKES: Record<WriteItem['kind'], Takes> = {
  CREATE: { connectionId: true, id: false, targetId: false, externalId: false, input: true },
  UPSERT: { connectionId: true, id: false, targetId: false, externalId: true, input: true },
  UPDATE: { connectionId: true, id: true, targetId: false, externalId: false, input: true },
  DELETE: { connectionId: true, id: true, targetId: false, externalId: false, input: false },
  LINK: { connectionId: true, id: true, targetId: true, externalId: false, input: false },
  UNLINK: { connectionId: true, id: true, targetId: true, externalId: false, input: false },
};

/** Problems of the request as a whole (not an array, empty, too many). Empty: fine. */
export function checkItemsList(items: unknown): string[] {
  if (!Array.isArray(items)) return ['items: expected a list of writes'];
  if (items.length === 0) return ['items: expected at least one write'];
  if (items.length > MAX_WRITE_ITEMS)
    return [`items: at most ${MAX_WRITE_ITEMS} writes per request, got ${items.length}`];
  return [];
}

/** Problems of one item's shape (prefixed `items[i]`). Empty: it has the shape its kind needs. */
export function checkItemShape(raw: unknown, index: number): string[] {
  const at = `items[${index}]`;
  if (!isPlainObject(raw)) return [`${at}: expected an object`];
  const item = raw as Partial<Record<keyof WriteItem, unknown>>;
  const problems: string[] = [];
  if (!(WRITE_KINDS as readonly unknown[]).includes(item.kind))
    return [`${at}.kind: expected one of ${WRITE_KINDS.join(', ')}, got ${show(item.kind)}`];
  if (!(CRM_OBJECTS as readonly unknown[]).includes(item.object))
    problems.push(`${at}.object: expected one of ${CRM_OBJECTS.join(', ')}, got ${show(item.object)}`);
  const kind = item.kind as WriteItem['kind'];
  const takes = TAKES[kind];
  if ((kind === 'LINK' || kind === 'UNLINK') && item.object !== 'contact')
    problems.push(`${at}.object: ${kind} is written on the contact (id) with the deal as targetId`);
  for (const key of Object.keys(item)) {
    if (key === 'kind' || key === 'object') continue;
    if (!Object.hasOwn(takes, key)) problems.push(`${at}.${key}: not a field of a write`);
    else if (!takes[key as keyof Takes] && item[key as keyof Takes] != null)
      problems.push(`${at}.${key}: not taken by ${kind}`);
  }
  const needsConnection = kind === 'CREATE' || kind === 'UPSERT';
  if (item.connectionId != null || needsConnection) {
    if (typeof item.connectionId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(item.connectionId))
      problems.push(`${at}.connectionId: expected a connection id, got ${show(item.connectionId)}`);
  }
  for (const key of ['id', 'targetId'] as const) {
    if (!takes[key]) continue;
    const v = item[key];
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ID_CHARS)
      problems.push(`${at}.${key}: expected a record id or a write operation id, got ${show(v)}`);
  }
  if (takes.externalId) problems.push(...checkExternalId(item.externalId, `${at}.externalId`));
  if (takes.input) {
    const required = kind !== 'UPSERT' || item.input != null;
    if (required) problems.push(...checkPatch(item.input, `${at}.input`, kind !== 'UPSERT'));
  }
  return problems;
}

function checkExternalId(raw: unknown, at: string): string[] {
  if (!isPlainObject(raw)) return [`${at}: expected {field, value}, got ${show(raw)}`];
  const { field, value } = raw as { field?: unknown; value?: unknown };
  const problems: string[] = [];
  const keys = Object.keys(raw).filter((k) => k !== 'field' && k !== 'value');
  if (keys.length > 0) problems.push(`${at}: unexpected ${keys.map(show).join(', ')}`);
  const nameProblem = fieldNameProblem(field);
  if (nameProblem) problems.push(`${at}.field: ${nameProblem}`);
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_EXTERNAL_ID_CHARS)
    problems.push(`${at}.value: expected 1–${MAX_EXTERNAL_ID_CHARS} characters, got ${show(value)}`);
  else if (/\p{Cc}/u.test(value)) problems.push(`${at}.value: control characters are not allowed`);
  return problems;
}

/** A canonical patch `{fields, customFields}` of plain values; `nonEmpty`: at least one field. */
function checkPatch(raw: unknown, at: string, nonEmpty: boolean): string[] {
  if (!isPlainObject(raw)) return [`${at}: expected {fields, customFields}, got ${show(raw)}`];
  const problems: string[] = [];
  let count = 0;
  for (const key of Object.keys(raw)) {
    if (key !== 'fields' && key !== 'customFields') {
      problems.push(`${at}.${safeName(key)}: expected only fields and customFields`);
      continue;
    }
    const group = (raw as Record<string, unknown>)[key];
    if (group == null) continue;
    if (!isPlainObject(group)) {
      problems.push(`${at}.${key}: expected an object of field values`);
      continue;
    }
    for (const name of Object.keys(group)) {
      count += 1;
      const nameProblem = fieldNameProblem(name);
      if (nameProblem) {
        problems.push(`${at}.${key}: ${nameProblem}`);
        continue;
      }
      const valueProblem = valueProblemOf((group as Record<string, unknown>)[name]);
      if (valueProblem) problems.push(`${at}.${key}.${name}: ${valueProblem}`);
    }
  }
  if (count > MAX_FIELDS_PER_ITEM)
    problems.push(`${at}: at most ${MAX_FIELDS_PER_ITEM} fields per write, got ${count}`);
  if (nonEmpty && count === 0) problems.push(`${at}: no fields to write`);
  return problems;
}

function fieldNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_FIELD_NAME_CHARS)
    return `expected a field name of 1–${MAX_FIELD_NAME_CHARS} characters, got ${show(name)}`;
  if (name === '__proto__' || /\p{Cc}/u.test(name)) return `${show(name)} is not a field name`;
  return null;
}

function valueProblemOf(value: unknown): string | null {
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'expected a finite number';
  if (typeof value === 'string')
    return value.length <= MAX_WRITE_TEXT_CHARS
      ? null
      : `expected at most ${MAX_WRITE_TEXT_CHARS} characters, got ${value.length}`;
  if (Array.isArray(value)) {
    if (value.length > MAX_LIST_VALUES)
      return `expected at most ${MAX_LIST_VALUES} values, got ${value.length}`;
    const bad = value.find((v) => typeof v !== 'string' || v.length > MAX_WRITE_TEXT_CHARS);
    return bad === undefined ? null : 'expected a list of strings';
  }
  return `expected a text, number, boolean, list of strings or null, got ${show(value)}`;
}

/** The item's input as a patch with own-property maps (shape already checked). */
export function patchOf(input: unknown): CanonicalPatch {
  const raw = (input ?? {}) as { fields?: Record<string, unknown>; customFields?: Record<string, unknown> };
  return {
    fields: { ...(raw.fields ?? {}) } as CanonicalPatch['fields'],
    customFields: { ...(raw.customFields ?? {}) } as CanonicalPatch['customFields'],
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function safeName(name: string): string {
  return name === '__proto__' ? '["__proto__"]' : name.slice(0, 80);
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = typeof v === 'string' ? JSON.stringify(v.slice(0, 80)) : JSON.stringify(v);
  return (text ?? String(v)).slice(0, 100);
}

/**
 * JSON with object keys sorted at every level (undefined dropped): the same items hash the same
 * whatever order their keys arrived in. Values are shape-checked items (bounded depth).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}
