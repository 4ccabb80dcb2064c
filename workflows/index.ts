/** Every process workflow; the workflow type is the process type. */
export { invitation } from './invitation.js';
