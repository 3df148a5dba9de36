/** Writes the generated CRD to crds/ (run through `npm run gen:crd`). */
import { writeFileSync } from 'node:fs';
import { CRD_FILE, policyCrdYaml } from '../src/api/crd.js';

writeFileSync(CRD_FILE, policyCrdYaml());
process.stdout.write(`wrote ${CRD_FILE}\n`);
