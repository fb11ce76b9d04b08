// Drives careergraph's GraphiQL in headless Chromium as a person would:
// the page renders, signing in from the "Sign in" pane fills the Headers
// tab, a query typed into the editor returns data, and a subscription
// receives the event a mutation (made by the test) causes. Requests to any
// host but the server are refused and reported, as are CSP violations.
// Prints one line per step; the test (tests/api/graphiql.rs) reads them.
//
//   node browser.mjs <base url> <email> <screenshot path>
import puppeteer from 'puppeteer-core';

const [base, email, screenshot] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const say = (step, detail = '') => console.log(detail === '' ? step : `${step} ${JSON.stringify(detail)}`);
const fail = (why) => {
  console.error(why);
  process.exit(1);
};
setTimeout(() => fail('the browser test ran past 90 s'), 90_000).unref();

const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'],
  defaultViewport: { width: 1400, height: 900 },
});
const page = await browser.newPage();
const outside = [];
const problems = [];
try {
  const origin = new URL(base).origin;
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith(origin) || url.startsWith('data:')) return request.continue();
    outside.push(url);
    return request.abort();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.evaluateOnNewDocument(() => {
    // A clock the test can move forward (window.__clockOffset, in ms).
    const RealDate = Date;
    window.__clockOffset = 0;
    window.Date = class extends RealDate {
      constructor(...args) {
        super(...(args.length ? args : [RealDate.now() + window.__clockOffset]));
      }
      static now() {
        return RealDate.now() + window.__clockOffset;
      }
    };
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      window.__violations.push(`${event.violatedDirective}: ${event.blockedURI}`),
    );
  });

  const response = await page.goto(`${base}/graphiql`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror', { timeout: 20_000 });
  say('rendered', { csp: response.headers()['content-security-policy'] ?? null });

  // The editors are CodeMirror 5 instances, hung on their wrapper element.
  const editorText = (selector) =>
    page.evaluate((selector) => document.querySelector(selector)?.CodeMirror?.getValue() ?? null, selector);
  const HEADERS = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
  const RESPONSE = '.graphiql-response .CodeMirror';
  const QUERY = '.graphiql-query-editor .CodeMirror';
  // The editor's text once it matches `pattern`.
  const editorMatching = async (selector, pattern, timeout) => {
    const found = await page.waitForFunction(
      (selector, source) => {
        const text = document.querySelector(selector)?.CodeMirror?.getValue() ?? '';
        return new RegExp(source).test(text) ? text : false;
      },
      { timeout },
      selector,
      pattern.source,
    );
    return found.jsonValue();
  };

  // Sign in from the pane: pick the demo login, submit.
  // With --demo the pane opens with the page; otherwise open it.
  const closed = await page.$('button[aria-label="Show Sign in"]');
  if (closed) await closed.click();
  const login = await page.waitForSelector(`xpath/.//button[normalize-space()="${email}"]`, { timeout: 10_000 });
  await login.evaluate((button) => button.click());
  await page.click('.careergraph-sign-in button[type="submit"]');
  await page.waitForSelector('[data-testid="signed-in"]', { timeout: 15_000 });
  await page.click('button[data-name="headers"]').catch(() => {});
  const headerText = await editorMatching(HEADERS, /Bearer /, 10_000);
  say('signed-in', { authorization: JSON.parse(headerText).Authorization?.startsWith('Bearer ') ?? false });

  // Type a query into the editor and run it.
  const typeQuery = async (text) => {
    await page.click(QUERY);
    await page.keyboard.down('Control');
    await page.keyboard.press('KeyA');
    await page.keyboard.up('Control');
    await page.keyboard.press('Backspace');
    await page.keyboard.type(text, { delay: 5 });
    await page.keyboard.press('Escape'); // close the autocompletion list, if open
    return editorText(QUERY);
  };
  // Ctrl-Enter in the editor runs the operation under the cursor, once
  // GraphiQL has read the new text: its tab then bears the operation's name.
  const run = async (operation) => {
    if (operation) {
      await page.waitForFunction(
        (name) => document.querySelector('.graphiql-tab-active .graphiql-tab-button')?.textContent?.trim() === name,
        { timeout: 10_000 },
        operation,
      );
    }
    await page.keyboard.down('Control');
    await page.keyboard.press('Enter');
    await page.keyboard.up('Control');
  };
  const typed = await typeQuery('query Me { viewer { fullName email } }');
  await run('Me');
  const answered = await editorMatching(RESPONSE, /"viewer"/, 15_000);
  say('queried', { typed, response: JSON.parse(answered) });

  // The explorer builds a query as fields are ticked: tick `jobs`.
  await page.click('button[aria-label="Show GraphiQL Explorer"]');
  const jobs = await page.waitForSelector('.graphiql-explorer-root .graphiql-explorer-jobs', { timeout: 10_000 });
  await jobs.evaluate((field) => field.querySelector('span')?.click() ?? field.click());
  say('explored', { query: await editorMatching(QUERY, /\bjobs\b/, 10_000) });

  // A subscription: run it, tell the test, wait for the event it causes.
  await typeQuery('subscription Events { applicationEvents { kind toStatus } }');
  await run('Events');
  say('subscribing');
  say('event', JSON.parse(await editorMatching(RESPONSE, /"applicationEvents"/, 30_000)));

  // Fourteen and a half minutes later, the next request first refreshes
  // the access token (it has under a minute left), in a new tab too.
  const headerToken = async () => JSON.parse((await editorText(HEADERS)) || '{}').Authorization ?? null;
  const before = await headerToken();
  // Ctrl-Enter while a subscription runs stops it (GraphiQL runs one
  // operation at a time, whichever the tab).
  await page.click(QUERY);
  await run();
  await page.evaluate(() => {
    window.__clockOffset = 14.5 * 60 * 1000;
  });
  await page.click('button[aria-label="New tab"]');
  await typeQuery('query Again { viewer { fullName } }');
  await run('Again');
  const again = JSON.parse(await editorMatching(RESPONSE, /"viewer"/, 15_000));
  let after = await headerToken();
  for (let waited = 0; (!after || after === before) && waited < 10_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    after = await headerToken();
  }
  say('refreshed', { before: before?.slice(0, 7), changed: Boolean(after) && after !== before, response: again });

  await page.screenshot({ path: screenshot });
  const violations = await page.evaluate(() => window.__violations);
  say('finished', { outside, violations, problems });
} catch (error) {
  // What the page showed when a step failed, for whoever reads the log.
  await page.screenshot({ path: `${screenshot}.failed.png` }).catch(() => {});
  const editors = await page
    .evaluate(() => [...document.querySelectorAll('.CodeMirror')].map((e) => e.CodeMirror?.getValue()))
    .catch(() => []);
  const violations = await page.evaluate(() => window.__violations).catch(() => null);
  console.error(JSON.stringify({ editors, violations, problems }));
  console.error(error.stack ?? String(error));
  process.exitCode = 1;
} finally {
  await browser.close();
}
