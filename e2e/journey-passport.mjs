// Journey: a Node app signs users in with passport-kakao, the most used Kakao strategy
// for Passport, unmodified: the only change is the three Kakao addresses the strategy
// fixes, pointed at talkchannel. The user signs in and consents in Chromium; passport
// redeems the code (sending its default client_secret) and reads the profile from
// /v2/user/me with the token as the access_token query parameter, as it does against
// Kakao. Prints the profile passport produced.
// Usage: node journey-passport.mjs <talkchannel-base> <app-port> <rest-api-key> <email> <password>
import http from 'node:http';
import passport from 'passport';
import kakao from 'passport-kakao';
import { launch, shot, check, run } from './lib.mjs';

const [base, port, clientID, email, password] = process.argv.slice(2);
const origin = `http://127.0.0.1:${port}`;

const strategy = new kakao.Strategy(
  { clientID, callbackURL: origin + '/callback' },
  (accessToken, refreshToken, profile, done) => done(null, { accessToken, refreshToken, profile }),
);
strategy._oauth2._authorizeUrl = base + '/oauth/authorize';
strategy._oauth2._accessTokenUrl = base + '/oauth/token';
strategy._userProfileURL = base + '/v2/user/me';
passport.use(strategy);

// The app: /login starts Kakao Login, /callback finishes it and shows what passport got.
function app(req, res) {
  const url = new URL(req.url, origin);
  if (url.pathname !== '/login' && url.pathname !== '/callback') {
    res.statusCode = 404;
    res.end();
    return;
  }
  req.query = Object.fromEntries(url.searchParams);
  passport.authenticate('kakao', { session: false }, (err, user, info) => {
    res.setHeader('content-type', 'application/json');
    if (err || !user) {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: String((err && (err.stack || err.data || err)) || 'no user'), info }));
      return;
    }
    const { id, username, _json } = user.profile;
    res.end(JSON.stringify({ id, username, json: _json, refresh: Boolean(user.refreshToken) }));
  })(req, res, (e) => {
    res.statusCode = 500;
    res.end(JSON.stringify({ error: String(e) }));
  });
}

run(async () => {
  const server = http.createServer(app);
  await new Promise((done) => server.listen(Number(port), '127.0.0.1', done));
  const { context, close } = await launch({ locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(origin + '/login');
    await page.waitForURL(/\/login\?/);
    await page.fill('#login', email);
    await page.fill('#password', password);
    await page.click('#sign-in');
    await page.waitForURL(/\/oauth\/authorize/);
    await shot(page, 'consent-items-en');
    await page.click('#agree');
    await page.waitForURL((u) => u.pathname === '/callback');
    const body = await page.textContent('body');
    let out;
    try { out = JSON.parse(body); } catch (e) { throw new Error('the app answered: ' + body); }
    check(!out.error, 'passport failed: ' + body);
    return out;
  } finally {
    await close();
    server.close();
  }
});
