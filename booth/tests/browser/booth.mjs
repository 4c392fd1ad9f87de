// The booth in a real browser: Debian's Chromium, headless, driven by playwright-core through
// its executable path, against the real board server on loopback. Run by booth/tests/browser.rs,
// which holds the election and the server; this script only plays the voters.
//
// Environment: BOOTH_URL (the server), BOOTH_CREDENTIALS (a JSON list of credential codes),
// CHROMIUM (the browser's path), BOOTH_SCREENSHOT (where to save the screenshots: the path with
// `-ballot.png` and `-cast.png` appended).
//
// It asks the harness to stop or start the server by printing `CONTROL stop` or `CONTROL start`
// and waiting for a line `ok` on its standard input; it ends by printing `RESULT {json}`. Any
// failed expectation ends it with a non-zero status and the reason on standard error.

import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const url = process.env.BOOTH_URL;
const credentials = JSON.parse(process.env.BOOTH_CREDENTIALS);
const [POPE, VITORINO] = ['Amy E. Pope', 'António Vitorino'];
const TIMEOUT = 60_000;

// ---- the harness ---------------------------------------------------------------------------

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function control(what) {
  process.stdout.write(`CONTROL ${what}\n`);
  const { value } = await lines.next();
  if (value !== 'ok') throw new Error(`the harness answered ${value} to ${what}`);
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

function log(text) {
  process.stderr.write(`booth: ${text}\n`);
}

// ---- the page ------------------------------------------------------------------------------

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM,
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

const pageErrors = [];

// A fresh browser context (no state shared with another voter) on the booth, ready.
async function openBooth() {
  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const started = Date.now();
  await page.goto(url);
  await page.locator('body[data-ready="true"]').waitFor();
  return { page, readyMs: Date.now() - started };
}

async function text(page, testId) {
  return (await page.getByTestId(testId).textContent()).trim();
}

// Waits until the element's text is not empty (and differs from `before`), returns it.
async function nextText(page, testId, before = '') {
  const locator = page.getByTestId(testId);
  await page.waitForFunction(
    ([el, old]) => el && el.textContent.trim() !== '' && el.textContent.trim() !== old,
    [await locator.elementHandle(), before],
  );
  return (await locator.textContent()).trim();
}

async function alertText(page) {
  const alert = page.getByRole('alert');
  await alert.waitFor({ state: 'visible' });
  return (await alert.textContent()).trim();
}

async function loadCredential(page, code) {
  await page.getByLabel('Credential code').fill(code);
  await page.getByRole('button', { name: 'Load credential' }).click();
  await page.getByText('Credential loaded (').waitFor();
}

async function encrypt(page, candidate) {
  const before = await text(page, 'ballot-hash');
  if (candidate === null) {
    await page.getByRole('radio', { name: 'Abstain', exact: true }).check();
  } else {
    await page.getByRole('radio', { name: candidate, exact: true }).check();
  }
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  const hash = await nextText(page, 'ballot-hash', before);
  expect(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/.test(hash), `ballot hash ${hash}`);
  const ms = Number(await page.getByTestId('ballot-hash').getAttribute('data-encrypt-ms'));
  return { hash, ms };
}

async function cast(page) {
  await page.getByRole('button', { name: 'Cast', exact: true }).click();
  const code = await nextText(page, 'confirmation-code');
  const full = await page.getByTestId('confirmation-code').getAttribute('data-full');
  return { code, full };
}

// What the board shows for a code (through the server's lookup, as any voter would check).
async function lookup(code) {
  const response = await fetch(new URL(`/api/code/${code}`, url));
  expect(response.ok, `lookup of ${code}: HTTP ${response.status}`);
  return response.json();
}

// ---- the voters ----------------------------------------------------------------------------

const result = { cast: [], challenged: [], encryptMs: [], readyMs: [] };

// 1. A member casts and gets a code that the board shows.
{
  log('1. a member casts');
  const { page, readyMs } = await openBooth();
  result.readyMs.push(readyMs);
  expect((await page.getByRole('heading', { level: 1 }).textContent()).includes('IOM Council'),
    'the title is the election\'s');
  await loadCredential(page, credentials[0]);
  const { hash, ms } = await encrypt(page, POPE);
  result.encryptMs.push(ms);
  await page.screenshot({ path: `${process.env.BOOTH_SCREENSHOT}-ballot.png`, fullPage: true });
  const { code, full } = await cast(page);
  expect(code !== hash, 'the code is not the hash');
  const found = await lookup(code);
  expect(found.found && found.kind === 'cast' && found.code === full && found.round === 1,
    `the board shows the code: ${JSON.stringify(found)}`);
  expect((await text(page, 'inclusion')).includes('checked that this code is the code of your ballot'),
    'the page says it checked the code');
  result.cast.push(full);
  await page.screenshot({ path: `${process.env.BOOTH_SCREENSHOT}-cast.png`, fullPage: true });
  await page.context().close();
}

// 2. A member challenges, sees the opening verify, then casts.
{
  log('2. a member challenges, then casts');
  const { page } = await openBooth();
  await loadCredential(page, credentials[1]);
  const first = await encrypt(page, VITORINO);
  await page.getByRole('button', { name: 'Challenge', exact: true }).click();
  const verdict = await nextText(page, 'opening-verdict');
  expect(verdict.includes('The opening verifies') && verdict.includes(VITORINO) &&
    verdict.includes(first.hash), `verdict: ${verdict}`);
  const challengeCode = await nextText(page, 'challenge-code');
  const found = await lookup(challengeCode);
  expect(found.found && found.kind === 'challenged', `the challenge is on the board: ${JSON.stringify(found)}`);
  result.challenged.push(found.code);
  // The challenged ballot cannot be cast: the Cast button is gone with its section.
  expect(!(await page.getByRole('button', { name: 'Cast', exact: true }).isVisible()),
    'no Cast after a challenge');
  await page.getByRole('button', { name: 'Start over' }).click();
  const second = await encrypt(page, POPE);
  expect(second.hash !== first.hash, 'a new ballot after the challenge');
  result.encryptMs.push(second.ms);
  const { code, full } = await cast(page);
  expect((await lookup(code)).kind === 'cast', 'the cast ballot is on the board');
  result.cast.push(full);
  await page.context().close();
}

// 3. A second ballot with one credential is refused in the page, with the reason.
{
  log('3. a second ballot of one credential');
  const { page } = await openBooth();
  await loadCredential(page, credentials[0]);
  await encrypt(page, VITORINO);
  await page.getByRole('button', { name: 'Cast', exact: true }).click();
  const reason = await alertText(page);
  expect(reason.includes('The board refused the ballot') && reason.includes('check 7'),
    `the refusal names its reason: ${reason}`);
  expect(/already|reused|second ballot/i.test(reason), `the reason says why: ${reason}`);
  expect((await text(page, 'confirmation-code')) === '', 'no confirmation code');
  result.refusal = reason;
  await page.context().close();
}

// 4. The server stops mid-way: a clear error; when it is back, Cast again casts once.
{
  log('4. the server stops before the cast');
  const { page } = await openBooth();
  await loadCredential(page, credentials[2]);
  const { hash } = await encrypt(page, VITORINO);
  await control('stop');
  await page.getByRole('button', { name: 'Cast', exact: true }).click();
  const down = await alertText(page);
  expect(down.includes('cannot be reached') && down.includes('press Cast again'),
    `the page says the server is unreachable: ${down}`);
  // Nothing else can happen to this ballot meanwhile: it cannot be opened.
  expect(!(await page.getByRole('button', { name: 'Challenge', exact: true }).isEnabled()),
    'no challenge once Cast was pressed');
  await control('start');
  const { code, full } = await cast(page);
  expect((await lookup(code)).kind === 'cast', 'cast once the server is back');
  expect((await text(page, 'ballot-hash')) === hash, 'the same ballot was cast');
  result.cast.push(full);
  result.unreachable = down;
  await page.context().close();
}

// 5. The server answers nothing after committing: a retry of the same ballot gets its code.
{
  log('5. the same ballot posted again');
  const { page } = await openBooth();
  await loadCredential(page, credentials[3]);
  await encrypt(page, POPE);
  // The page posts the ballot, the answer is lost (the route is aborted once the server has
  // taken it), and the voter presses Cast again.
  let posted = 0;
  await page.route('**/api/ballot', async (route) => {
    posted += 1;
    if (posted === 1) {
      const response = await route.fetch();
      expect(response.ok(), 'the server took the ballot');
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await page.getByRole('button', { name: 'Cast', exact: true }).click();
  const lost = await alertText(page);
  expect(lost.includes('press Cast again'), `the lost answer: ${lost}`);
  const { code, full } = await cast(page);
  expect(posted === 2, `posted ${posted} times`);
  expect((await lookup(code)).kind === 'cast', 'the retried ballot is on the board');
  result.cast.push(full);
  await page.context().close();
}

// 6. Bad input is named in the page, never a crash.
{
  log('6. bad input');
  const { page } = await openBooth();
  await page.getByLabel('Credential code').fill('not a credential');
  await page.getByRole('button', { name: 'Load credential' }).click();
  expect((await alertText(page)).includes('not a credential code'), 'a bad code');
  const typo = credentials[4].slice(0, 20) + (credentials[4][20] === '0' ? '1' : '0') +
    credentials[4].slice(21);
  await page.getByLabel('Credential code').fill(typo);
  await page.getByRole('button', { name: 'Load credential' }).click();
  await page.getByText('checksum').waitFor();
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  expect((await alertText(page)).includes('Choose a candidate'), 'no choice');
  await page.getByRole('radio', { name: POPE, exact: true }).check();
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  await page.getByText('load your credential first').waitFor();
  await page.context().close();
}

// 7. A credential file; then timing: one council ballot encrypted and proved in the browser,
// ten times.
{
  log('7. timing');
  const { page, readyMs } = await openBooth();
  result.readyMs.push(readyMs);
  // This member opens its credential file, as the tool writes it (a comment, then the code).
  await page.getByLabel('Credential file').setInputFiles({
    name: 'member-006.credential',
    mimeType: 'text/plain',
    buffer: Buffer.from(`# tabella voter credential of member 6: secret\n${credentials[5]}\n`),
  });
  await page.getByText('Credential loaded (').waitFor();
  for (let i = 0; i < 10; i += 1) {
    result.encryptMs.push((await encrypt(page, i % 2 ? POPE : null)).ms);
  }
  await page.context().close();
}

await browser.close();
expect(pageErrors.length === 0, `errors in the page: ${pageErrors.join('; ')}`);
const sorted = [...result.encryptMs].sort((a, b) => a - b);
result.encryptMedianMs = sorted[Math.floor(sorted.length / 2)];
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
process.exit(0);
