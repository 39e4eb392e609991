// Journey 3: the developer's page uses Kakao.Auth (getAppKey, getStatusInfo before and
// after a token, logout) and Kakao.Share: sendDefault opens the sharer, which signs the
// user in and shares; the createDefaultButton element opens it for a text template;
// sendScrap shows the URL. Screenshots of the sharer in Korean and English, desktop and
// phone width.
// Usage: node journey-share.mjs <site-origin> <email> <password> <access-token> <js-key>
import { launch, shot, check, run } from './lib.mjs';

const [site, email, password, token, jsKey] = process.argv.slice(2);

async function sharer(page, selector) {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.click(selector)]);
  await popup.waitForLoadState();
  return popup;
}

run(async () => {
  const { context, close } = await launch({ locale: 'ko-KR' });
  try {
    const page = await context.newPage();
    await page.goto(`${site}/`);
    check(await page.evaluate(() => Kakao.Auth.getAppKey()) === jsKey, 'getAppKey is the init key');
    const before = await page.evaluate(() => Kakao.Auth.getStatusInfo());
    check(before.status === 'not_connected' && !before.user, 'no token: ' + JSON.stringify(before));
    await page.evaluate((t) => Kakao.Auth.setAccessToken(t), token);
    const after = await page.evaluate(() => Kakao.Auth.getStatusInfo());
    check(after.status === 'connected' && typeof after.user.id === 'number', 'connected: ' + JSON.stringify(after));

    // sendDefault (feed): sign in inside the popup, look at the preview, share.
    const feed = await sharer(page, '#share-feed');
    await feed.waitForURL(/\/login\?/);
    await feed.fill('#login', email);
    await feed.fill('#password', password);
    await feed.click('#sign-in');
    await feed.waitForSelector('#confirm-share');
    const feedText = await feed.textContent('#share-preview');
    check(feedText.includes('오늘의 디저트') && feedText.includes('웹으로 보기'), 'feed preview: ' + feedText);
    await shot(feed, 'share-ko');
    const shareUrl = feed.url();
    await feed.goto(shareUrl + '&lang=en');
    await shot(feed, 'share-en');
    await feed.setViewportSize({ width: 390, height: 844 });
    await shot(feed, 'share-phone-en');
    await feed.goto(shareUrl + '&lang=ko');
    await shot(feed, 'share-phone-ko');
    await feed.setViewportSize({ width: 1024, height: 800 });
    await feed.focus('#confirm-share');
    await feed.keyboard.press('Enter');
    await feed.waitForSelector('#result[data-status="ok"]');
    await shot(feed, 'share-done-ko');
    // Every share reuses the one window named kakao_link_web_sharer, as Kakao's does.
    if (!feed.isClosed()) await feed.close();

    // createDefaultButton (text): the page's element opens the sharer; cancel.
    const text = await sharer(page, '#share-text');
    await text.waitForSelector('#confirm-share');
    check((await text.textContent('#share-preview')).includes('텍스트 공유'), 'text preview');
    await text.click('button[value="cancel"]');
    await text.waitForSelector('#result[data-status="info"]');
    if (!text.isClosed()) await text.close();

    // sendScrap: the URL is what is shared.
    const scrap = await sharer(page, '#share-scrap');
    await scrap.waitForSelector('#confirm-share');
    check((await scrap.textContent('#share-preview')).includes('https://news.example/today'), 'scrap preview');
    await scrap.close();

    // logout resolves with the user id and forgets the token; the server refuses it.
    const out = await page.evaluate(() => Kakao.Auth.logout());
    check(out.id === after.user.id, 'logout resolves {id}: ' + JSON.stringify(out));
    check(await page.evaluate(() => Kakao.Auth.getAccessToken()) === null, 'token forgotten');
    await page.evaluate((t) => Kakao.Auth.setAccessToken(t), token);
    const refused = await page.evaluate(() => Kakao.Auth.getStatusInfo().then(
      (r) => ({ resolved: r }), (e) => ({ rejected: e })));
    check(refused.rejected && refused.rejected.code === -401, 'refused token rejects: ' + JSON.stringify(refused));
    return { user_id: after.user.id, logout: out };
  } finally {
    await close();
  }
});
