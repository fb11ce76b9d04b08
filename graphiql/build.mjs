// Bundles src/main.jsx (GraphiQL, its explorer plugin, React's production
// build, careergraph's sign-in panel and fetcher) into dist/graphiql.js and
// dist/graphiql.css, with a gzip copy of each. The server embeds dist/
// (src/http/graphiql.rs); run `npm ci && npm run build` here after changing
// src/ or package.json, and commit dist/.
//
// `node build.mjs --check` builds into a temporary folder instead and fails
// unless dist/ holds exactly that build (tests/api/graphiql.rs runs it).
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync, constants } from 'node:zlib';

const check = process.argv.includes('--check');
const outdir = check ? mkdtempSync(join(tmpdir(), 'careergraph-graphiql-')) : 'dist';

await build({
  entryPoints: { graphiql: 'src/main.jsx' },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  outdir,
  jsx: 'automatic',
  // React's production build, and no source maps or legal comments that
  // would differ between machines.
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'none',
  logLevel: 'warning',
  // GraphiQL's stylesheet names fonts and icons as data URLs; keep them inline.
  loader: { '.woff2': 'dataurl', '.woff': 'dataurl', '.svg': 'dataurl' },
});

let stale = [];
for (const name of ['graphiql.js', 'graphiql.css']) {
  const bytes = readFileSync(join(outdir, name));
  if (check) {
    // The gzip copy is checked by what it holds: zlib's bytes may differ
    // between Node.js versions, its content may not.
    const committed = readFileSync(join('dist', name));
    const unzipped = gunzipSync(readFileSync(join('dist', `${name}.gz`)));
    if (!committed.equals(bytes)) stale.push(`dist/${name}`);
    if (!unzipped.equals(committed)) stale.push(`dist/${name}.gz`);
  } else {
    writeFileSync(join(outdir, `${name}.gz`), gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }));
  }
  console.log(`${join(outdir, name)}: ${bytes.length} bytes`);
}
if (check) {
  rmSync(outdir, { recursive: true, force: true });
  if (stale.length) {
    console.error(`not built from graphiql/src and package-lock.json: ${stale.join(', ')}; run \`npm run build\` in graphiql/`);
    process.exit(1);
  }
  console.log('dist/ is the build of src/');
}
