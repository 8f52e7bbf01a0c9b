// The web UI in a real browser (Debian's Chromium, driven by playwright-core), against
// `datastory serve` on a loopback port with a fresh SQLite database: a person's way from
// sign-up to a shared story and back, the failures they meet (a wrong password, a file that
// is not CSV, a job that fails and is fixed from the preview, the month's limit), the upload
// by keyboard alone, hostile text in a file, and axe-core's WCAG A/AA rules on every page.
// Screenshots of each page, at desktop and phone width, go to SCREENS (default: ./screens).
//
//   node web_ui.mjs /path/to/datastory
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, mkdirSync, readFileSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {chromium} from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const binary = process.argv[2];
const screens = process.env.SCREENS || join(process.cwd(), 'screens');
const weather = join(here, 'node_modules/vega-datasets/data/seattle-weather.csv');
const axeSource = readFileSync(join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
const kDesktop = {width: 1280, height: 900};
const kPhone = {width: 390, height: 844};

let failures = 0;
function check(ok, what) {
  if (!ok) {
    failures++;
    console.error(`FAIL: ${what}`);
  }
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Every server this test started is stopped when it ends, however it ends (a failed wait
// throws and ends the script).
const started = new Set();
process.on('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

// `datastory serve` in `dir` on `port`, once it answers.
async function startServer(dir, port, env = {}) {
  const origin = `http://127.0.0.1:${port}`;
  const process_ = spawn(binary, ['serve'], {
    cwd: dir,
    env: {...process.env, DATASTORY_LISTEN: `127.0.0.1:${port}`, DATASTORY_BCRYPT_COST: '10',
      DATASTORY_PUBLIC_URL: origin, ...env},
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(process_);
  process_.once('exit', () => started.delete(process_));
  let log = '';
  process_.stdout.on('data', (d) => (log += d));
  process_.stderr.on('data', (d) => (log += d));
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${origin}/healthz`)).ok) return process_;
    } catch {
      // not up yet
    }
    if (i > 300 || process_.exitCode !== null) {
      throw new Error(`the server did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopServer(process_) {
  return new Promise((resolve) => {
    process_.once('exit', resolve);
    process_.kill('SIGTERM');
  });
}

// The server, in a directory of its own.
const work = mkdtempSync(join(tmpdir(), 'datastory-web-'));
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const server = await startServer(work, port);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

// (After a navigation the test waits for the new view's heading before it types: two views
// can have fields of the same name, and the old one stays until the new one is built.)

// A browser context as a new visitor: axe is injected into every page by the browser itself
// (not as a page script, which the page's policy would refuse), and any script the page did
// not mean to run (an alert, an error) is counted.
async function visitor(viewport = kDesktop, baseURL = origin) {
  const context = await browser.newContext({viewport, baseURL});
  await context.addInitScript({content: axeSource});
  await context.addInitScript({content: 'window.__pwned = 0;'});
  context.on('page', watch);
  return context;
}

// While a server restarts on purpose, the browser's attempts to reconnect fail: not a fault.
let restarting = false;

function watch(page) {
  page.on('dialog', (d) => {
    check(false, `a dialog opened on ${page.url()}: ${d.message()}`);
    d.dismiss();
  });
  page.on('pageerror', (e) => check(false, `a script error on ${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    const expected = /status of (401|403|404|409|413|422|429)/.test(m.text()) ||
        (restarting && /ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET/.test(m.text()));
    if (m.type() === 'error' && !expected) {
      check(false, `console error on ${page.url()}: ${m.text()}`);
    }
  });
}

// WCAG 2.0/2.1 A and AA, as axe-core checks them.
async function accessible(page, name) {
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    });
    return result.violations.map((v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target).join(' | ')}`);
  });
  check(violations.length === 0, `axe on ${name}:\n  ${violations.join('\n  ')}`);
}

async function shoot(page, name) {
  mkdirSync(screens, {recursive: true});
  // (A toast from a step a moment before would cover the page: the test is faster than a
  // person.)
  await page.evaluate(() => document.getElementById('toast')?.classList.remove('shown'));
  await page.screenshot({path: join(screens, `${name}.png`), fullPage: true});
}

async function text(page) {
  return page.locator('main').innerText();
}

const api = (page, method, path, body, type = 'application/json') =>
  page.evaluate(async ({method, path, body, type}) => {
    const response = await fetch(path, {method, headers: body ? {'Content-Type': type} : {},
      body: body ?? undefined});
    return {status: response.status, body: await response.text()};
  }, {method, path, body, type});

async function waitForStory(page) {
  await page.waitForURL(/#\/stories\/[\w-]+$/, {timeout: 60000});
  await page.locator('#story-title').waitFor();
  return page.url().split('/').pop();
}

const context = await visitor();
const page = await context.newPage();

// --- Sign up (the first visit lands on the log-in page).
await page.goto('/');
await page.waitForURL(/#\/login$/);
await page.getByRole('heading', {name: 'Log in'}).waitFor();
await accessible(page, 'log in');
await shoot(page, 'login-desktop');
await page.getByRole('link', {name: 'Create an account'}).click();
await page.getByRole('heading', {name: 'Create your account'}).waitFor();
await page.getByLabel('Email').fill('ann@example.com');
await page.getByLabel('Password').fill('short');
await page.getByRole('button', {name: 'Sign up'}).click();
await page.locator('#form-message').filter({hasText: /8/}).waitFor();
await accessible(page, 'sign up, with an error');
await page.getByLabel('Password').fill('correct horse battery');
await page.getByRole('button', {name: 'Sign up'}).click();
await page.getByRole('heading', {name: 'Your stories'}).waitFor();
check((await text(page)).includes('No stories yet'), 'the empty list says what to do first');
await accessible(page, 'the empty story list');
await shoot(page, 'stories-empty-desktop');

// --- Log out; the email taken; a wrong password; the right one.
await page.getByRole('button', {name: 'Log out'}).click();
await page.waitForURL(/#\/login$/);
await page.getByRole('link', {name: 'Create an account'}).click();
await page.getByRole('heading', {name: 'Create your account'}).waitFor();
await page.getByLabel('Email').fill('ann@example.com');
await page.getByLabel('Password').fill('another horse battery');
await page.getByRole('button', {name: 'Sign up'}).click();
await page.locator('#form-message:not(:empty)').waitFor();
const taken = await page.locator('#form-message').innerText();
check(taken.includes('exists already'), `a taken email says so (${taken})`);
await page.getByRole('link', {name: 'Log in'}).last().click();
await page.getByRole('heading', {name: 'Log in'}).waitFor();
await page.getByLabel('Email').fill('ann@example.com');
await page.getByLabel('Password').fill('wrong horse battery');
await page.getByRole('button', {name: 'Log in'}).click();
await page.locator('#form-message').filter({hasText: 'Wrong email or password.'}).waitFor();
await page.getByLabel('Password').fill('correct horse battery');
await page.getByRole('button', {name: 'Log in'}).click();
await page.getByRole('heading', {name: 'Your stories'}).waitFor();

// --- A file that is not CSV.
await page.getByRole('link', {name: 'New story'}).first().click();
await page.getByRole('heading', {name: 'New story'}).waitFor();
check((await text(page)).includes('Up to 25 MB on the free plan'), 'the size limit is shown');
await accessible(page, 'new story');
await shoot(page, 'new-desktop');
const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
  Buffer.alloc(4000)]);
await page.locator('#file').setInputFiles({name: 'chart.csv', mimeType: 'text/csv', buffer: png});
await page.locator('#upload-status .problem').filter({hasText: 'not a CSV file'}).waitFor();

// --- Upload, the preview, a type changed, a time column that fails the job.
await page.locator('#file').setInputFiles(weather);
await page.getByRole('heading', {name: /Check what was read/}).waitFor();
const preview = await text(page);
check(preview.includes('seattle-weather.csv') && preview.includes('temp_max') &&
      preview.includes('2012-01-01'), 'the preview shows the columns and the first rows');
await accessible(page, 'the preview');
await shoot(page, 'preview-desktop');
await page.getByLabel('Type of weather').selectOption('text');
await page.getByLabel('Time column').selectOption('temp_max');
await page.getByRole('button', {name: 'Tell the story'}).click();
await page.getByRole('heading', {name: 'Telling the story'}).waitFor();
await page.locator('#job-status.problem').waitFor({timeout: 60000});
check((await page.locator('#job-status').innerText()).includes('temp_max'),
    'a failed job says why');
await accessible(page, 'a failed job');
await shoot(page, 'job-failed-desktop');
// Fixed from the preview: the settings come back as they were, the time column is changed.
await page.getByRole('link', {name: 'Change the settings and try again'}).click();
await page.getByRole('heading', {name: /Check what was read/}).waitFor();
check(await page.getByLabel('Type of weather').evaluate((e) => e.value === 'text'),
    'the changed type is kept for the second try');
await page.getByLabel('Time column').selectOption('');
await page.getByLabel('Audience').selectOption('technical');
await page.getByRole('button', {name: 'Tell the story'}).click();
const storyId = await waitForStory(page);
const job = JSON.parse((await api(page, 'GET', `/api/v1/stories/${storyId}`)).body).jobId;
const finished = JSON.parse((await api(page, 'GET', `/api/v1/jobs/${job}`)).body).job;
check(finished.progress === 100 && finished.status === 'completed', 'progress reached 100%');
check(finished.options.overrides?.types?.weather === 'text', 'the type override reached the job');

// --- The story.
const charts = await page.locator('figure.chart svg').count();
check(charts >= 1, `the story shows its charts (${charts})`);
const tips = await page.locator('figure.chart svg :is(rect, circle) > title').allTextContents();
check(tips.length > 10 && tips.every((t) => /\d/.test(t)),
    `chart marks carry their values (${tips.length}: ${tips.slice(0, 3).join(' | ')})`);
// Printed: the page's controls stay off the paper.
await page.emulateMedia({media: 'print'});
check(await page.evaluate(() => getComputedStyle(document.querySelector('.top')).display ===
    'none' && getComputedStyle(document.getElementById('manage').parentElement).display ===
    'none'), 'a printed story leaves out the controls');
await shoot(page, 'story-print');
await page.emulateMedia({media: 'screen'});
const story = await text(page);
check(story.includes('Summary') && story.includes('Key findings'), 'the story has its parts');
await accessible(page, 'the story');
await shoot(page, 'story-desktop');

// --- Public, the link in a new context without a session, private again, the link dead.
await page.getByRole('button', {name: 'Make public'}).click();
await page.locator('#share-link').waitFor();
check((await page.locator('#visibility-badge').innerText()) === 'Public', 'a public badge');
const link = await page.locator('#share-link').inputValue();
check(link.startsWith(`${origin}/s/`), `a share link (${link})`);
const stranger = await visitor();
const reader = await stranger.newPage();
const shared = await reader.goto(link);
check(shared.status() === 200, 'the share link opens without a session');
check((await reader.locator('h1').innerText()).length > 0, 'the shared story has its title');
await accessible(reader, 'the shared story');
await shoot(reader, 'shared-desktop');
await page.getByRole('button', {name: 'Make private'}).click();
await page.getByRole('button', {name: 'Make public'}).waitFor();
check((await reader.goto(link)).status() === 404, 'a private story\'s link is dead');
check((await reader.locator('body').innerText()).includes('not shared'), 'the dead link says so');
await stranger.close();

// --- Delete, with a confirmation.
await page.getByRole('button', {name: 'Delete', exact: true}).click();
await page.getByRole('button', {name: 'Delete for good'}).click();
await page.getByRole('heading', {name: 'Your stories'}).waitFor();
check((await api(page, 'GET', `/api/v1/stories/${storyId}`)).status === 404, 'the story is gone');

// --- The upload by keyboard alone.
await page.goto('/#/new');
await page.getByRole('heading', {name: 'New story'}).waitFor();
const [chooser] = await Promise.all([
  page.waitForEvent('filechooser'),
  (async () => {
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.id === 'file')) break;
    }
    const focus = await page.evaluate(() => {
      const label = document.querySelector('label[for=file]');
      return getComputedStyle(label).outlineStyle;
    });
    check(focus !== 'none', 'the focused file control shows its focus');
    await page.keyboard.press('Space');
  })(),
]);
await chooser.setFiles(weather);
await page.getByRole('heading', {name: /Check what was read/}).waitFor();
for (let i = 0; i < 80; i++) {
  await page.keyboard.press('Tab');
  if (await page.evaluate(() => document.activeElement?.id === 'start')) break;
}
check(await page.evaluate(() => document.activeElement?.id === 'start'),
    'the start button is reached by Tab');
await page.keyboard.press('Enter');
await waitForStory(page);

// --- Told again for another audience.
await page.getByLabel('Tell it again for another audience:').selectOption('general');
await page.getByRole('button', {name: 'Tell it again'}).click();
await page.waitForURL(/#\/jobs\//);
await waitForStory(page);
check((await text(page)).includes('Told for a general audience'), 'told again for another audience');

// --- A bigger file over a slow line: the upload's progress moves byte by byte.
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Network.emulateNetworkConditions', {offline: false, latency: 0,
  downloadThroughput: -1, uploadThroughput: 400 * 1024});
const rows = readFileSync(weather, 'utf8').split('\n');
const big = rows[0] + '\n' + Array.from({length: 32}, () => rows.slice(1).join('\n')).join('\n');
await page.goto('/#/new');
await page.locator('#file').setInputFiles({name: 'weather-x32.csv', mimeType: 'text/csv',
  buffer: Buffer.from(big)});
const seen = new Set();
for (let i = 0; i < 800 && !page.url().includes('/uploads/'); i++) {
  const value = await page.locator('#upload-status progress').evaluate((p) => p.value)
      .catch(() => null);
  if (value !== null) seen.add(value);
  await page.waitForTimeout(25);
}
check([...seen].some((v) => v > 0 && v < big.length), `the upload showed its progress (${[...seen]})`);
await cdp.send('Network.emulateNetworkConditions', {offline: false, latency: 0,
  downloadThroughput: -1, uploadThroughput: -1});
await page.getByRole('heading', {name: /Check what was read/}).waitFor();

// --- Hostile text in a file: nothing runs, everything reads as text.
const hostile = '<script>window.__pwned=1</script>,"<img src=x onerror=window.__pwned=2>",' +
  'javascript:alert(3),amount\n' + Array.from({length: 40}, (_, i) =>
  `"<svg onload=window.__pwned=3>",""" onmouseover=window.__pwned=4 x=""",` +
  `javascript:alert(${i}),${(i * 37) % 101}`).join('\n') + '\n';
await page.goto('/#/new');
await page.locator('#file').setInputFiles({name: '<b onmouseover=alert(1)>.csv',
  mimeType: 'text/csv', buffer: Buffer.from(hostile)});
await page.getByRole('heading', {name: /Check what was read/}).waitFor();
check((await text(page)).includes('<script>window.__pwned=1</script>'),
    'a hostile column name reads as text in the preview');
await page.getByRole('button', {name: 'Tell the story'}).click();
const hostileStory = await waitForStory(page);
await page.mouse.move(300, 300);
check(await page.evaluate(() => window.__pwned === 0), 'nothing ran on the owner\'s pages');
await page.getByRole('button', {name: 'Make public'}).click();
const hostileLink = await page.locator('#share-link').inputValue();
const outsider = await visitor();
const outsiderPage = await outsider.newPage();
await outsiderPage.goto(hostileLink);
await outsiderPage.mouse.move(200, 200);
check(await outsiderPage.evaluate(() => window.__pwned === 0), 'nothing ran on the share page');
check((await outsiderPage.locator('body').innerText()).includes('javascript:alert'),
    'the share page shows the hostile values as text');
await outsider.close();
check((await api(page, 'DELETE', `/api/v1/stories/${hostileStory}`)).status === 204,
    'the hostile story is deleted');

// --- The month's limit: the free plan's 5 stories.
let used = JSON.parse((await api(page, 'GET', '/api/v1/me/usage')).body).storiesThisMonth;
const small = 'day,sales\n' + Array.from({length: 30}, (_, i) =>
  `2024-01-${String(i + 1).padStart(2, '0')},${100 + i * 3}`).join('\n') + '\n';
while (used < 5) {
  const started = await api(page, 'POST', '/api/v1/stories?filename=small.csv', small, 'text/csv');
  check(started.status === 202, `a story starts (${started.body})`);
  used++;
}
await page.goto('/#/new');
await page.getByRole('heading', {name: 'New story'}).waitFor();
check((await page.locator('#nav').innerText()).includes('5 of 5 stories this month'),
    'the usage meter shows the limit reached');
check((await text(page)).includes('used this month\'s 5 stories'), 'the limit is explained');
// (Dropped on the page this time, as from a file manager.)
const dropped = await page.evaluateHandle((csv) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([csv], 'small.csv', {type: 'text/csv'}));
  return transfer;
}, small);
await page.dispatchEvent('.drop', 'drop', {dataTransfer: dropped});
await page.getByRole('heading', {name: /Check what was read/}).waitFor();
await page.getByRole('button', {name: 'Tell the story'}).click();
await page.locator('.problem').filter({hasText: /next month/}).waitFor();
await accessible(page, 'the limit reached');
await shoot(page, 'limit-desktop');

// --- Many stories: the list comes a page at a time (on the enterprise plan, set by the
// operator's command).
const admin = spawnSync(binary, ['admin', 'set-tier', 'ann@example.com', 'enterprise'],
    {cwd: work, encoding: 'utf8'});
check(admin.status === 0, `the operator changes the plan (${admin.stderr})`);
const storyCount = async () =>
  JSON.parse((await api(page, 'GET', '/api/v1/stories?limit=100')).body).stories.length;
const total = await storyCount() + 18;
for (let i = 0; i < 18; i++) {
  await api(page, 'POST', `/api/v1/stories?filename=small-${i}.csv`, small, 'text/csv');
}
for (let i = 0; i < 1200 && await storyCount() < total; i++) await page.waitForTimeout(50);
await page.goto('/#/stories');
await page.getByRole('button', {name: 'Show more'}).waitFor();
check(await page.locator('main tbody tr').count() === 20, 'the first page holds 20 stories');
await page.getByRole('button', {name: 'Show more'}).click();
await page.locator('main tbody tr').nth(20).waitFor();
check(await page.locator('main tbody tr').count() === total,
    `the next page follows (${await page.locator('main tbody tr').count()} of ${total})`);
check(await page.getByRole('button', {name: 'Show more'}).count() === 0, 'no more after the last');
await accessible(page, 'the story list');
await shoot(page, 'stories-desktop');

// --- The account: another session logged out from here; a token shown once, then revoked.
const elsewhere = await fetch(`${origin}/api/v1/auth/login`, {method: 'POST',
  headers: {'Content-Type': 'application/json', Origin: origin, 'User-Agent': 'ElsewhereBrowser'},
  body: JSON.stringify({email: 'ann@example.com', password: 'correct horse battery'})});
const elsewhereCookie = elsewhere.headers.get('set-cookie').split(';')[0];
await page.getByRole('link', {name: 'Account'}).click();
await page.getByRole('heading', {name: 'Your account'}).waitFor();
await page.getByText('ElsewhereBrowser from').waitFor();
await page.getByRole('button', {name: 'Log it out'}).first().click();
await page.getByText('ElsewhereBrowser from').waitFor({state: 'detached'});
check((await fetch(`${origin}/api/v1/me`, {headers: {Cookie: elsewhereCookie}})).status === 401,
    'a session logged out from the account page ends');
await page.getByLabel('Name of a new token').fill('nightly report');
await page.getByRole('button', {name: 'Create'}).click();
await page.locator('#new-token').waitFor();
const token = await page.locator('#new-token').inputValue();
check(token.length >= 40, 'the new token is shown');
const byToken = await fetch(`${origin}/api/v1/me`, {headers: {Authorization: `Bearer ${token}`}});
check(byToken.status === 200, 'the token works');
await accessible(page, 'the account');
await shoot(page, 'account-desktop');
await page.getByRole('button', {name: 'Revoke nightly report'}).click();
await page.getByText('No tokens.').waitFor();
check((await fetch(`${origin}/api/v1/me`, {headers: {Authorization: `Bearer ${token}`}}))
    .status === 401, 'a revoked token stops working');

// --- Throttled log-ins say when to try again.
const bob = await visitor();
const bobPage = await bob.newPage();
await bobPage.goto('/#/login');
await api(bobPage, 'POST', '/api/v1/auth/register',
    JSON.stringify({email: 'bob@example.com', password: 'bob horse battery'}));
await api(bobPage, 'POST', '/api/v1/auth/logout');
for (let i = 0; i < 10; i++) {
  await api(bobPage, 'POST', '/api/v1/auth/login',
      JSON.stringify({email: 'bob@example.com', password: `wrong ${i}`}));
}
await bobPage.goto('/#/login');
await await bobPage.getByRole('heading', {name: 'Log in'}).waitFor();
await bobPage.getByLabel('Email').fill('bob@example.com');
await bobPage.getByLabel('Password').fill('bob horse battery');
await bobPage.getByRole('button', {name: 'Log in'}).click();
await bobPage.locator('#form-message').filter({hasText: /Try again in \d+ (seconds|minutes)/})
    .waitFor();
await bob.close();

// --- The pages at phone width.
const phone = await visitor(kPhone);
const small_page = await phone.newPage();
await small_page.goto('/#/login');
await await small_page.getByRole('heading', {name: 'Log in'}).waitFor();
await shoot(small_page, 'login-phone');
await small_page.getByLabel('Email').fill('ann@example.com');
await small_page.getByLabel('Password').fill('correct horse battery');
await small_page.getByRole('button', {name: 'Log in'}).click();
await small_page.getByRole('heading', {name: 'Your stories'}).waitFor();
await accessible(small_page, 'the story list at phone width');
await shoot(small_page, 'stories-phone');
await small_page.locator('main table a').first().click();
await small_page.locator('#story-title').waitFor();
const overflow = await small_page.evaluate(() =>
  document.documentElement.scrollWidth > window.innerWidth + 1);
check(!overflow, 'the story fits a phone\'s width');
await accessible(small_page, 'the story at phone width');
await shoot(small_page, 'story-phone');
if (await small_page.getByRole('button', {name: 'Make public'}).count()) {
  await small_page.getByRole('button', {name: 'Make public'}).click();
}
const shareOnPhone = await small_page.locator('#share-link').inputValue();
await small_page.goto('/#/account');
await small_page.getByRole('heading', {name: 'Your account'}).waitFor();
await shoot(small_page, 'account-phone');
await small_page.goto('/#/new');
await small_page.getByRole('heading', {name: 'New story'}).waitFor();
await shoot(small_page, 'new-phone');
await small_page.locator('#file').setInputFiles(weather);
await small_page.getByRole('heading', {name: /Check what was read/}).waitFor();
await accessible(small_page, 'the preview at phone width');
await shoot(small_page, 'preview-phone');
await small_page.goto(shareOnPhone);
await accessible(small_page, 'the shared story at phone width');
await shoot(small_page, 'shared-phone');
await phone.close();

// --- A new password, then the account deleted with everything in it.
await page.goto('/#/account');
await page.getByRole('heading', {name: 'Your account'}).waitFor();
await page.getByLabel('Current password').fill('correct horse battery');
await page.getByLabel('New password').fill('staple horse battery');
await page.getByRole('button', {name: 'Change the password'}).click();
await page.getByText('The password is changed.').waitFor();
await page.getByLabel('Your password, to confirm').fill('staple horse battery');
await page.getByRole('button', {name: 'Delete my account'}).click();
await page.waitForURL(/#\/(register|login)$/);
const gone = await fetch(`${origin}/api/v1/auth/login`, {method: 'POST',
  headers: {'Content-Type': 'application/json', Origin: origin},
  body: JSON.stringify({email: 'ann@example.com', password: 'staple horse battery'})});
check(gone.status === 401, 'a deleted account cannot log in');

// --- A dropped progress stream resumes: the server restarts while the job waits in the queue
// (the first server runs no workers; the second does).
const work2 = mkdtempSync(join(tmpdir(), 'datastory-web-'));
const port2 = await freePort();
let server2 = await startServer(work2, port2, {DATASTORY_WORKERS: '0'});
const watcher = await visitor(kDesktop, `http://127.0.0.1:${port2}`);
const watching = await watcher.newPage();
await watching.goto('/#/register');
await watching.getByRole('heading', {name: 'Create your account'}).waitFor();
await watching.getByLabel('Email').fill('cy@example.com');
await watching.getByLabel('Password').fill('cy horse battery');
await watching.getByRole('button', {name: 'Sign up'}).click();
await watching.getByRole('heading', {name: 'Your stories'}).waitFor();
const queued = JSON.parse((await api(watching, 'POST', '/api/v1/stories?filename=small.csv',
    small, 'text/csv')).body).job.id;
await watching.goto(`/#/jobs/${queued}`);
await watching.locator('#job-status').filter({hasText: /Queued/}).waitFor();
await accessible(watching, 'a job waiting in the queue');
await shoot(watching, 'job-queued-desktop');
restarting = true;
await stopServer(server2);
server2 = await startServer(work2, port2);
await waitForStory(watching);
restarting = false;
check((await text(watching)).includes('Total sales rose'), 'the story told after the restart');
await watcher.close();
await stopServer(server2);
rmSync(work2, {recursive: true, force: true});

await browser.close();
await stopServer(server);
rmSync(work, {recursive: true, force: true});
if (failures) {
  console.error(`${failures} check(s) failed; screenshots in ${screens}`);
  process.exit(1);
}
console.log(`web UI: every check passed; screenshots in ${screens}`);
