// Shared by the journeys: launch Debian's Chromium (never a downloaded browser) with a
// fresh profile, take screenshots when TALKCHANNEL_SCREENSHOTS names a directory, and
// fail loudly with what the page showed.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function launch({ locale = 'ko-KR', viewport = { width: 1024, height: 800 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'talkchannel-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale,
    viewport,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync',
    ],
  });
  context.setDefaultTimeout(15000);
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

const shots = process.env.TALKCHANNEL_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });

export async function shot(page, name) {
  if (!shots) return;
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

export async function run(main) {
  try {
    const out = await main();
    process.stdout.write(JSON.stringify(out) + '\n');
    process.exit(0);
  } catch (e) {
    process.stderr.write(`journey failed: ${e.stack || e}\n`);
    process.exit(1);
  }
}
