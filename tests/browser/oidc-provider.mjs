// A real OpenID Connect provider for the browser tests: the certified `oidc-provider` package on
// loopback, with its development login and consent pages (any login name signs in as that
// account; the password is not checked). A new RSA signing key is made at every start, so
// restarting it on the same port is a key rotation.
//
//   node oidc-provider.mjs PORT REDIRECT_URI
//
// Accounts: ACCOUNTS below by login name; any other name gets an unverified address.
// GET /test/hold?on=1 makes the redirect back to Kho a page with the link instead (#callback).
// GET /test/mode?set=MODE changes how ID tokens are made, to check that Kho refuses bad ones:
//   normal | nonce (another nonce) | audience (issued to another client) | expired (expired an hour ago)
// Prints "ready <issuer>" when listening.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';

const [port, redirectUri] = process.argv.slice(2);
if (!port || !redirectUri) {
  console.error('usage: node oidc-provider.mjs PORT REDIRECT_URI');
  process.exit(2);
}
const issuer = `http://localhost:${port}`;

// Accounts of the province's single sign-on.
const ACCOUNTS = {
  'an.nguyen': {
    email: 'an.nguyen@sso.example.vn',
    email_verified: true,
    name: 'Nguyễn Văn An',
    preferred_username: 'an.nguyen',
    kho_roles: ['bien-tap-du-lieu'],
  },
  'quan-tri': {
    email: 'admin@kho.example.vn',
    email_verified: true,
    name: 'Quản trị (SSO)',
    preferred_username: 'quan-tri-sso',
    kho_roles: [],
  },
};

function claimsOf(login) {
  const known = ACCOUNTS[login];
  if (known) return { sub: login, ...known };
  return { sub: login, email: `${login}@sso.example.vn`, email_verified: false, name: login, preferred_username: login, kho_roles: [] };
}

const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
key.kid = randomUUID();
key.use = 'sig';
key.alg = 'RS256';

let mode = 'normal';
// With hold on, the redirect back to Kho becomes a page with the link (the tests read it).
let hold = false;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'kho',
      client_secret: 'kho-test-secret',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [key] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    kho: ['kho_roles'],
  },
  scopes: ['openid', 'email', 'profile', 'kho'],
  // The scopes' claims go into the ID token (Kho reads them there).
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ['kho-browser-tests'] },
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    // The development login page signs in with the login name as the account id.
    claims: async () => claimsOf(sub),
  }),
  features: { devInteractions: { enabled: true } },
});

// ID tokens as the mode wants them.
const issue = provider.IdToken.prototype.issue;
provider.IdToken.prototype.issue = async function issueInMode(options = {}) {
  if (options.use !== 'idtoken' || mode === 'normal' || mode === 'nonce') return issue.call(this, options);
  if (mode === 'expired') return issue.call(this, { ...options, expiresAt: Math.floor(Date.now() / 1000) - 3600 });
  const client = this.client;
  this.client = new Proxy(client, { get: (target, name) => (name === 'clientId' ? 'another-client' : Reflect.get(target, name, target)) });
  try {
    return await issue.call(this, options);
  } finally {
    this.client = client;
  }
};
const set = provider.IdToken.prototype.set;
provider.IdToken.prototype.set = function setInMode(name, value) {
  return set.call(this, name, mode === 'nonce' && name === 'nonce' ? 'not-the-nonce-kho-sent' : value);
};

provider.use(async (ctx, next) => {
  if (ctx.path === '/test/mode') {
    mode = ctx.query.set || 'normal';
    ctx.body = `mode ${mode}\n`;
    return;
  }
  if (ctx.path === '/test/hold') {
    hold = ctx.query.on === '1';
    ctx.body = `hold ${hold}\n`;
    return;
  }
  await next();
  const location = ctx.response.get('location');
  if (hold && location && location.startsWith(redirectUri)) {
    ctx.status = 200;
    ctx.remove('Location');
    ctx.type = 'html';
    const escaped = location.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    ctx.body = `<!DOCTYPE html><title>held</title><a id="callback" href="${escaped}">continue</a>`;
  }
});

provider.listen(Number(port), () => console.log(`ready ${issuer}`));
