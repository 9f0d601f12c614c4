// Runs @clerk/backend's session-token verification over the cases that the Go
// differential test (tools/clerkref) writes, and writes Clerk's verdicts.
//
//   node harness.mjs cases.json verdicts.json
//
// cases.json: {"env": {...}, "cases": [...]} (see tools/clerkref/clerkref.go).
// Every case is verified in this one process. Nothing here leaves the
// machine: keys come from env.jwtKey (the PEM). The token cases are
// API-style requests to a production instance (pk_live_) whose apiUrl is a
// closed loopback port, so no handshake, refresh or JWKS fetch is ever
// attempted. The page cases (mode "page", tools/clerkref/pages.go) are
// browser requests to a production or a development instance
// (env.instances) whose apiUrl is a local fake Backend API (core/clerktest):
// handshake payloads and session refreshes go there.
import { readFileSync, writeFileSync } from 'node:fs';

const [, , inPath, outPath] = process.argv;
if (!inPath || !outPath) {
  process.stderr.write('usage: node harness.mjs cases.json verdicts.json\n');
  process.exit(2);
}

const { env, cases } = JSON.parse(readFileSync(inPath, 'utf8'));

// The fixed clock of both sides. Clerk reads the time only through Date.now.
Date.now = () => env.nowMs;

// Clerk logs warnings (e.g. a cookie token without azp) through console;
// keep them out of the way, on stderr.
for (const name of ['log', 'info', 'warn', 'error', 'debug']) {
  console[name] = (...args) => process.stderr.write(`[clerk ${name}] ${args.map(String).join(' ')}\n`);
}

const { createClerkClient, verifyToken } = await import('@clerk/backend');
const { signedInAuthObject } = await import('@clerk/backend/internal');

// Messages carry dates (Date.prototype.toString): one time zone on every
// machine.
process.env.TZ = 'UTC';

const clerk = createClerkClient({
  secretKey: env.secretKey,
  publishableKey: env.publishableKey,
  jwtKey: env.jwtKey,
  apiUrl: env.apiUrl,
  telemetry: { disabled: true },
});

// text renders a claim value the way the Go side compares it: strings as
// they are, absent as "", anything else as its JSON.
function text(v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function list(v) {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map(text);
  return [`(not a list) ${JSON.stringify(v)}`];
}

function accepted(auth) {
  return {
    accepted: true,
    sub: text(auth.userId),
    sid: text(auth.sessionId),
    orgId: text(auth.orgId),
    orgSlug: text(auth.orgSlug),
    orgRole: text(auth.orgRole),
    orgPermissions: list(auth.orgPermissions),
  };
}

function rejected(reason, message) {
  return { accepted: false, reason: String(reason ?? ''), message: String(message ?? '') };
}

async function viaRequest(c) {
  const headers = new Headers();
  if (c.authorization) headers.set('Authorization', c.authorization);
  // Node's HTTP server joins repeated Cookie headers with "; ", as clerkgo's
  // adapters do; a Request carries the joined value.
  if (c.cookies && c.cookies.length) headers.set('Cookie', c.cookies.join('; '));
  const request = new Request('https://app.example.com/api/resource', { method: 'GET', headers });
  const state = await clerk.authenticateRequest(request, {
    authorizedParties: c.authorizedParties ?? [],
  });
  if (state.status === 'handshake') {
    return rejected(`handshake:${state.reason}`, state.message);
  }
  if (state.status !== 'signed-in') {
    return rejected(state.reason, state.message);
  }
  const auth = state.toAuth();
  if (!auth.isAuthenticated) {
    // A signed-in state whose auth object is signed out: a pending session
    // (sts "pending"), signed out by default.
    return rejected(auth.sessionStatus === 'pending' ? 'session-pending' : 'signed-in-but-signed-out', '');
  }
  return accepted(auth);
}

async function viaVerifyToken(c) {
  let payload;
  try {
    payload = await verifyToken(c.token, { jwtKey: env.jwtKey, authorizedParties: c.authorizedParties ?? [] });
  } catch (err) {
    return rejected(err?.reason ?? 'exception', err?.message);
  }
  return accepted(signedInAuthObject({}, c.token, payload));
}

// One client per instance of the page cases, as an app would hold.
const pageClients = new Map();
function pageClient(name) {
  if (!pageClients.has(name)) {
    const inst = env.instances?.[name];
    if (!inst) throw new Error(`no instance ${name} in env.instances`);
    pageClients.set(
      name,
      createClerkClient({
        secretKey: inst.secretKey,
        publishableKey: inst.publishableKey,
        jwtKey: env.jwtKey,
        apiUrl: inst.apiUrl,
        telemetry: { disabled: true },
      }),
    );
  }
  return pageClients.get(name);
}

// viaPage sends a browser's request through authenticateRequest and
// records the whole answer: status, reason, message, the headers an app
// copies onto its response, and the session when signed in. {nonce} in the
// URL or the cookies stands for this side's handshake nonce (one use each).
async function viaPage(c) {
  const fill = (s) => s.replaceAll('{nonce}', c.nonce ?? '');
  const headers = new Headers();
  for (const [k, v] of Object.entries(c.headers ?? {})) headers.set(k, v);
  if (c.cookies && c.cookies.length) headers.set('Cookie', fill(c.cookies.join('; ')));
  const request = new Request(fill(c.url), { method: c.method || 'GET', headers });
  // c.config: the case's satellite, proxy and organization-sync options.
  const state = await pageClient(c.instance).authenticateRequest(request, { ...(c.config ?? {}) });
  const h = state.headers ?? new Headers();
  const page = {
    status: String(state.status ?? ''),
    reason: String(state.reason ?? ''),
    message: String(state.message ?? ''),
    location: h.get('location') ?? '',
    cacheControl: h.get('cache-control') ?? '',
    setCookies: h.getSetCookie(),
    authStatus: h.get('x-clerk-auth-status') ?? '',
    authReason: h.get('x-clerk-auth-reason') ?? '',
    authMessage: h.get('x-clerk-auth-message') ?? '',
  };
  if (state.status === 'signed-in') {
    const auth = state.toAuth();
    page.sub = text(auth.userId);
    page.sid = text(auth.sessionId);
  }
  return { accepted: state.status === 'signed-in', page };
}

const results = [];
for (const c of cases) {
  let r;
  try {
    if (c.mode === 'page') r = await viaPage(c);
    else if (c.mode === 'verifyToken') r = await viaVerifyToken(c);
    else r = await viaRequest(c);
  } catch (err) {
    // Clerk threw instead of answering (e.g. toAuth() over a malformed fea
    // claim, or a development instance's refused handshake JWT): recorded
    // as a rejection of its own kind.
    r = rejected('exception', `${err?.name}: ${err?.message}`);
  }
  results.push({ id: c.id, ...r });
}

// The version that actually ran, so the Go side can insist on the pinned one.
const { version } = JSON.parse(readFileSync(new URL('./node_modules/@clerk/backend/package.json', import.meta.url), 'utf8'));
writeFileSync(outPath, JSON.stringify({ clerkBackend: version, results }));
