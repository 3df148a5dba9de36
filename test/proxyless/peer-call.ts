/**
 * A one-call xDS client in its own process (for calls whose failed connections grpc-js would keep open in the test
 * process): `node peer-call.js <bootstrap.json> <target> <method>` prints the call's status as JSON and exits.
 */
import { readFile } from 'node:fs/promises';
import { XdsCaller } from './harness.js';

const [bootstrapFile = '', target = '', method = ''] = process.argv.slice(2);
const bootstrap = await readFile(bootstrapFile, 'utf8');
const caller = await XdsCaller.create({ key: '', dir: '', bootstrap, files: undefined as never }, target);
const result = await caller.call(method);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
