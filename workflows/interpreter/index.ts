export { runMachine, runProcess, sendUpdate, viewQuery } from './run-machine.js';
