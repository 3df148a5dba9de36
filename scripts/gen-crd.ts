/** Writes the generated CRD to crds/ and the API reference to docs/ (run through `npm run gen:crd`). */
import { writeFileSync } from 'node:fs';
import { CRD_FILE, policyCrdYaml } from '../src/api/crd.js';
import { REFERENCE_FILE, apiReference } from '../src/api/reference.js';

writeFileSync(CRD_FILE, policyCrdYaml());
writeFileSync(REFERENCE_FILE, apiReference());
process.stdout.write(`wrote ${CRD_FILE} and ${REFERENCE_FILE}\n`);
