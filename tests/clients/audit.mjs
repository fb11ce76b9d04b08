// Runs graphql-http's server audit against a live careergraph server and
// prints every item. Exits 1 when a MUST item fails; SHOULD items that are
// not met are printed as warnings (docs/conformance.md says why).
//
//   node audit.mjs http://127.0.0.1:8080/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint url>');
  process.exit(2);
}

const results = await auditServer({ url, fetchFn: fetch });
let failed = 0;
let warned = 0;
let noticed = 0;
for (const result of results) {
  // 'notice' marks an unmet MAY, 'warn' an unmet SHOULD, 'error' an unmet MUST.
  const mark = { ok: 'ok  ', notice: 'NOTE', warn: 'WARN', error: 'FAIL' }[result.status] ?? result.status;
  console.log(`${mark} ${result.name}`);
  if (result.status !== 'ok') {
    const reason = typeof result.reason === 'string' ? result.reason : JSON.stringify(result.reason);
    console.log(`     ${reason}`);
  }
  if (result.status === 'error') failed += 1;
  if (result.status === 'warn') warned += 1;
  if (result.status === 'notice') noticed += 1;
}
const passed = results.length - failed - warned - noticed;
console.log(
  `graphql-http audit: ${passed} ok, ${noticed} notices (MAY), ${warned} warnings (SHOULD), ${failed} failures (MUST)`,
);
process.exit(failed > 0 ? 1 : 0);
