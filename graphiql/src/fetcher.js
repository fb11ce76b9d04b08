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

function authorizationOf(headers, session) {
  const named = Object.keys(headers).find((name) => name.toLowerCase() === 'authorization');
  if (named) return headers[named];
  return session.accessToken ? `Bearer ${session.accessToken}` : null;
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
    const authorization = authorizationOf(headers, session);
    if (isSubscription(params.query, params.operationName)) {
      return socketFor(authorization).iterate(params);
    }
    const sent = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers };
    if (authorization && !Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
      sent.Authorization = authorization;
    }
    return fetch(endpoint, { method: 'POST', headers: sent, body: JSON.stringify(params) }).then((r) => r.json());
  };
}
