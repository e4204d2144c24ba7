// A small test "forge" for git-credential-postman, in one node process:
//   - a real OAuth 2.0 server: npm oidc-provider (authorization code + PKCE, device flow
//     RFC 8628, refresh tokens, client secrets), its login and consent pages being
//     oidc-provider's plain HTML dev interactions (any login name, no password);
//   - git smart HTTP through `git http-backend`, accepting as the Basic-auth password an
//     access token this server issued (unexpired, not revoked, with a repository scope) or
//     a static personal access token from $FORGE_PATS.
//
// Endpoint layouts (FORGE_FLAVOR):
//   github: /login/oauth/authorize, /login/oauth/access_token, /login/device/code,
//           /login/device, GET /api/v3/user; token endpoint errors come with HTTP 200, as
//           GitHub sends them; git wants the user's login as the username.
//   gitlab: /oauth/authorize, /oauth/token, /oauth/authorize_device, /oauth/device;
//           git wants the username "oauth2".
// Git repositories (bare, under $FORGE_ROOT):
//   /git/<repo>.git/...                          OAuth tokens or PATs
//   /tfs/<collection>/<project>/_git/<repo>/...  Azure DevOps Server style: PATs only, any
//                                                non-empty username
//
// Environment: FORGE_ROOT (bare repositories), FORGE_PATS (comma separated),
// FORGE_FLAVOR, FORGE_TOKEN_TTL (access token lifetime, seconds, default 3600),
// FORGE_DEVICE_INTERVAL (seconds, default 1).
// Usage: node forge.mjs [port]  -> prints "READY http://127.0.0.1:PORT", then one line per
// event the tests look at ("EVENT grant <grant_type> <status>", "EVENT git <user> <status>",
// "EVENT authorization-error <error>").
// POST /admin/revoke-all revokes every access token issued so far (a test's "the admin
// revoked your token"). POST /admin/hold-token makes requests to the token endpoint wait
// ("EVENT token-held" for each) until POST /admin/release-token: a test can then have
// other clients start while one is in the middle of a grant.
import Provider from 'oidc-provider';
import http from 'node:http';
import { spawn } from 'node:child_process';

const port = Number(process.argv[2] ?? 0);
const root = process.env.FORGE_ROOT ?? process.cwd();
const pats = new Set((process.env.FORGE_PATS ?? '').split(',').filter(Boolean));
const flavor = process.env.FORGE_FLAVOR ?? 'github';
const event = (...words) => process.stdout.write(`EVENT ${words.join(' ')}\n`);

const flavors = {
  github: { authorization: '/login/oauth/authorize', token: '/login/oauth/access_token',
            device_authorization: '/login/device/code', code_verification: '/login/device' },
  gitlab: { authorization: '/oauth/authorize', token: '/oauth/token',
            device_authorization: '/oauth/authorize_device', code_verification: '/oauth/device',
            revocation: '/oauth/revoke', introspection: '/oauth/introspect' },
};
const routes = flavors[flavor];
if (!routes) throw new Error(`unknown FORGE_FLAVOR ${flavor}`);

const server = http.createServer();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

// Native apps (RFC 8252): a loopback redirect accepts any port.
const common = {
  application_type: 'native', response_types: ['code'],
  redirect_uris: ['http://127.0.0.1/', 'http://localhost/'],
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
};
const provider = new Provider(issuer, {
  routes,
  clients: [
    { client_id: 'cli-public', token_endpoint_auth_method: 'none', ...common },
    { client_id: 'cli-secret', client_secret: 'cli-secret-value',
      token_endpoint_auth_method: 'client_secret_post', ...common },
    // Registered with a callback path the helper does not send: every authorization
    // request is refused with an error page and no redirect (invalid_redirect_uri).
    { client_id: 'cli-callback', token_endpoint_auth_method: 'none', ...common,
      redirect_uris: ['http://127.0.0.1/callback'] },
  ],
  scopes: ['openid', 'offline_access', 'repo', 'workflow', 'read_repository', 'write_repository'],
  ttl: { AccessToken: Number(process.env.FORGE_TOKEN_TTL ?? 3600) },
  features: {
    devInteractions: { enabled: true }, deviceFlow: { enabled: true },
    revocation: { enabled: true }, introspection: { enabled: true },
  },
  // Like GitHub Apps and GitLab: a refresh token with every grant, without offline_access.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  async findAccount(ctx, id) { return { accountId: id, async claims() { return { sub: id }; } }; },
});
provider.on('server_error', (ctx, err) => process.stderr.write(`forge: ${err.stack}\n`));
provider.on('authorization.error', (ctx, err) => event('authorization-error', err.error));

const issued = new Set();
provider.on('access_token.saved', (token) => issued.add(token.jti));

provider.use(async (ctx, next) => {
  await next();
  // RFC 8628 `interval` is not sent by oidc-provider (clients then wait 5 s); send one.
  if (ctx.path === routes.device_authorization && ctx.status === 200) {
    ctx.body = { ...ctx.body, interval: Number(process.env.FORGE_DEVICE_INTERVAL ?? 1) };
  }
  if (ctx.path === routes.token && ctx.method === 'POST') {
    // GitHub answers OAuth errors (authorization_pending, bad_verification_code, ...)
    // with HTTP 200 and an `error` field.
    if (flavor === 'github' && ctx.status === 400) ctx.status = 200;
    event('grant', ctx.oidc?.params?.grant_type ?? '-', ctx.status, ctx.body?.error ?? '-');
  }
});
const oidc = provider.callback();

/** The access token's record, if it is valid (unknown, expired and revoked ones are not). */
async function accessToken(value) {
  const at = await provider.AccessToken.find(value).catch(() => undefined);
  return at && (at.scopes.has('repo') || at.scopes.has('write_repository')) ? at : undefined;
}

/** Whether `user`:`pass` may use the repository at `kind` ('oauth' or 'ado'). */
async function authorized(kind, user, pass) {
  if (pats.has(pass)) return user !== '';
  if (kind === 'ado') return false;
  const at = await accessToken(pass);
  if (!at) return false;
  if (flavor === 'gitlab') return user === 'oauth2';
  return user === at.accountId;
}

function git(req, res, user, pathInfo) {
  const u = new URL(req.url, issuer);
  const env = { ...process.env, GIT_PROJECT_ROOT: root, GIT_HTTP_EXPORT_ALL: '1', REMOTE_USER: user,
    PATH_INFO: pathInfo, QUERY_STRING: u.search.slice(1), REQUEST_METHOD: req.method,
    CONTENT_TYPE: req.headers['content-type'] ?? '', GIT_PROTOCOL: req.headers['git-protocol'] ?? '',
    HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '', REMOTE_ADDR: '127.0.0.1' };
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  req.pipe(cgi.stdin);
  let buf = Buffer.alloc(0);
  let headersDone = false;
  cgi.stdout.on('data', (chunk) => {
    if (headersDone) return res.write(chunk);
    buf = Buffer.concat([buf, chunk]);
    const i = buf.indexOf('\r\n\r\n');
    if (i < 0) return undefined;
    let status = 200;
    for (const line of buf.subarray(0, i).toString().split('\r\n')) {
      const [k, ...v] = line.split(':');
      const val = v.join(':').trim();
      if (k.toLowerCase() === 'status') status = parseInt(val, 10); else res.setHeader(k, val);
    }
    res.writeHead(status);
    headersDone = true;
    return res.write(buf.subarray(i + 4));
  });
  cgi.on('close', () => res.end());
}

/** `[kind, PATH_INFO]` of a git request, or undefined. */
function gitRoute(pathname) {
  const path = decodeURIComponent(pathname);
  if (path.startsWith('/git/')) return ['oauth', path.slice(4)];
  const ado = /^\/tfs\/([^/]+)\/([^/]+)\/_git\/([^/]+)(\/.*)$/.exec(path);
  if (ado) return ['ado', `/${ado[1]}/${ado[2]}/${ado[3]}.git${ado[4]}`];
  return undefined;
}

async function apiUser(req, res) {
  const m = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '');
  const at = m && await accessToken(m[1]);
  if (!at) {
    res.writeHead(401, { 'content-type': 'application/json' });
    return res.end('{"message":"Bad credentials"}');
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  return res.end(JSON.stringify({ login: at.accountId, id: 1 }));
}

// While token requests are held: the promise they wait on, and its resolver.
let hold;

const admin = {
  async '/admin/revoke-all'() {
    for (const jti of issued) await (await provider.AccessToken.find(jti))?.destroy();
    event('revoked', issued.size);
  },
  async '/admin/hold-token'() {
    if (!hold) {
      let release;
      const held = new Promise((resolve) => { release = resolve; });
      hold = { held, release };
    }
  },
  async '/admin/release-token'() {
    hold?.release();
    hold = undefined;
  },
};

server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  if (req.method === 'POST' && admin[url.pathname]) {
    await admin[url.pathname]();
    res.writeHead(204);
    return res.end();
  }
  if (hold && req.method === 'POST' && url.pathname === routes.token) {
    event('token-held');
    await hold.held;
  }
  if (flavor === 'github' && url.pathname === '/api/v3/user') return apiUser(req, res);
  const route = gitRoute(url.pathname);
  if (!route) return oidc(req, res);
  const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  const [user, ...rest] = m ? Buffer.from(m[1], 'base64').toString().split(':') : [];
  if (!m || !(await authorized(route[0], user, rest.join(':')))) {
    if (m) event('git', user || '-', 401);
    const realm = route[0] === 'ado' ? 'Azure DevOps Server' : { gitlab: 'GitLab', github: 'GitHub' }[flavor];
    res.writeHead(401, { 'WWW-Authenticate': `Basic realm="${realm}"` });
    return res.end('unauthorized\n');
  }
  event('git', user, 200);
  return git(req, res, user, route[1]);
});
console.log(`READY ${issuer}`);
