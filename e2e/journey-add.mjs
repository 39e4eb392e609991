// Journey 1: the developer's page loads the served SDK; the user signs in with Kakao
// Login and consents (plusfriends), then clicks the add-channel button and adds the
// channel on the bridge page. Prints {"code": "..."} for the test to redeem.
// Usage: node journey-add.mjs <site-origin> <email> <password> <channel-public-id>
import { launch, shot, check, run } from './lib.mjs';

const [site, email, password, channel] = process.argv.slice(2);

run(async () => {
  const { context, close } = await launch({ locale: 'ko-KR' });
  try {
    const page = await context.newPage();
    await page.goto(site + '/');
    // The SDK is there, initialised, and errs as Kakao's does.
    const sdk = await page.evaluate(() => {
      const out = { initialized: Kakao.isInitialized() };
      try { Kakao.init('again'); } catch (e) { out.reinit = e.name; }
      try { Kakao.Channel.addChannel({}); } catch (e) { out.missing = e.name + ': ' + e.message; }
      try { Kakao.Channel.createChatButton({ container: '#nowhere', channelPublicId: '_x' }); } catch (e) { out.container = e.name; }
      try { Kakao.Channel.createChatButton({ container: '#chat-button', channelPublicId: '_x', color: 'pink' }); } catch (e) { out.color = e.name; }
      return out;
    });
    check(sdk.initialized === true, 'Kakao.isInitialized() after init: ' + JSON.stringify(sdk));
    check(sdk.reinit === 'KakaoError', 'a second init throws KakaoError: ' + JSON.stringify(sdk));
    check(/channelPublicId/.test(sdk.missing || ''), 'a missing channelPublicId is named: ' + JSON.stringify(sdk));
    check(sdk.container === 'KakaoError' && sdk.color === 'KakaoError', 'bad options throw: ' + JSON.stringify(sdk));
    check(await page.locator('.talkchannel-add-button img').count() === 1, 'the add-channel button is rendered');
    check(await page.locator('.talkchannel-consult-button img').count() === 1, 'the chat button is rendered');
    await shot(page, 'sdk-test-page');

    // Kakao Login: sign in, consent.
    await page.click('#login');
    await page.waitForURL(/\/login\?/);
    await shot(page, 'signin-ko');
    await page.fill('#login', email);
    await page.fill('#password', password);
    await page.click('#sign-in');
    await page.waitForURL(/\/oauth\/authorize/);
    await shot(page, 'consent-ko');
    await page.click('#agree');
    await page.waitForURL((url) => url.pathname === '/callback');
    const url = new URL(page.url());
    check(url.searchParams.get('state') === 'journey', 'state comes back: ' + page.url());
    const code = url.searchParams.get('code');
    check(code, 'a code comes back: ' + page.url());

    // The add-channel button opens the bridge in a popup; the user adds the channel.
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.click('.talkchannel-add-button'),
    ]);
    await popup.waitForSelector('#confirm-add');
    check(new URL(popup.url()).searchParams.get('app_key'), 'the bridge URL carries app_key: ' + popup.url());
    await shot(popup, 'add-bridge-ko');
    await popup.click('#confirm-add');
    await popup.waitForSelector('#result[data-status="ok"]');
    await shot(popup, 'added-ko');

    // The channel home in both languages, and on a phone.
    const home = await context.newPage();
    await home.goto(`${new URL(popup.url()).origin}/${channel}`);
    await shot(home, 'channel-home-ko');
    await home.goto(`${new URL(popup.url()).origin}/${channel}?lang=en`);
    check((await home.textContent('html')).includes('friends'), 'the English switch works');
    await shot(home, 'channel-home-en');
    await home.setViewportSize({ width: 390, height: 844 });
    await shot(home, 'channel-home-phone');
    const missing = await home.goto(`${new URL(popup.url()).origin}/_nosuchchannel`);
    check(missing.status() === 404, 'an unknown channel is a 404 page: ' + missing.status());
    await shot(home, 'not-found-phone');
    return { code };
  } finally {
    await close();
  }
});
