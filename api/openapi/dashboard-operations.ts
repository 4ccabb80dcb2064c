import { z } from 'zod';
import { processIdParameter } from '../schemas.js';
import { overview, processMessages, sessionInfo } from '../dashboard-schemas.js';
import { EXAMPLE_ID } from './examples.js';
import { forbiddenResponse, notFoundResponse, securedResponses } from './responses.js';
import type { OperationSpec } from './spec.js';

/** What the operators' dashboard reads besides the process routes. */
export const dashboardOperations: readonly OperationSpec[] = [
  {
    method: 'get',
    path: '/api/v1/session',
    operationId: 'getSession',
    tag: 'Dashboard',
    summary: 'Who this API key is',
    description:
      'The key’s id and role (and practices, for a client key), the namespace, and where the ' +
      'Temporal Web UI and the development inbox are. The dashboard logs in with it and ' +
      'refuses client keys.',
    security: 'apiKey',
    responses: {
      200: { description: 'The key.', schema: sessionInfo },
      ...securedResponses('/api/v1/session'),
    },
  },
  {
    method: 'get',
    path: '/api/v1/overview',
    operationId: 'getOverview',
    tag: 'Dashboard',
    summary: 'Processes by type and state, due soon, incidents, recent activity',
    description:
      'From the read model: counts by type, state and status, each with how many are overdue ' +
      'in that state („überfällig“), and overdue in all; active processes with a timer ' +
      'due within 24 hours and 7 days; processes with an incident; the latest 15 steps.',
    security: 'apiKey',
    roles: ['admin', 'operator'],
    responses: {
      200: { description: 'The overview.', schema: overview },
      ...securedResponses('/api/v1/overview'),
      403: forbiddenResponse('This needs an API key of role admin or operator', '/api/v1/overview'),
    },
  },
  {
    method: 'get',
    path: '/api/v1/processes/{id}/messages',
    operationId: 'getProcessMessages',
    tag: 'Dashboard',
    summary: 'The messages a process sent',
    description:
      'Every email, SMS, fax and letter of the process as the outbox records it: channel, ' +
      'recipient (phones masked), subject, status, attempts, last error. No bodies, no codes.',
    security: 'apiKey',
    pathParameters: z.object({ id: processIdParameter }),
    responses: {
      200: { description: 'The messages, oldest first.', schema: processMessages },
      ...securedResponses(`/api/v1/processes/${EXAMPLE_ID}/messages`),
      404: notFoundResponse(
        'No such process, or not one of the practices of this client key.',
        `No process ${EXAMPLE_ID}`,
        `/api/v1/processes/${EXAMPLE_ID}/messages`,
      ),
    },
  },
];
