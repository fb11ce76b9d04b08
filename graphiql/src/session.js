// The signed-in session: its tokens, refreshed before the access token
// expires, and whoever wants to hear of a change (the panel, the fetcher).
const REFRESH_AHEAD_MS = 60_000;

export const session = {
  accessToken: null,
  refreshToken: null,
  expiresAt: null,
  email: null,
  error: null,
  listeners: new Set(),
  timer: null,
  endpoint: '/graphql',

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  },

  changed() {
    for (const listener of this.listeners) listener();
  },

  async signIn(email, password) {
    const data = await this.call(
      `mutation SignIn($input: LoginInput!) {
         login(input: $input) { accessToken refreshToken accessTokenExpiresAt userErrors { message } }
       }`,
      { input: { email, password } },
      'login',
    );
    if (data) this.email = email;
    return data;
  },

  async refresh() {
    if (!this.refreshToken) return null;
    return this.call(
      `mutation Refresh($input: RefreshSessionInput!) {
         refreshSession(input: $input) { accessToken refreshToken accessTokenExpiresAt userErrors { message } }
       }`,
      { input: { refreshToken: this.refreshToken } },
      'refreshSession',
    );
  },

  signOut() {
    clearTimeout(this.timer);
    Object.assign(this, { accessToken: null, refreshToken: null, expiresAt: null, email: null, error: null });
    this.changed();
  },

  async call(query, variables, field) {
    let payload;
    try {
      const response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const body = await response.json();
      payload = body.data?.[field];
      if (!payload) {
        this.error = body.errors?.[0]?.message ?? `HTTP ${response.status}`;
      } else if (payload.userErrors?.length) {
        this.error = payload.userErrors.map((e) => e.message).join('; ');
        payload = null;
      }
    } catch (err) {
      this.error = String(err);
    }
    if (payload) {
      this.error = null;
      this.accessToken = payload.accessToken;
      this.refreshToken = payload.refreshToken;
      this.expiresAt = new Date(payload.accessTokenExpiresAt);
      this.schedule();
    }
    this.changed();
    return payload;
  },

  schedule() {
    clearTimeout(this.timer);
    const wait = Math.max(this.expiresAt.getTime() - Date.now() - REFRESH_AHEAD_MS, 1_000);
    this.timer = setTimeout(() => this.refresh(), wait);
  },
};
