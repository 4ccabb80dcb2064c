import type { BulkPreview } from '../api.js';
import { countOf } from '../format.js';
import { REFUSAL_LABELS } from '../labels.js';
import { Link } from '../router.js';

/** Up to five processes, each a link to its page. */
function ProcessLinks({ ids }: { ids: readonly string[] }) {
  return (
    <ul className="inline-list">
      {ids.map((id) => (
        <li key={id}>
          <Link to={`/prozesse/${encodeURIComponent(id)}`}>{id}</Link>
        </li>
      ))}
    </ul>
  );
}

/** What a bulk action would do, read from the read model: how many, and who would refuse why. */
export function BulkPreviewPanel({ preview }: { preview: BulkPreview }) {
  const { matched, willAct, willRefuse, refusals, sample, notes = [] } = preview;
  return (
    <section className="preview" aria-label="Vorschau">
      <h4>Vorschau – noch nichts ausgeführt</h4>
      {matched === 0 ? (
        <p>Kein Vorgang passt zum Filter.</p>
      ) : (
        <p>
          {countOf(matched, 'Vorgang passt', 'Vorgänge passen')} zum Filter. Ausgeführt würde die
          Aktion für <strong>{countOf(willAct, 'Vorgang', 'Vorgänge')}</strong>
          {willRefuse > 0
            ? `, ${countOf(willRefuse, 'Vorgang lehnt', 'Vorgänge lehnen')} sie ab`
            : ''}
          .
        </p>
      )}
      {sample.length > 0 && (
        <div className="small">
          Zum Beispiel: <ProcessLinks ids={sample} />
        </div>
      )}
      {notes.length > 0 && (
        <div className="notes" aria-label="Hinweise der Umstellung">
          <strong>Hinweise der Umstellung</strong>
          <ul>
            {notes.map((note) => (
              <li key={note.text}>
                {note.text}{' '}
                <span className="muted">({countOf(note.count, 'Vorgang', 'Vorgänge')})</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {refusals.length > 0 && (
        <table>
          <caption>Würden ablehnen</caption>
          <thead>
            <tr>
              <th scope="col">Warum</th>
              <th scope="col" className="num">
                Anzahl
              </th>
              <th scope="col">Beispiele</th>
            </tr>
          </thead>
          <tbody>
            {refusals.map((group) => (
              <tr key={`${group.code}-${group.reason}`}>
                <td>
                  <strong>{REFUSAL_LABELS[group.code] ?? group.code}</strong>
                  <div className="muted small">{group.reason}</div>
                </td>
                <td className="num">{group.count}</td>
                <td>
                  <ProcessLinks ids={group.sample} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
