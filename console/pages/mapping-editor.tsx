import { useMemo, useState } from 'preact/hooks';
import {
  ConsoleFieldMappingDocument,
  type ConsoleFieldMappingQuery,
  ConsoleUpdateFieldMappingDocument,
  type CrmObject,
} from '../generated/operations';
import { ErrorBox, SkeletonRows, WriteButton } from '../components/ui';
import { useAction, useLoad } from '../lib/hooks';
import { useSession } from '../lib/session-context';

/**
 * A connection's field mapping as a table, editable against the CRM's field metadata: pick another
 * native field, change the transform, source of truth or writability, revert an override, add a
 * custom field. "Review" shows the diff; "Save" sends the whole override list to updateFieldMapping,
 * which validates it exactly as it does for any client (its BAD_USER_INPUT is shown as is).
 */
interface Entry {
  canonical: string;
  native: string;
  transform: Record<string, unknown>;
  source: string;
  writable: boolean;
}

type Mapping = ConsoleFieldMappingQuery['fieldMapping'];

function describe(e: Entry | undefined): string {
  if (!e) return '(default)';
  return `${e.native} · ${JSON.stringify(e.transform)} · ${e.source}${e.writable ? ' · writable' : ''}`;
}

/** The override list updateFieldMapping gets: the stored ones with the edits applied. */
export function nextOverrides(
  stored: Record<string, unknown>[],
  edits: Map<string, Entry | 'revert'>,
): Record<string, unknown>[] {
  const out = stored.filter((o) => !edits.has(String(o.canonical)));
  for (const [, edit] of edits) if (edit !== 'revert') out.push({ ...edit });
  return out;
}

export function MappingEditor({ connectionId, object }: { connectionId: string; object: CrmObject }) {
  const { api } = useSession();
  const loaded = useLoad(
    () => api.request(ConsoleFieldMappingDocument, { connectionId, object }),
    [api, connectionId, object],
  );
  const [edits, setEdits] = useState<Map<string, Entry | 'revert'>>(new Map());
  const [reviewing, setReviewing] = useState(false);
  const [transformErrors, setTransformErrors] = useState<Record<string, string>>({});
  const [newCanonical, setNewCanonical] = useState('');
  const save = useAction();
  const mapping = loaded.data?.fieldMapping ?? null;
  const metadata = loaded.data?.fieldMetadata ?? [];
  const nativeNames = useMemo(() => metadata.map((m) => m.name), [metadata]);

  const current = (f: Mapping['fields'][number]): Entry => {
    const edit = edits.get(f.canonical);
    return edit && edit !== 'revert'
      ? edit
      : {
          canonical: f.canonical,
          native: f.native,
          transform: f.transform,
          source: f.source,
          writable: f.writable,
        };
  };
  const edit = (entry: Entry) => setEdits(new Map(edits).set(entry.canonical, entry));
  const rows: Entry[] = mapping
    ? [
        ...mapping.fields.map(current),
        ...[...edits.values()].filter(
          (e): e is Entry => e !== 'revert' && !mapping.fields.some((f) => f.canonical === e.canonical),
        ),
      ]
    : [];
  const before = (canonical: string): Entry | undefined => {
    const f = mapping?.fields.find((x) => x.canonical === canonical);
    return f
      ? { canonical, native: f.native, transform: f.transform, source: f.source, writable: f.writable }
      : undefined;
  };
  const doSave = async () => {
    if (!mapping) return;
    const saved = await save.run(() =>
      api.request(ConsoleUpdateFieldMappingDocument, {
        connectionId,
        object,
        overrides: nextOverrides(mapping.overrides, edits),
      }),
    );
    if (saved) {
      setEdits(new Map());
      setReviewing(false);
      loaded.reload();
    }
  };

  return (
    <div class="mapping" data-object={object}>
      <ErrorBox error={loaded.error} />
      {mapping && mapping.problems.length > 0 && (
        <ul class="reason">
          {mapping.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <p class="muted">
        {mapping ? `${mapping.nativeObject} · version ${mapping.version}` : 'Loading the mapping…'}
      </p>
      <datalist id={`natives-${object}`}>
        {metadata.map((m) => (
          <option key={m.name} value={m.name}>
            {m.label} ({m.type}
            {m.readOnly ? ', read-only' : ''})
          </option>
        ))}
      </datalist>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">{object} field mapping</caption>
          <thead>
            <tr>
              <th scope="col">Canonical field</th>
              <th scope="col">Native field</th>
              <th scope="col">Transform</th>
              <th scope="col">Source of truth</th>
              <th scope="col">Writable</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {!mapping ? (
              <SkeletonRows columns={6} rows={8} />
            ) : (
              rows.map((e) => {
                const f = mapping.fields.find((x) => x.canonical === e.canonical);
                const changed = edits.has(e.canonical);
                const id = `${object}-${e.canonical}`;
                return (
                  <tr key={e.canonical} data-canonical={e.canonical} class={changed ? 'changed' : undefined}>
                    <th scope="row">{e.canonical}</th>
                    <td>
                      <input
                        aria-label={`Native field of ${e.canonical}`}
                        list={`natives-${object}`}
                        value={e.native}
                        class={
                          nativeNames.length && !nativeNames.includes(e.native.split('.')[0]!)
                            ? 'unknown'
                            : ''
                        }
                        onChange={(ev) =>
                          edit({ ...e, native: (ev.target as HTMLInputElement).value.trim() })
                        }
                      />
                    </td>
                    <td>
                      <input
                        id={`transform-${id}`}
                        aria-label={`Transform of ${e.canonical}`}
                        class="mono"
                        value={JSON.stringify(e.transform)}
                        aria-invalid={transformErrors[e.canonical] ? 'true' : undefined}
                        onChange={(ev) => {
                          try {
                            const t = JSON.parse((ev.target as HTMLInputElement).value) as Record<
                              string,
                              unknown
                            >;
                            setTransformErrors({ ...transformErrors, [e.canonical]: '' });
                            edit({ ...e, transform: t });
                          } catch {
                            setTransformErrors({ ...transformErrors, [e.canonical]: 'not JSON' });
                          }
                        }}
                      />
                      {transformErrors[e.canonical] && (
                        <span class="reason"> {transformErrors[e.canonical]}</span>
                      )}
                    </td>
                    <td>
                      <select
                        aria-label={`Source of truth of ${e.canonical}`}
                        value={e.source}
                        onChange={(ev) => edit({ ...e, source: (ev.target as HTMLSelectElement).value })}
                      >
                        <option value="CRM">CRM</option>
                        <option value="APP">APP</option>
                      </select>
                    </td>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`${e.canonical} writable`}
                        checked={e.writable}
                        onChange={(ev) => edit({ ...e, writable: (ev.target as HTMLInputElement).checked })}
                      />
                    </td>
                    <td>
                      {changed ? 'edited' : f?.overridden ? 'override' : 'default'}
                      {(changed || f?.overridden) && (
                        <button
                          type="button"
                          class="link"
                          aria-label={`Revert ${e.canonical}`}
                          onClick={() => {
                            const next = new Map(edits);
                            if (f?.overridden && !changed) next.set(e.canonical, 'revert');
                            else next.delete(e.canonical);
                            setEdits(next);
                          }}
                        >
                          revert
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })
            )}
          </tbody>
        </table>
      </div>
      <form
        class="inline"
        onSubmit={(ev) => {
          ev.preventDefault();
          const name = newCanonical.trim();
          if (!name) return;
          const canonical = name.startsWith('customFields.') ? name : `customFields.${name}`;
          edit({ canonical, native: '', transform: { kind: 'string' }, source: 'CRM', writable: false });
          setNewCanonical('');
        }}
      >
        <label>
          Add a custom field <span class="muted">customFields.</span>
          <input
            value={newCanonical}
            onInput={(ev) => setNewCanonical((ev.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Add</button>
      </form>
      <div class="page-actions">
        <button type="button" disabled={edits.size === 0} onClick={() => setReviewing(true)}>
          Review {edits.size} change(s)
        </button>
      </div>
      {reviewing && edits.size > 0 && (
        <div class="card diff" role="region" aria-label="Mapping changes to save">
          <h3>Changes to save</h3>
          <ul>
            {[...edits].map(([canonical, e]) => (
              <li key={canonical} data-canonical={canonical}>
                <strong>{canonical}</strong>: <del>{describe(before(canonical))}</del> →{' '}
                <ins>{e === 'revert' ? '(default)' : describe(e)}</ins>
              </li>
            ))}
          </ul>
          <WriteButton busy={save.busy} onClick={() => void doSave()}>
            Save mapping
          </WriteButton>
          <button type="button" onClick={() => setReviewing(false)}>
            Keep editing
          </button>
          <ErrorBox error={save.error} />
        </div>
      )}
    </div>
  );
}
