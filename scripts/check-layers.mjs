// Enforces the layer rule of shared/DESIGN.md: imports point down only.
//   http/ ui/ cli/  →  protocol/ interaction/  →  storage/  →  config/ lib/
// Nothing imports from http/, ui/ or cli/ except the composition root (src/app.ts) and cli/.
// protocol/ and interaction/ are pure: no Fastify, no SQL driver.
// resource/ is a public library: it may import jose and node: built-ins only.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');

const RANK = { lib: 0, config: 0, storage: 1, protocol: 2, interaction: 2, http: 3, ui: 3, cli: 4, app: 4, resource: -1 };
const PURE_FORBIDDEN = ['fastify', '@fastify/', 'kysely', 'pg', 'better-sqlite3'];

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|tsx)$/.test(name)) yield path;
  }
}

function layerOf(file) {
  const rel = relative(src, file).split('/');
  if (rel.length === 1) return rel[0] === 'app.ts' ? 'app' : 'lib';
  return rel[0];
}

const problems = [];
const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
for (const file of files(src)) {
  const isTest = /\.test\.tsx?$/.test(file) || file.includes('/test-support/');
  const layer = layerOf(file);
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(importRe)) {
    const spec = match[1] ?? match[2];
    const where = `${relative(root, file)}: imports '${spec}'`;
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(src)) continue;
      const targetLayer = layerOf(target.replace(/\.js$/, '.ts'));
      if (layer === 'resource' && targetLayer !== 'resource') problems.push(`${where} (resource/ depends on nothing of the server)`);
      else if (targetLayer === 'resource' && layer !== 'resource' && !isTest) problems.push(`${where} (the server does not use the resource library)`);
      else if (!isTest && RANK[targetLayer] > RANK[layer]) problems.push(`${where} (${layer}/ may not import from ${targetLayer}/)`);
      else if (!isTest && ['http', 'ui', 'cli'].includes(targetLayer) && targetLayer !== layer && layer !== 'app' && layer !== 'cli') {
        problems.push(`${where} (nothing imports from ${targetLayer}/)`);
      }
    } else if (!isTest) {
      const bare = spec.startsWith('node:') ? 'node:' : spec;
      if (layer === 'resource' && bare !== 'node:' && bare !== 'jose' && !bare.startsWith('jose/')) {
        problems.push(`${where} (resource/ may import jose and node: built-ins only)`);
      }
      if ((layer === 'protocol' || layer === 'interaction') && PURE_FORBIDDEN.some((p) => spec === p || spec.startsWith(p.endsWith('/') ? p : `${p}/`))) {
        problems.push(`${where} (${layer}/ is pure: no HTTP framework or SQL driver)`);
      }
    }
  }
  if ((layer === 'protocol' || layer === 'interaction') && !isTest && /process\.env/.test(text)) {
    problems.push(`${relative(root, file)}: reads process.env (${layer}/ gets configuration as arguments)`);
  }
}

if (problems.length > 0) {
  console.error(`layer rule broken (shared/DESIGN.md):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('layers: ok');
