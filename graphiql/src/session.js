// The signed-in session: its tokens, and whoever wants to hear of a change
// (the sign-in pane, which writes the token into the Headers tab). The
// access token is refreshed once it is within a minute of expiring: checked
// before every request and every 15 s, since one long timer would fire late
// after a laptop sleeps or a background tab is throttled.
const REFRESH_AHEAD_MS = 60_000;
const CHECK_EVERY_MS = 15_000;

export const session = {
  accessToken: null,
  refreshToken: null,
  expiresAt: null,
  email: null,
  error: null,
  // Tokens this session replaced: a tab still sending one gets the current.
  superseded: new Set(),
  listeners: new Set(),
  refreshing: null,
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
    if (data) {
      this.email = email;
      clearInterval(this.timer);
      this.timer = setInterval(() => this.fresh(), CHECK_EVERY_MS);
      this.changed();
    }
    return data;
  },

  // Resolves once the access token has at least a minute left (refreshing
  // it if not); at most one refresh runs at a time.
  async fresh() {
    if (!this.refreshToken || this.expiresAt.getTime() - Date.now() > REFRESH_AHEAD_MS) return;
    this.refreshing ??= this.call(
      `mutation Refresh($input: RefreshSessionInput!) {
         refreshSession(input: $input) { accessToken refreshToken accessTokenExpiresAt userErrors { message } }
       }`,
      { input: { refreshToken: this.refreshToken } },
      'refreshSession',
    ).then((refreshed) => {
      this.refreshing = null;
      // A refused refresh token stays refused: sign out (the pane shows
      // why) rather than ask again every 15 s.
      if (!refreshed) {
        const why = this.error;
        this.signOut();
        this.error = `${why}: sign in again`;
        this.changed();
      }
    });
    await this.refreshing;
  },

  signOut() {
    clearInterval(this.timer);
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
      if (this.accessToken) this.superseded.add(this.accessToken);
      this.error = null;
      this.accessToken = payload.accessToken;
      this.refreshToken = payload.refreshToken;
      this.expiresAt = new Date(payload.accessTokenExpiresAt);
    }
    this.changed();
    return payload;
  },
};
