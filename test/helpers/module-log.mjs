// `node --import ./module-log.mjs ...`: appends the URL of every module the process loads to the
// file named by $ACCRETE_MODULE_LOG (one a line). Used to check what a command imports.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.ACCRETE_MODULE_LOG, url + '\\n');
  return next(url, context);
}`;
if (process.env.ACCRETE_MODULE_LOG) register(`data:text/javascript,${encodeURIComponent(hooks)}`);
