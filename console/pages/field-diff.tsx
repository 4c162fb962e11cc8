import { value } from '../lib/format';

/** A change event's field-level diff: field, before, after. */
export function FieldDiff({ changes }: { changes: { field: string; before?: unknown; after?: unknown }[] }) {
  if (changes.length === 0) return <p class="muted">No field changes recorded.</p>;
  return (
    <table class="diff-table">
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.field} data-field={c.field}>
            <th scope="row">{c.field}</th>
            <td>
              <del>{value(c.before)}</del>
            </td>
            <td>
              <ins>{value(c.after)}</ins>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
