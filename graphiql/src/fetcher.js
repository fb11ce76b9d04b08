// Queries and mutations over HTTP POST; subscriptions over
// graphql-transport-ws at the same endpoint, with the Headers tab's
// Authorization (or the signed-in session's) in `connection_init`.
import { parse } from 'graphql';
import { createClient } from 'graphql-ws';

function isSubscription(query, operationName) {
  try {
    const operations = parse(query).definitions.filter((d) => d.kind === 'OperationDefinition');
    const chosen = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
    return chosen?.operation === 'subscription';
  } catch {
    return false; // the server explains the syntax error
  }
}

// The tab's Authorization, unless it is a token the session has since
// refreshed (or names none): then the session's current one.
function authorizationOf(headers, session) {
  const named = Object.keys(headers).find((name) => name.toLowerCase() === 'authorization');
  const sent = named ? headers[named] : null;
  const stale = sent && session.superseded.has(sent.replace(/^Bearer\s+/i, ''));
  if (sent && !stale) return sent;
  return session.accessToken ? `Bearer ${session.accessToken}` : sent;
}

export function createFetcher(endpoint, session) {
  const socketUrl = new URL(endpoint, window.location.href);
  socketUrl.protocol = socketUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  // One socket per Authorization value: a new sign-in opens a new one.
  let socket = null;
  const socketFor = (authorization) => {
    if (socket?.authorization !== authorization) {
      socket?.client.dispose();
      const client = createClient({
        url: socketUrl.href,
        connectionParams: authorization ? { Authorization: authorization } : {},
        lazy: true,
      });
      socket = { authorization, client };
    }
    return socket.client;
  };

  return (params, options = {}) => {
    const headers = options.headers ?? {};
    if (isSubscription(params.query, params.operationName)) {
      return (async function* () {
        await session.fresh();
        yield* socketFor(authorizationOf(headers, session)).iterate(params);
      })();
    }
    return session.fresh().then(() => {
      const sent = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
      for (const [name, value] of Object.entries(headers)) {
        if (name.toLowerCase() !== 'authorization') sent[name] = value;
      }
      const authorization = authorizationOf(headers, session);
      if (authorization) sent.Authorization = authorization;
      return fetch(endpoint, { method: 'POST', headers: sent, body: JSON.stringify(params) }).then((r) => r.json());
    });
  };
}
