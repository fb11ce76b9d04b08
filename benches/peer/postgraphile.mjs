// PostGraphile 5 (amber preset: every foreign-key relation exposed) on
// careergraph's database: the peer of the side-by-side benchmark.
//
//   DATABASE_URL=postgres:///careergraph?host=/socket/dir PORT=5678 node postgraphile.mjs
//
// Run in production mode (NODE_ENV=production), without GraphiQL or explain,
// with the same pool size as careergraph (POOL_SIZE, default 16).
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";

const connectionString = process.env.DATABASE_URL;
if (!connectionString) {
  console.error("DATABASE_URL is required");
  process.exit(2);
}
const port = Number(process.env.PORT ?? 5678);

const preset = {
  extends: [PostGraphileAmberPreset],
  // Every column can be a condition or an order (PostGraphile otherwise
  // offers only a non-partial index's first column): the pages need status
  // and posted_at, which careergraph's partial indexes cover.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [
    makePgService({
      connectionString,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.POOL_SIZE ?? 16) },
    }),
  ],
  grafserv: { port, graphiql: false, graphqlPath: "/graphql" },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
await serv.addTo(server);
server.listen(port, "127.0.0.1", () => console.log(`postgraphile listening on 127.0.0.1:${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    server.close();
    await pgl.release();
    process.exit(0);
  });
}
