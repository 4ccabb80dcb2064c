/**
 * The module sets `bench/probe-module-scope.ts` evaluates, one export each: bundled as workflow
 * code, every call evaluates its modules in the calling workflow's own module scope.
 */
export const zod = () => import(/* webpackMode: "eager" */ 'zod');
export const xstate = () => import(/* webpackMode: "eager" */ 'xstate');
export const sdk = () => import(/* webpackMode: "eager" */ '@temporalio/workflow');
export const workflows = () => import(/* webpackMode: "eager" */ '../workflows/index.js');
export const invitationSchemas = () =>
  import(/* webpackMode: "eager" */ '../machines/invitation.schema.js');
export const invitationVersions = () =>
  import(/* webpackMode: "eager" */ '../machines/invitation.versions.js');
export const invitationWorkflow = async () => {
  await workflows();
  await invitationVersions();
};
