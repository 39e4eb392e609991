// Journey 2: an English-speaking user whose token the developer's page holds clicks
// "follow": the SDK exchanges the token for an agt, the Follow Channel popup signs them
// in with it (no password) and adds the channel, the
// SDK's Promise resolves, and Kakao.API.request reads the relationship with the token
// the page set. Then the chat button opens the chat bridge.
// Usage: node journey-follow.mjs <site-origin> <email> <password> <channel-public-id> <access-token>
import { launch, shot, check, run } from './lib.mjs';

const [site, , , channel, token] = process.argv.slice(2);

run(async () => {
  const { context, close } = await launch({ locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(`${site}/?token=${encodeURIComponent(token)}`);
    // The page holds a token, so the SDK brings an agt: the popup signs the user in
    // without a password. (A page without a token signs in inside the popup.)
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#follow')]);
    await popup.waitForSelector('#confirm-add');
    check(!popup.url().includes('/login'), 'the agt signed the user in: ' + popup.url());
    await shot(popup, 'follow-en');
    await popup.click('#confirm-add');
    await page.waitForFunction(() => document.getElementById('follow-result').textContent !== '');
    const followed = JSON.parse(await page.textContent('#follow-result'));
    check(followed.status === 'success' && followed.channel_public_id === channel,
      'followChannel resolves with success: ' + JSON.stringify(followed));
    await page.waitForFunction(() => document.getElementById('api-result').textContent !== '' ||
      document.getElementById('errors').textContent !== '');
    const errors = await page.textContent('#errors');
    check(errors === '', 'no SDK errors: ' + errors);
    const api = JSON.parse(await page.textContent('#api-result'));
    const relation = (api.channels || []).find((c) => c.channel_public_id === channel);
    check(relation && relation.relation === 'ADDED', 'API.request sees ADDED: ' + JSON.stringify(api));

    // The chat button opens the chat bridge; the user is signed in already.
    const [chat] = await Promise.all([page.waitForEvent('popup'), page.click('.talkchannel-consult-button')]);
    await chat.waitForSelector('#thread');
    await shot(chat, 'chat-en');
    check(new URL(chat.url()).pathname === `/${channel}/chat`, 'the chat bridge opened: ' + chat.url());
    return { follow: followed, relation: relation.relation };
  } finally {
    await close();
  }
});
