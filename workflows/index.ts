/** Every process workflow; the workflow type is the process type. */
export { card } from './card.js';
export { ehbaApplication } from './ehba-application.js';
export { invitation } from './invitation.js';
