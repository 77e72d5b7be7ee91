// Writes docs/admin-openapi.json from the built admin API description (run `npm run build` first).
// test/flows/admin-api.test.ts checks that the served document equals the committed one.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const { adminOpenApi } = await import(join(root, 'dist/http/admin/admin-openapi.js'));
writeFileSync(join(root, 'docs/admin-openapi.json'), `${JSON.stringify(adminOpenApi, null, 2)}\n`);
console.log('wrote docs/admin-openapi.json');
