export { runMachine, runProcess } from './process-workflow.js';
