import { api, type TypeVersions } from '../api.js';
import { migrateLabel } from '../labels.js';
import { useData } from '../use-data.js';

/**
 * Which versions of a process type run and how many processes on each; for the processes on
 * an older version, the bulk action that moves them to the newest one.
 */
export function VersionCounts({
  type,
  onMigrate,
}: {
  type: string;
  onMigrate: (fromVersion: number, toVersion: number) => void;
}) {
  const versions = useData(
    () => api<TypeVersions>(`/process-types/${encodeURIComponent(type)}/versions`),
    `versions-${type}`,
    30_000,
  );
  if (!versions.data) return null;
  const { latestVersion } = versions.data;
  return (
    <table className="versions">
      <caption>Versionen</caption>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col" className="num">
            Laufend
          </th>
          <th scope="col" className="num">
            Beendet
          </th>
          <th scope="col">Umstellen</th>
        </tr>
      </thead>
      <tbody>
        {versions.data.versions.map((version) => (
          <tr key={version.version}>
            <td>
              Version {version.version}
              {version.version === latestVersion ? ' (aktuell)' : ''}
            </td>
            <td className="num">{version.running}</td>
            <td className="num">{version.ended}</td>
            <td>
              {version.version < latestVersion && version.running > 0 ? (
                <button type="button" onClick={() => onMigrate(version.version, latestVersion)}>
                  {migrateLabel(latestVersion)} …
                </button>
              ) : (
                <span className="muted">–</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
