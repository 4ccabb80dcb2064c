export { runMachine, runProcess } from './run-machine.js';
