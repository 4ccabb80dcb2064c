import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/env.js';
import { workerConfig } from '../../worker/config.js';

const BASE = {
  PRAXISFLOW_SECRET: 'worker-config-test-secret-worker-config-test',
  DATABASE_URL: 'postgres://praxisflow:secret@127.0.0.1:5433/praxisflow',
};

describe("the worker's configuration of the daily report of what became overdue", () => {
  it('when no address is set, then there is no report, at 07:00 by default', () => {
    expect(workerConfig(BASE).slaReport).toEqual({
      to: [],
      time: '07:00',
      dashboardUrl: 'http://localhost:3000/dashboard',
    });
  });

  it('when addresses, a time and the dashboard are set, then the report goes there', () => {
    const config = workerConfig({
      ...BASE,
      PRAXISFLOW_SLA_REPORT_TO: ' backoffice@kv.example, leitung@kv.example ',
      PRAXISFLOW_SLA_REPORT_TIME: '06:30',
      PRAXISFLOW_DASHBOARD_URL: 'https://praxisflow.kv.example/dashboard/',
    });
    expect(config.slaReport).toEqual({
      to: ['backoffice@kv.example', 'leitung@kv.example'],
      time: '06:30',
      dashboardUrl: 'https://praxisflow.kv.example/dashboard',
    });
  });

  it('when an address or the time is malformed, then the worker refuses to start and names the variable', () => {
    const refusal = (env: NodeJS.ProcessEnv) => {
      try {
        workerConfig({ ...BASE, ...env });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return String((error as Error).message);
      }
      throw new Error('accepted');
    };
    expect(refusal({ PRAXISFLOW_SLA_REPORT_TO: 'backoffice' })).toContain(
      'PRAXISFLOW_SLA_REPORT_TO',
    );
    expect(refusal({ PRAXISFLOW_SLA_REPORT_TIME: '7 Uhr' })).toContain(
      'PRAXISFLOW_SLA_REPORT_TIME',
    );
  });
});
