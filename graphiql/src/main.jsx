// careergraph's GraphiQL: the page's settings come from the JSON block the
// server writes into /graphiql (no inline script, so the page's
// Content-Security-Policy can allow scripts from the server only).
import { createRoot } from 'react-dom/client';
import { setNonce } from 'get-nonce';
import { MotionConfig } from 'framer-motion';
import { GraphiQL } from 'graphiql';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './careergraph.css';
import { createFetcher } from './fetcher.js';
import { SessionFooter, signInPlugin } from './sign-in.jsx';
import { session } from './session.js';

const settings = JSON.parse(document.getElementById('careergraph-settings').textContent);
session.endpoint = settings.endpoint;
const fetcher = createFetcher(settings.endpoint, session);
// The <style> elements GraphiQL's dialogs and animations add carry the
// nonce the page's CSP allows (react-remove-scroll reads get-nonce's).
setNonce(settings.styleNonce);

createRoot(document.getElementById('graphiql')).render(
  <MotionConfig nonce={settings.styleNonce}>
  <GraphiQL
    fetcher={fetcher}
    defaultTabs={settings.examples}
    defaultEditorToolsVisibility="headers"
    plugins={[signInPlugin(settings, session), explorerPlugin()]}
  >
    <GraphiQL.Footer>
      <SessionFooter session={session} />
    </GraphiQL.Footer>
  </GraphiQL>
  </MotionConfig>,
);
