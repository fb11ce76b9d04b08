// Subscribes with graphql-ws (the client Apollo, urql and Relay use for
// graphql-transport-ws), prints "subscribed" once the server acknowledged
// the connection, then the first result as one JSON line, and exits.
//
//   node subscribe.mjs <ws url> <access token> <query> [variables JSON]
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, query, variables = '{}'] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
  on: { connected: () => console.log('subscribed') },
});

const timer = setTimeout(() => {
  console.error('no result within 20 s');
  process.exit(1);
}, 20_000);

client.subscribe(
  { query, variables: JSON.parse(variables) },
  {
    next: (result) => {
      console.log(JSON.stringify(result));
      clearTimeout(timer);
      client.dispose();
      process.exit(0);
    },
    error: (error) => {
      console.error(JSON.stringify(error instanceof Error ? error.message : error));
      process.exit(1);
    },
    complete: () => {},
  },
);
