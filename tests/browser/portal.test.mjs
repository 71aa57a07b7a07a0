// Real-browser tests of the Kho portal: Debian's chromium driven by playwright-core, axe-core for
// accessibility. Run through run.sh, which starts a Kho with the demo catalogue and sets:
//   KHO_URL    the Kho origin, e.g. http://127.0.0.1:5000
//   ARTEFACTS  folder for screenshots and reports (created when missing)
// Optional arguments: substrings of test names; only the tests whose names contain one run.
//
// The tests run one after another, each in fresh browser contexts; a failing test leaves a
// FAILED-<test>.png of the page it was on in ARTEFACTS. The last line is "N passed, N failed".

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);

const BASE = (process.env.KHO_URL || '').replace(/\/+$/, '');
if (!BASE) {
  console.error('KHO_URL is not set (run tests/browser/run.sh, which starts Kho and sets it)');
  process.exit(2);
}
const ORIGIN = new URL(BASE).origin;
const ARTEFACTS = path.resolve(process.env.ARTEFACTS || 'artefacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FILTERS = process.argv.slice(2);

const LAUNCH = {
  executablePath: CHROMIUM,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

// The audience of the portal: a Vietnamese browser. The language comes from the URL (/en for
// English), never from Accept-Language, so this only makes the default request realistic.
const CONTEXT = { locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', viewport: { width: 1280, height: 800 } };

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// --- small helpers ---------------------------------------------------------------------------

class Failure extends Error {}

function check(condition, message) {
  if (!condition) throw new Failure(typeof message === 'function' ? message() : message);
}

function eq(actual, expected, what) {
  check(
    Object.is(actual, expected),
    () => `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Retries fn until it returns a truthy value or the time is up; returns the last value.
async function poll(fn, timeoutMs = 3000, stepMs = 100) {
  const end = Date.now() + timeoutMs;
  let value;
  for (;;) {
    value = await fn();
    if (value || Date.now() >= end) return value;
    await sleep(stepMs);
  }
}

function url(p) {
  return BASE + p;
}

// Path and query of a page URL, for messages.
function rel(u) {
  const x = new URL(u);
  return x.pathname + x.search + x.hash;
}

// The English address of a Vietnamese path: /en prefix.
function en(p) {
  if (p === '/') return '/en';
  return '/en' + p;
}

function lower(s) {
  return (s || '').normalize('NFC').replace(/[\u2066-\u2069]/g, '').toLocaleLowerCase('vi');
}

async function api(action, params = {}, token = '') {
  const u = new URL(url(`/api/3/action/${action}`));
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
  const res = await fetch(u, token ? { headers: { Authorization: token } } : {});
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Failure(`${action}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
  }
  check(res.ok && body.success, () => `${action}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return body.result;
}

// Opens a path and checks the status of the final response (after redirects).
async function open(page, p, expectedStatus = 200) {
  const res = await page.goto(url(p), { waitUntil: 'load' });
  check(res, `no response for ${p}`);
  eq(res.status(), expectedStatus, `HTTP status of ${p}`);
  return res;
}

// Presses Tab until the focused element matches selector; returns the number of presses.
// The error lists the elements the focus went through.
async function tabUntil(page, selector, max) {
  const trail = [];
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    const state = await page.evaluate((sel) => {
      const el = document.activeElement;
      if (!el || el === document.body) return { match: false, desc: '(body)' };
      let desc = el.tagName.toLowerCase();
      if (el.id) desc += '#' + el.id;
      if (el.getAttribute('name')) desc += `[name=${el.getAttribute('name')}]`;
      if (el.getAttribute('data-testid')) desc += `[data-testid=${el.getAttribute('data-testid')}]`;
      if (el.getAttribute('href')) desc += `[href=${el.getAttribute('href')}]`;
      return { match: el.matches(sel), desc };
    }, selector);
    trail.push(state.desc);
    if (state.match) return i;
  }
  throw new Failure(
    `no focus on ${selector} after ${max} Tab presses; the focus went through: ${trail.join(' → ')}`,
  );
}

// Waits for a navigation whose URL satisfies pred, started by action.
async function navigate(page, action, pred, what) {
  const waiting = page.waitForURL((u) => pred(u), { waitUntil: 'load' }).catch((e) => {
    throw new Failure(`${what}: the page did not go there (still at ${rel(page.url())}): ${e.message.split('\n')[0]}`);
  });
  try {
    await action();
  } catch (e) {
    waiting.catch(() => {});
    throw e;
  }
  await waiting;
}

async function resultCount(page) {
  const el = page.locator('[data-testid=result-count]').first();
  await el.waitFor({ state: 'attached' });
  const raw = await el.getAttribute('data-count');
  const n = Number.parseInt(raw ?? '', 10);
  check(Number.isFinite(n), `[data-testid=result-count] has data-count=${JSON.stringify(raw)}, not a number`);
  return n;
}

// --- the demo catalogue: what the tests need from it, looked up once through the API -------------

const memo = new Map();
function once(key, fn) {
  if (!memo.has(key)) memo.set(key, fn());
  return memo.get(key);
}

const isCsv = (r) => lower(r.format) === 'csv' || lower(r.mimetype) === 'text/csv';
const isUpload = (r) => lower(r.url_type) === 'upload';

// A dataset with an uploaded CSV resource (it has a preview): { name, resourceId, uploaded }.
// When the demo has none, the first dataset with any CSV resource, with uploaded=false.
function csvDataset() {
  return once('csvDataset', async () => {
    const pick = (datasets, pred) => {
      for (const d of datasets) {
        const r = (d.resources || []).find(pred);
        if (r) return { name: d.name, resourceId: r.id };
      }
      return null;
    };
    const wanted = (r) => isUpload(r) && isCsv(r);
    let found = null;
    try {
      const s = await api('package_search', { fq: 'url_type:upload', rows: 5 });
      found = pick(s.results || [], wanted);
    } catch (e) {
      console.log(`  note: package_search fq=url_type:upload failed (${e.message}); using the full list`);
    }
    let all = null;
    if (!found) {
      all = await api('current_package_list_with_resources', { limit: 1000 });
      found = pick(all, wanted);
    }
    if (found) return { ...found, uploaded: true };
    const fallback = pick(all, isCsv) || pick(all, () => true);
    check(fallback, 'the demo catalogue has no dataset with a resource');
    console.log(
      `  note: no dataset with an uploaded CSV resource in the demo; pages that need a preview use ${fallback.name}`,
    );
    return { ...fallback, uploaded: false };
  });
}

// The path of the resource page of csvDataset(), as the dataset page links to it.
function resourcePath(browser) {
  return once('resourcePath', async () => {
    const d = await csvDataset();
    const guess = `/dataset/${d.name}/resource/${d.resourceId}`;
    const context = await browser.newContext(CONTEXT);
    try {
      const page = await context.newPage();
      const res = await page.goto(url(`/dataset/${d.name}`));
      if (!res || res.status() !== 200) return guess;
      const hrefs = await page
        .locator('[data-testid=resources] a[data-testid=resource-link]')
        .evaluateAll((as) => as.map((a) => a.href));
      const href = hrefs.find((h) => h.includes(d.resourceId)) || hrefs[0];
      return href ? rel(href) : guess;
    } finally {
      await context.close();
    }
  });
}

// Every page template: [{ slug, path (Vietnamese), status }].
function templatePages(browser) {
  return once('templatePages', async () => {
    const [orgs, groups, d] = await Promise.all([api('organization_list'), api('group_list'), csvDataset()]);
    check(orgs.length > 0, 'organization_list is empty');
    check(groups.length > 0, 'group_list is empty');
    const org = encodeURIComponent(orgs[0]);
    const group = encodeURIComponent(groups[0]);
    return [
      { slug: 'home', path: '/' },
      { slug: 'search', path: '/dataset' },
      { slug: 'search-filtered', path: `/dataset?q=dan+so&organization=${org}` },
      { slug: 'dataset', path: `/dataset/${d.name}` },
      { slug: 'resource', path: await resourcePath(browser) },
      { slug: 'organizations', path: '/organization' },
      { slug: 'organization', path: `/organization/${org}` },
      { slug: 'groups', path: '/group' },
      { slug: 'group', path: `/group/${group}` },
      { slug: 'about', path: '/about' },
      { slug: 'login', path: '/user/login' },
      { slug: 'activity', path: `/dataset/activity/${d.name}` },
      { slug: 'not-found', path: '/dataset/khong-co-that', status: 404 },
    ].map((p) => ({ status: 200, ...p }));
  });
}

// Both languages of every template: [{ slug, lang, path, status }].
async function bilingualPages(browser) {
  const pages = await templatePages(browser);
  return pages.flatMap((p) => [
    { ...p, lang: 'vi' },
    { ...p, lang: 'en', path: en(p.path) },
  ]);
}

// --- the tests -------------------------------------------------------------------------------

const tests = [];
function test(name, fn, { timeoutMs = 120_000 } = {}) {
  tests.push({ name, fn, timeoutMs });
}

test('search without diacritics finds the dataset', async (t) => {
  const page = await t.newPage();
  await open(page, '/');
  const box = page.locator('form[role=search] input[name=q]').first();
  await box.click();
  await page.keyboard.type('dan so');
  await navigate(page, () => page.keyboard.press('Enter'), (u) => u.pathname === '/dataset', 'search');
  const u = new URL(page.url());
  eq(u.pathname, '/dataset', 'path after searching');
  eq(u.searchParams.get('q'), 'dan so', 'q parameter after searching');
  check(/[?&]q=dan(\+|%20)so(&|$)/.test(u.search), `query string is ${u.search}, not q=dan+so`);
  const titles = await page.locator('[data-testid=results] a').allInnerTexts();
  check(titles.length > 0, 'no links in [data-testid=results]');
  check(
    titles.some((s) => lower(s).includes('dân số')),
    () => `no result title contains "dân số"; result links: ${JSON.stringify(titles.slice(0, 10))}`,
  );
});

test('a citizen types with the input method off, then a wrong tone: results say what was searched, or suggest it', async (t) => {
  const page = await t.newPage({ bypassCSP: true });
  await open(page, '/');
  const box = page.locator('form[role=search] input[name=q]').first();
  await box.click();
  await page.keyboard.type('chowj truyeenf thoongs');
  await navigate(page, () => page.keyboard.press('Enter'), (u) => u.pathname === '/dataset', 'search');
  const titles = await page.locator('[data-testid=results] a').allInnerTexts();
  check(titles.some((s) => lower(s).includes('chợ truyền thống')), () => `Telex not decoded: ${JSON.stringify(titles.slice(0, 5))}`);
  const note = await page.locator('[data-testid=expansions]').innerText();
  check(note.includes('chợ') && note.includes('chowj'), `the decoding is named: ${note}`);
  await axeClean(page, 'a search with its expansions named');
  await page.screenshot({ path: path.join(ARTEFACTS, 'search-expansions-vi-1280.png') });

  // Two words the catalogue holds but never together: nothing, and "Có phải bạn muốn tìm".
  await open(page, '/dataset');
  const again = page.locator('form[role=search] input[name=q]').first();
  await again.fill('truyền thông');
  await navigate(page, () => again.press('Enter'), (u) => u.pathname === '/dataset', 'search again');
  eq(await resultCount(page), 0, 'nothing found as typed');
  const suggestion = page.locator('[data-testid=suggestion] a');
  eq(lower(await suggestion.innerText()), 'truyền thống', 'the suggested query');
  await page.setViewportSize({ width: 360, height: 780 });
  await page.screenshot({ path: path.join(ARTEFACTS, 'search-suggestion-vi-360.png') });
  await page.setViewportSize({ width: 1280, height: 900 });
  await navigate(page, () => suggestion.click(), (u) => u.searchParams.get('q') === 'truyền thống', 'follow the suggestion');
  check((await resultCount(page)) > 0, 'the suggestion finds datasets');
});

test('a facet click narrows results and a chip removes it', async (t) => {
  const page = await t.newPage();
  await open(page, '/dataset');
  const all = await resultCount(page);
  check(all > 0, `/dataset shows ${all} results`);

  const facet = page.locator('[data-facet=organization] a').first();
  await navigate(page, () => facet.click(), (u) => u.search.includes('organization='), 'organization facet');
  const filteredUrl = page.url();
  const filtered = await resultCount(page);
  check(filtered > 0 && filtered < all, `count after the facet click is ${filtered}; before it was ${all}`);

  const chip = page.locator('[data-testid=chips] a').first();
  check(await chip.isVisible(), 'no visible chip [data-testid=chips] a after filtering');
  await navigate(page, () => chip.click(), (u) => !u.search.includes('organization='), 'chip removal');
  eq(await resultCount(page), all, 'count after removing the chip');

  await navigate(page, () => page.goBack(), (u) => u.search.includes('organization='), 'back button');
  eq(rel(page.url()), rel(filteredUrl), 'URL after the back button');
  eq(await resultCount(page), filtered, 'count after the back button');
});

test('dataset page leads to a preview and a download', async (t) => {
  const d = await csvDataset();
  check(d.uploaded, 'the demo catalogue has no dataset with an uploaded CSV resource (url_type "upload", format CSV)');
  const page = await t.newPage();
  await open(page, `/dataset/${d.name}`);
  const links = page.locator('[data-testid=resources] a[data-testid=resource-link]');
  check((await links.count()) > 0, `/dataset/${d.name} has no [data-testid=resources] a[data-testid=resource-link]`);
  const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href') || ''));
  const index = Math.max(0, hrefs.findIndex((h) => h.includes(d.resourceId)));
  const before = page.url();
  await navigate(page, () => links.nth(index).click(), (u) => u.href !== before, 'resource link');
  const resourceUrl = page.url();

  const table = page.locator('table[data-testid=preview]');
  eq(await table.count(), 1, `number of table[data-testid=preview] on ${rel(resourceUrl)}`);
  const caption = (await table.locator('caption').allInnerTexts()).join(' ').trim();
  check(caption.length > 0, 'the preview table has no <caption> text');
  const headers = await table.locator('th[scope=col]').count();
  check(headers > 0, 'the preview table has no <th scope="col">');
  const rows = await table.locator('tbody tr').count();
  check(rows > 0, 'the preview table has no body row');

  const download = page.locator('a[data-testid=download]').first();
  const href = await download.getAttribute('href');
  check(href, `no a[data-testid=download] with an href on ${rel(resourceUrl)}`);
  const target = new URL(href, resourceUrl).href;
  const res = await page.request.get(target);
  eq(res.status(), 200, `HTTP status of the download ${target}`);
  const body = await res.body();
  check(body.length > 0, `the download ${target} has an empty body`);
});

test('the English switch', async (t) => {
  const page = await t.newPage();
  const start = '/dataset?q=dan+so&sort=metadata_modified+desc';
  await open(page, start);
  const wantParams = [...new URL(url(start)).searchParams];
  const sw = page.locator('a[data-testid=lang-switch]').first();
  await navigate(page, () => sw.click(), (u) => u.pathname.startsWith('/en'), 'switch to English');
  let u = new URL(page.url());
  eq(u.pathname, '/en/dataset', 'path after switching to English');
  eq(JSON.stringify([...u.searchParams]), JSON.stringify(wantParams), 'query after switching to English');
  eq(await page.evaluate(() => document.documentElement.lang), 'en', 'html lang in English');

  const back = page.locator('a[data-testid=lang-switch]').first();
  await navigate(page, () => back.click(), (x) => !x.pathname.startsWith('/en'), 'switch back to Vietnamese');
  u = new URL(page.url());
  eq(u.pathname, '/dataset', 'path after switching back');
  eq(JSON.stringify([...u.searchParams]), JSON.stringify(wantParams), 'query after switching back');
  eq(await page.evaluate(() => document.documentElement.lang), 'vi', 'html lang in Vietnamese');
});

test('keyboard only, from search to download', async (t) => {
  const page = await t.newPage();
  await open(page, '/');
  await page.bringToFront();

  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => {
    const el = document.activeElement;
    return el && el !== document.body
      ? { skip: el.matches('a.skip-link'), href: el.getAttribute('href'), html: el.outerHTML.slice(0, 200) }
      : { skip: false, href: null, html: '(body)' };
  });
  check(first.skip, `the first Tab focuses ${first.html}, not a.skip-link`);
  eq(first.href, '#main', 'href of the skip link');
  const box = await poll(async () => {
    const b = await page.evaluate(() => {
      const r = document.activeElement.getBoundingClientRect();
      return { x: r.left, y: r.top, right: r.right, bottom: r.bottom, w: r.width, h: r.height, vw: innerWidth, vh: innerHeight };
    });
    const ok = b.w > 0 && b.h > 0 && b.x >= 0 && b.y >= 0 && b.right <= b.vw && b.bottom <= b.vh;
    return ok ? b : null;
  }, 2000);
  check(box, 'the focused skip link is not visible inside the viewport');

  await tabUntil(page, 'input[name=q]', 30);
  await page.keyboard.type('dan so');
  await navigate(page, () => page.keyboard.press('Enter'), (u) => u.pathname === '/dataset', 'search by Enter');

  await tabUntil(page, '[data-testid=results] a', 200);
  await navigate(
    page,
    () => page.keyboard.press('Enter'),
    (u) => u.pathname.startsWith('/dataset/') && u.pathname.length > '/dataset/'.length,
    'Enter on a result',
  );

  await tabUntil(page, '[data-testid=resources] a[data-testid=resource-link]', 200);
  const datasetUrl = page.url();
  await navigate(page, () => page.keyboard.press('Enter'), (u) => u.href !== datasetUrl, 'Enter on a resource link');

  await tabUntil(page, 'a[data-testid=download]', 200);
  const style = await page.evaluate(() => {
    const el = document.activeElement;
    const read = () => {
      const s = getComputedStyle(el);
      return {
        outlineStyle: s.outlineStyle,
        outlineWidth: s.outlineWidth,
        outlineColor: s.outlineColor,
        boxShadow: s.boxShadow,
      };
    };
    const focused = read();
    el.blur();
    const unfocused = read();
    el.focus();
    return { focused, unfocused, href: el.getAttribute('href') };
  });
  check(style.href, 'the focused download link has no href');
  const f = style.focused;
  const u = style.unfocused;
  const outlined = f.outlineStyle !== 'none' && parseFloat(f.outlineWidth) > 0;
  const changed = f.boxShadow !== u.boxShadow || f.outlineStyle !== u.outlineStyle || f.outlineColor !== u.outlineColor;
  check(
    outlined || changed,
    () => `the focused download link has no visible focus style: focused ${JSON.stringify(f)}, unfocused ${JSON.stringify(u)}`,
  );
});

test('sign in with a password, see a private dataset, sign out', async (t) => {
  // A private dataset of the demo, and its department's editor (demo password).
  check(process.env.KHO_TOKEN, 'KHO_TOKEN (the demo sysadmin\'s token) is set by run.sh');
  const found = await api('package_search', { include_private: 'true', fq: 'capacity:private', rows: '1' }, process.env.KHO_TOKEN);
  const secret = found.results?.[0];
  check(secret, 'the demo has a private dataset');
  const editor = `${secret.organization.name}-bien-tap`;
  // axe is injected into this page past the site's CSP (the CSP itself is checked elsewhere).
  const page = await t.newPage({ bypassCSP: true });
  await open(page, `/dataset/${secret.name}`, 404);
  // The sign-in link returns to the page it was followed from.
  await open(page, '/dataset');
  await navigate(page, () => page.locator('header a[href*="/user/login"]').click(), (u) => u.pathname === '/user/login', 'open the sign-in page');
  // A wrong password first: the error is announced and tied to the field; axe on that state.
  await page.fill('#login', editor);
  await page.fill('#password', 'sai-mat-khau');
  await navigate(page, () => page.click('form.form button[type=submit]'), () => true, 'submit a wrong password');
  check(await page.locator('[role=alert]').count() === 1, 'the refusal is announced');
  eq(await page.getAttribute('#login', 'aria-describedby'), 'login-error', 'the error is tied to the field');
  const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate((values) => axe.run(document, { runOnly: { type: 'tag', values } }), AXE_TAGS);
  check(result.violations.length === 0, () => `axe on the refused sign-in: ${result.violations.map((v) => v.id).join(', ')}`);
  // The right password: back where the sign-in started, signed in.
  await page.fill('#password', 'kho-demo-2025');
  await navigate(page, () => page.click('form.form button[type=submit]'), (u) => u.pathname === '/dataset', 'sign in');
  check(await page.locator('[data-testid=signed-in]').count() === 1, 'the header names the signed-in user');
  await page.screenshot({ path: path.join(ARTEFACTS, 'signed-in-vi-1280.png'), fullPage: false });
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'kho_session');
  check(session && session.httpOnly && session.sameSite === 'Lax', 'an HttpOnly, SameSite=Lax session cookie');
  await open(page, `/dataset/${secret.name}`, 200);
  // The API tokens page: create one (shown once), axe on the page with it.
  await navigate(page, () => page.locator('header [data-testid=dashboard-link]').click(), (u) => u.pathname === '/dashboard', 'open the dashboard');
  await navigate(page, () => page.locator('main a[href$="/api-tokens"]').click(), (u) => u.pathname.endsWith('/api-tokens'), 'open the API tokens page');
  await page.fill('#token-name', 'ckanapi');
  await navigate(page, () => page.click('form.form button[type=submit]'), () => true, 'create a token');
  const token = (await page.locator('[data-testid=new-token]').textContent()).trim();
  check(token.length > 20, 'the new token is shown');
  const who = await fetch(url('/api/3/action/package_show?id=' + secret.name), { headers: { Authorization: token } });
  eq(who.status, 200, 'the new token reads the private dataset through the API');
  // ckanapi, unchanged, with the token from the page.
  check(process.env.KHO_CKANAPI, 'KHO_CKANAPI (the ckanapi command) is set by run.sh');
  const shown = JSON.parse(
    execFileSync(process.env.KHO_CKANAPI, ['action', 'package_show', `id=${secret.name}`, '-r', BASE, '-a', token], { encoding: 'utf8' }),
  );
  eq(shown.name, secret.name, 'ckanapi reads the private dataset with the token');
  await page.addScriptTag({ content: axeSource });
  const tokensAxe = await page.evaluate((values) => axe.run(document, { runOnly: { type: 'tag', values } }), AXE_TAGS);
  check(tokensAxe.violations.length === 0, () => `axe on the tokens page: ${tokensAxe.violations.map((v) => v.id).join(', ')}`);
  // Sign out from the header: the private dataset is gone again.
  await navigate(page, () => page.locator('header form.account button').click(), (u) => u.pathname === '/', 'sign out');
  await open(page, `/dataset/${secret.name}`, 404);
});

// --- publishing ----------------------------------------------------------------------------------

// axe on the page as it is now (the page must be opened with bypassCSP).
async function axeClean(page, label) {
  const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate((values) => axe.run(document, { runOnly: { type: 'tag', values } }), AXE_TAGS);
  const found = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  check(found.length === 0, () => `axe on ${label}: ${found.join('; ')}`);
}

async function signIn(page, login, password = 'kho-demo-2025') {
  await open(page, '/user/login');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await navigate(page, () => page.click('form.form button[type=submit]'), (u) => u.pathname !== '/user/login', `sign in as ${login}`);
  check(await page.locator('[data-testid=signed-in]').count() === 1, `${login} is signed in`);
}

// Fills the provincial dataset form (the page is on /dataset/new or an edit form).
async function fillDataset(page, title) {
  await page.fill('#field-title', title);
  await page.fill('#field-notes', 'Danh sách **trạm sạc** xe điện công cộng, cập nhật hằng quý.');
  await page.fill('#field-tag_string', 'xe điện, trạm sạc');
  await page.selectOption('#field-license_id', 'cc-by');
  await page.selectOption('#field-linh_vuc', 'nang-luong');
  await page.selectOption('#field-tan_suat_cap_nhat', 'hang-quy');
  await page.fill('#field-pham_vi_khong_gian', '52');
  await page.fill('#field-co_so_phap_ly', 'Nghị định 47/2020/NĐ-CP');
  await page.selectOption('#field-muc_do_chia_se', 'mo');
  await page.selectOption('#field-thoi_han_truc_tuyen', '5-nam');
  await page.fill('#field-dau_moi_lien_he', 'Phòng Quản lý năng lượng');
  await page.fill('#field-muc_tieu', 'Người dân tìm trạm sạc gần nhất');
  await page.fill('#field-pham_vi', 'Toàn tỉnh');
  await page.fill('#field-doi_tuong_muc_dich_khai_thac', 'Người dân, doanh nghiệp vận tải');
  await page.fill('#field-nguon_thong_tin', 'Sở Công Thương');
  await page.selectOption('#field-phuong_thuc_chia_se', 'tai-ve');
}

test('an editor writes a dataset in one form, uploads a CSV, publishes; a visitor finds and previews it', async (t) => {
  const organizations = await api('organization_list');
  const editor = `${organizations[0]}-bien-tap`;
  const title = `Trạm sạc xe điện ${Date.now() % 100000}`;
  const page = await t.newPage({ bypassCSP: true });
  await signIn(page, editor);
  await open(page, '/dashboard');
  await axeClean(page, 'the dashboard');
  await navigate(page, () => page.click('[data-testid=new-dataset]'), (u) => u.pathname === '/dataset/new', 'open the dataset form');
  await axeClean(page, 'the empty dataset form');
  // Only a title: the errors are announced, listed, and tied to their fields.
  await page.fill('#field-title', title);
  await navigate(page, () => page.click('[data-testid=save-draft]'), () => true, 'save an incomplete draft');
  check(await page.locator('[data-testid=error-summary][role=alert]').count() === 1, 'an announced error summary');
  eq(await page.getAttribute('#field-linh_vuc', 'aria-invalid'), 'true', 'the theme is marked invalid');
  check((await page.getAttribute('#field-linh_vuc', 'aria-describedby')).includes('error-linh_vuc'), 'its error is tied to it');
  eq(await page.inputValue('#field-title'), title, 'what was typed is kept');
  check((await page.title()).includes(':'), 'the title says there is an error');
  await page.screenshot({ path: path.join(ARTEFACTS, 'dataset-form-errors-vi-1280.png'), fullPage: true });
  await axeClean(page, 'the dataset form with errors');
  // Complete, as a draft.
  await fillDataset(page, title);
  await navigate(page, () => page.click('[data-testid=save-draft]'), (u) => u.pathname.startsWith('/dataset/tram-sac'), 'save the draft');
  check(await page.locator('[data-testid=draft-notice]').count() === 1, 'the draft is marked');
  const name = rel(page.url()).split('/')[2];
  // A CSV upload.
  await navigate(page, () => page.click('[data-testid=add-resource]'), (u) => u.pathname.endsWith('/resource/new'), 'open the resource form');
  await axeClean(page, 'the resource form');
  await page.setInputFiles('#field-upload', {
    name: 'tram-sac.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('tên trạm,địa chỉ,số cổng\nTrạm Diên Hồng,Pleiku,4\nTrạm Biển Hồ,Pleiku,2\n', 'utf8'),
  });
  await navigate(page, () => page.click('[data-testid=save-resource]'), (u) => u.pathname.includes('/resource/') && !u.pathname.endsWith('/new'), 'upload');
  check(await page.locator('[data-testid=preview]').count() === 1, 'the upload has a preview');
  check((await page.locator('[data-testid=preview]').textContent()).includes('Trạm Biển Hồ'), 'the preview shows the rows');
  // Publish.
  await open(page, `/dataset/${name}`);
  await navigate(page, () => page.click('[data-testid=publish]'), (u) => u.pathname === `/dataset/${name}`, 'publish');
  eq(await page.locator('[data-testid=draft-notice]').count(), 0, 'no longer a draft');
  await page.screenshot({ path: path.join(ARTEFACTS, 'dataset-published-vi-1280.png'), fullPage: true });
  // A visitor finds it without diacritics and previews the CSV.
  const visitor = await t.newPage();
  await open(visitor, `/dataset?q=${encodeURIComponent('tram sac xe dien')}`);
  const link = visitor.locator(`[data-testid=results] a[href="/dataset/${name}"]`);
  check(await link.count() === 1, 'the anonymous search finds the new dataset');
  await navigate(visitor, () => link.click(), (u) => u.pathname === `/dataset/${name}`, 'open it');
  await navigate(visitor, () => visitor.locator('[data-testid=resource-link]').first().click(), (u) => u.pathname.includes('/resource/'), 'open the resource');
  check(await visitor.locator('[data-testid=preview]').count() === 1, 'the visitor sees the preview');
  eq(await visitor.locator('[data-testid=edit-resource]').count(), 0, 'the visitor has no editing buttons');
});

test('the operator\'s editor harvests a source now and reads the job\'s report', async (t) => {
  const page = await t.newPage({ bypassCSP: true });
  await signIn(page, 'so-khoa-hoc-va-cong-nghe-bien-tap');
  await open(page, '/dashboard');
  await navigate(page, () => page.click('[data-testid=harvest-link]'), (u) => u.pathname === '/harvest', 'open the harvest sources');
  eq(await page.locator('[data-testid=harvest-sources] tbody tr').count(), 2, 'the operator\'s two sources');
  await axeClean(page, 'the harvest sources');
  await navigate(page, () => page.click('a[href="/harvest/danh-muc-dcat-so-tai-chinh"]'), (u) => u.pathname.endsWith('/danh-muc-dcat-so-tai-chinh'), 'open a source');
  check(await page.locator('[data-testid=no-jobs]').count() === 1, 'not harvested yet');
  await navigate(page, () => page.click('[data-testid=run-job]'), (u) => u.pathname.endsWith('/danh-muc-dcat-so-tai-chinh'), 'harvest now');
  check(await page.locator('[data-testid=harvest-jobs] tbody tr').count() === 1, 'the new job is listed');
  // The scheduler runs it within seconds; the source's host does not resolve here, so the
  // report shows why nothing was read (and that nothing was deleted).
  for (let i = 0; i < 60 && (await page.locator('[data-testid=gather-errors]').count()) === 0; i++) {
    await new Promise((r) => setTimeout(r, 500));
    await open(page, '/harvest/danh-muc-dcat-so-tai-chinh');
  }
  check(await page.locator('[data-testid=gather-errors] li').count() >= 1, 'the report gives the gather error');
  check(await page.locator('[data-testid=run-job]').count() === 1, 'the job has ended: it can be run again');
  await axeClean(page, 'a source with its job report');
  await page.screenshot({ path: path.join(ARTEFACTS, 'harvest-source-vi-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 360, height: 800 });
  await page.screenshot({ path: path.join(ARTEFACTS, 'harvest-source-vi-360.png'), fullPage: true });
  await open(page, '/en/harvest/danh-muc-dcat-so-tai-chinh');
  await axeClean(page, 'the source page in English');
  await page.screenshot({ path: path.join(ARTEFACTS, 'harvest-source-en-360.png'), fullPage: true });
  // A visitor never sees it.
  const visitor = await t.newPage();
  await open(visitor, '/harvest/danh-muc-dcat-so-tai-chinh');
  check(rel(visitor.url()).startsWith('/user/login'), 'a visitor is sent to sign in');
});

test('the operator announces a maintenance 7 working days ahead; every page shows it', async (t) => {
  const page = await t.newPage({ bypassCSP: true });
  await signIn(page, 'admin');
  await open(page, '/ckan-admin');
  await navigate(page, () => page.click('[data-testid=maintenance-link]'), (u) => u.pathname === '/ckan-admin/maintenance', 'open the notices');
  await axeClean(page, 'the maintenance notices page');
  const day = (d) => d.toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
  const title = `Bảo trì kho lưu trữ ${Date.now() % 100000}`;
  await page.fill('#field-title', title);
  await page.fill('#field-reason', 'Thay thiết bị lưu trữ');
  await page.fill('#field-services', 'Tải tệp dữ liệu');
  await page.fill('#field-starts_at', `${day(tomorrow)}T20:00`);
  await page.fill('#field-ends_at', `${day(tomorrow)}T23:00`);
  await navigate(page, () => page.click('[data-testid=announce]'), () => true, 'announce too soon');
  check(await page.locator('[data-testid=error-summary][role=alert]').count() === 1, 'too soon: an announced error');
  eq(await page.getAttribute('#field-starts_at', 'aria-invalid'), 'true', 'the start is marked invalid');
  await axeClean(page, 'the notice form with its error');
  await page.screenshot({ path: path.join(ARTEFACTS, 'maintenance-form-error-vi-1280.png'), fullPage: true });
  const later = new Date(Date.now() + 21 * 24 * 3600 * 1000);
  await page.fill('#field-starts_at', `${day(later)}T20:00`);
  await page.fill('#field-ends_at', `${day(later)}T23:00`);
  await navigate(page, () => page.click('[data-testid=announce]'), (u) => u.pathname === '/ckan-admin/maintenance', 'announce');
  check((await page.locator('[data-testid=notices]').textContent()).includes(title), 'the notice is listed');
  const visitor = await t.newPage({ bypassCSP: true });
  await open(visitor, '/');
  check((await visitor.locator('[data-testid=maintenance-banner]').textContent()).includes(title), 'a visitor sees the banner');
  await axeClean(visitor, 'the home page with the banner');
  await visitor.screenshot({ path: path.join(ARTEFACTS, 'maintenance-banner-vi-1280.png') });
  const feed = await visitor.request.get(url('/maintenance.atom'));
  check((await feed.text()).includes(title), 'the Atom feed has it');
});

test('a citizen asks a department for data; its editor refuses with reasons; a visitor sees it', async (t) => {
  const citizen = await t.newPage({ bypassCSP: true });
  await signIn(citizen, 'nguoi-dan');
  await open(citizen, '/datarequest');
  await axeClean(citizen, 'the data requests');
  await navigate(citizen, () => citizen.click('[data-testid=new-datarequest]'), (u) => u.pathname === '/datarequest/new', 'open the request form');
  await navigate(citizen, () => citizen.click('[data-testid=send-datarequest]'), () => true, 'send an empty request');
  check(await citizen.locator('[data-testid=error-summary][role=alert]').count() === 1, 'an announced error summary');
  await axeClean(citizen, 'the request form with errors');
  const title = `Giá đất theo tuyến đường ${Date.now() % 100000}`;
  await citizen.fill('#field-title', title);
  await citizen.fill('#field-description', 'Bảng giá đất năm 2026 theo từng tuyến đường');
  await citizen.selectOption('#field-organization_id', 'so-y-te');
  await navigate(citizen, () => citizen.click('[data-testid=send-datarequest]'), (u) => /^\/datarequest\/[0-9a-f-]{36}$/.test(u.pathname), 'send the request');
  const address = rel(citizen.url());
  eq(await citizen.locator('[data-testid=close-form]').count(), 0, 'the requester has no answer forms');
  await citizen.screenshot({ path: path.join(ARTEFACTS, 'datarequest-sent-vi-1280.png'), fullPage: true });
  const editor = await t.newPage({ bypassCSP: true });
  await signIn(editor, 'so-y-te-bien-tap');
  await open(editor, address);
  await editor.fill('#refusal_reason', 'Giá đất do Sở Tài chính quản lý; đề nghị gửi yêu cầu tới Sở Tài chính.');
  await navigate(editor, () => editor.click('[data-testid=refuse-request]'), (u) => u.pathname === address, 'refuse');
  check((await editor.locator('[data-testid=refusal-reason]').textContent()).includes('Sở Tài chính'), 'the reason is shown');
  await axeClean(editor, 'a refused request');
  const visitor = await t.newPage();
  await open(visitor, '/datarequest');
  check((await visitor.locator('[data-testid=datarequests]').textContent()).includes(title), 'the visitor sees the request');
  await visitor.screenshot({ path: path.join(ARTEFACTS, 'datarequests-vi-1280.png'), fullPage: true });
});

test('an agency asks for shared data; the department approves, the operator issues a token; a third account sees nothing', async (t) => {
  const found = await api('package_search', { fq: 'organization:so-y-te', include_private: 'true', rows: '1000', fl: 'name,private' }, process.env.KHO_TOKEN);
  const shared = found.results.filter((d) => d.private === true || d.private === 'true').map((d) => d.name);
  check(shared.length >= 3, 'the demo has shared datasets');
  const wanted = shared[shared.length - 1];
  const requester = await t.newPage({ bypassCSP: true });
  await signIn(requester, 'so-tai-chinh-bien-tap');
  await open(requester, '/dashboard');
  await navigate(requester, () => requester.click('[data-testid=access-link]'), (u) => u.pathname === '/access-request', 'open the access requests');
  await axeClean(requester, 'the access requests');
  await open(requester, `/access-request/new?dataset=${wanted}`);
  eq(await requester.inputValue('#field-package_ids'), wanted, 'the dataset is prefilled');
  await navigate(requester, () => requester.click('[data-testid=send-access-request]'), () => true, 'send without purpose');
  check(await requester.locator('[data-testid=error-summary][role=alert]').count() === 1, 'an announced error summary');
  await axeClean(requester, 'the access request form with errors');
  const purpose = `Đối chiếu số liệu ${Date.now() % 100000}`;
  await requester.fill('#field-purpose', purpose);
  await requester.fill('#field-legal_basis', 'Nghị định 47/2020/NĐ-CP');
  await navigate(requester, () => requester.click('[data-testid=send-access-request]'), (u) => /^\/access-request\/[0-9a-f-]{36}$/.test(u.pathname), 'send the request');
  const address = rel(requester.url());
  eq(await requester.locator('[data-testid=approve-access]').count(), 0, 'the requester cannot approve');
  const department = await t.newPage({ bypassCSP: true });
  await signIn(department, 'so-y-te-bien-tap');
  await open(department, '/dashboard');
  check(Number(await department.locator('[data-testid=access-waiting]').textContent()) >= 1, 'the dashboard counts the requests waiting');
  check(await department.locator('[data-testid=expired] tbody tr').count() >= 1, 'the department sees its datasets past their online retention');
  await open(department, address);
  check((await department.locator('[data-testid=access-facts]').textContent()).includes(purpose), 'the department reads the purpose');
  await navigate(department, () => department.click('[data-testid=approve-access]'), (u) => u.pathname === address, 'approve');
  check((await department.locator('[data-testid=access-due]').count()) === 1, 'the operator\'s deadline is shown');
  const operator = await t.newPage({ bypassCSP: true });
  await signIn(operator, 'admin');
  await open(operator, address);
  await axeClean(operator, 'an approved access request');
  await operator.screenshot({ path: path.join(ARTEFACTS, 'access-request-approved-vi-1280.png'), fullPage: true });
  await navigate(operator, () => operator.click('[data-testid=issue-access]'), (u) => u.pathname === address, 'issue');
  eq(await operator.locator('[data-testid=access-token]').count(), 0, 'the operator does not see the token');
  await open(requester, address);
  const token = (await requester.locator('[data-testid=access-token]').textContent()).trim();
  check(token.split('.').length === 3, 'the holder reads the token');
  await axeClean(requester, 'an issued access request');
  await requester.screenshot({ path: path.join(ARTEFACTS, 'access-request-issued-vi-1280.png'), fullPage: true });
  const shown = await api('package_show', { id: wanted }, token);
  eq(shown.name, wanted, 'the token reads the dataset');
  const other = shared.find((n) => n !== wanted);
  const refused = await fetch(url(`/api/3/action/package_show?id=${other}`), { headers: { Authorization: token } });
  eq(refused.status, 403, 'the token reads no other dataset');
  const third = await t.newPage();
  await signIn(third, 'nguoi-dan');
  await open(third, address, 404);
  check(!(await third.content()).includes(purpose), 'a third account reads nothing of it');
});

test('a reader reports an error in a dataset; its department answers and fixes it', async (t) => {
  const found = await api('package_search', { fq: 'organization:so-y-te', rows: '1' });
  const name = found.results[0].name;
  const reader = await t.newPage({ bypassCSP: true });
  await signIn(reader, 'nguoi-dan');
  await open(reader, `/dataset/${name}`);
  const problem = `Sai địa chỉ ở dòng ${Date.now() % 1000}`;
  await reader.fill('#report-description', problem);
  await navigate(reader, () => reader.click('[data-testid=send-report]'), (u) => u.pathname === `/dataset/${name}`, 'report');
  check((await reader.locator('[data-testid=error-reports]').textContent()).includes(problem), 'the report is on the page');
  eq(await reader.locator('[data-testid=answer-report]').count(), 0, 'the reader cannot answer');
  await axeClean(reader, 'a dataset page with an error report');
  const editor = await t.newPage({ bypassCSP: true });
  await signIn(editor, 'so-y-te-bien-tap');
  await open(editor, `/dataset/${name}`);
  const item = editor.locator('[data-testid=error-reports] li', { hasText: problem });
  await item.locator('textarea').fill('Đã sửa trong bản cập nhật hôm nay');
  await navigate(editor, () => item.locator('button').click(), (u) => u.pathname === `/dataset/${name}`, 'answer and fix');
  check(!(await editor.content()).includes(problem), 'a fixed report leaves the page');
});

test('the operator reads the quarterly update report and downloads it as CSV', async (t) => {
  const page = await t.newPage({ bypassCSP: true });
  await signIn(page, 'admin');
  await open(page, '/ckan-admin');
  await navigate(page, () => page.click('[data-testid=report-link]'), (u) => u.pathname === '/ckan-admin/reports/updates', 'open the report');
  check(await page.locator('[data-testid=report-departments] tbody tr').count() >= 1, 'departments are listed');
  await axeClean(page, 'the update report');
  await page.screenshot({ path: path.join(ARTEFACTS, 'report-updates-vi-1280.png'), fullPage: true });
  const href = await page.getAttribute('[data-testid=report-csv]', 'href');
  const csv = await page.request.get(url(href));
  eq(csv.headers()['content-type'], 'text/csv; charset=utf-8', 'the CSV media type');
  check((await csv.text()).startsWith('quarter,organization,dataset'), 'the CSV header');
});

test('a reader sees a dataset\'s metadata quality; the operator reads the annual evaluation', async (t) => {
  const found = await api('package_search', { fq: 'organization:so-y-te', rows: '1' });
  const name = found.results[0].name;
  const reader = await t.newPage({ bypassCSP: true });
  await open(reader, `/dataset/${name}`);
  const score = await reader.locator('[data-testid=quality-score]').textContent();
  check(/^\d+\/405$/.test(score.trim()), `a score out of 405: ${score}`);
  const fromApi = await api('quality_show', { id: name });
  eq(score.trim(), `${fromApi.score}/405`, 'the page shows what quality_show answers');
  await axeClean(reader, 'a dataset page with its quality');
  await open(reader, '/organization/so-y-te');
  check(await reader.locator('[data-testid=quality]').count() === 1, 'the department\'s average');
  const page = await t.newPage({ bypassCSP: true });
  await signIn(page, 'admin');
  await open(page, '/ckan-admin');
  await navigate(page, () => page.click('[data-testid=evaluation-link]'), (u) => u.pathname === '/ckan-admin/reports/evaluation', 'open the evaluation');
  check(await page.locator('[data-testid=evaluation-departments] tbody tr').count() >= 1, 'departments are listed');
  await axeClean(page, 'the annual evaluation');
  await page.screenshot({ path: path.join(ARTEFACTS, 'report-evaluation-vi-1280.png'), fullPage: true });
  const href = await page.getAttribute('[data-testid=evaluation-csv]', 'href');
  const csv = await page.request.get(url(href));
  eq(csv.headers()['content-type'], 'text/csv; charset=utf-8', 'the CSV media type');
  check((await csv.text()).startsWith('year,organization,title,datasets,quality'), 'the CSV header');
  const xlsx = await page.request.get(url(await page.getAttribute('[data-testid=evaluation-xlsx]', 'href')));
  eq(xlsx.headers()['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'the XLSX media type');
  await open(page, '/ckan-admin');
  await navigate(page, () => page.click('[data-testid=summary-link]'), (u) => u.pathname === '/ckan-admin/reports/summary', 'open the People\'s Committee summary');
  check(await page.locator('[data-testid=summary-updates]').count() === 1, 'the update compliance section');
  await axeClean(page, 'the quarterly summary');
  await page.screenshot({ path: path.join(ARTEFACTS, 'report-summary-vi-1280.png'), fullPage: true });
});

test('an organisation admin adds an editor by e-mail, who then publishes', async (t) => {
  check(process.env.KHO_TOKEN, 'KHO_TOKEN is set by run.sh');
  const organizations = await api('organization_list');
  const org = organizations[organizations.length - 1];
  const suffix = Date.now() % 100000;
  const adminName = `quan-tri-${suffix}`;
  const newcomer = `can-bo-${suffix}`;
  const post = async (action, body) => {
    const res = await fetch(url(`/api/3/action/${action}`), {
      method: 'POST',
      headers: { Authorization: process.env.KHO_TOKEN, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await res.json();
    check(answer.success, () => `${action}: ${JSON.stringify(answer.error)}`);
    return answer.result;
  };
  for (const user of [adminName, newcomer]) {
    await post('user_create', { name: user, email: `${user}@so.example.vn`, password: 'kho-demo-2025', fullname: `Cán bộ ${user}` });
  }
  await post('organization_member_create', { id: org, username: adminName, role: 'admin' });
  const admin = await t.newPage({ bypassCSP: true });
  await signIn(admin, adminName);
  await open(admin, `/organization/${org}`);
  await navigate(admin, () => admin.click('[data-testid=manage-members]'), (u) => u.pathname === `/organization/members/${org}`, 'open the members page');
  await axeClean(admin, 'the members page');
  await admin.fill('#field-username', `${newcomer}@so.example.vn`);
  await admin.selectOption('#field-role', 'editor');
  await navigate(admin, () => admin.click('[data-testid=add-member]'), (u) => u.pathname === `/organization/members/${org}`, 'add the member');
  check((await admin.locator('[data-testid=members]').textContent()).includes(newcomer), 'the newcomer is listed');
  await admin.screenshot({ path: path.join(ARTEFACTS, 'members-vi-1280.png'), fullPage: true });
  // The newcomer publishes at once.
  const page = await t.newPage({ bypassCSP: true });
  await signIn(page, newcomer);
  await open(page, '/dataset/new');
  const title = `Điểm sạc mới ${suffix}`;
  await fillDataset(page, title);
  await navigate(page, () => page.click('[data-testid=publish]'), (u) => u.pathname.startsWith('/dataset/diem-sac-moi'), 'publish at once');
  const name = rel(page.url()).split('/')[2];
  const shown = await api('package_show', { id: name });
  eq(shown.state, 'active', 'published');
  eq(shown.organization.name, org, 'in the organisation');
  // The profile form: a wrong current password is refused, with axe on that state.
  await open(page, `/user/edit/${newcomer}`);
  await page.fill('#field-password1', 'mat-khau-moi-2026');
  await page.fill('#field-password2', 'mat-khau-moi-2026');
  await page.fill('#field-old_password', 'sai');
  await navigate(page, () => page.click('[data-testid=save-profile]'), () => true, 'submit a wrong current password');
  eq(await page.getAttribute('#field-old_password', 'aria-invalid'), 'true', 'the current password is marked invalid');
  await axeClean(page, 'the profile form with errors');
});

test('the sysadmin and organisation pages pass axe', async (t) => {
  const [organizations, groups] = await Promise.all([api('organization_list'), api('group_list')]);
  const page = await t.newPage({ bypassCSP: true });
  await signIn(page, 'admin');
  // A change to show on the changes page.
  const d = await csvDataset();
  await open(page, `/dataset/edit/${d.name}`);
  await page.fill('#field-version', `v${Date.now() % 1000}`);
  await navigate(page, () => page.click('[data-testid=save]'), (u) => u.pathname === `/dataset/${d.name}`, 'save a change');
  await open(page, `/dataset/activity/${d.name}`);
  await navigate(page, () => page.locator('[data-testid=changes-link]').first().click(), (u) => u.pathname.startsWith('/dataset/changes/'), 'open the changes');
  check(await page.locator('[data-testid=changes] ins').count() > 0, 'the changed field is shown');
  await axeClean(page, 'the changes page');
  const pages = [
    ['sysadmin users', '/ckan-admin'],
    ['trash', '/ckan-admin/trash'],
    ['organisation form', `/organization/edit/${organizations[0]}`],
    ['bulk actions', `/organization/bulk_process/${organizations[0]}`],
    ['group form', `/group/edit/${groups[0]}`],
    ['user page', '/user/admin'],
    ['profile form', '/user/edit/admin'],
    ['dataset edit form', `/dataset/edit/${d.name}`],
    ['resource edit form', `${await resourcePath(t.browser)}/edit`],
    ['English dataset form', '/en/dataset/new'],
  ];
  for (const [label, p] of pages) {
    await open(page, p);
    await axeClean(page, label);
  }
  // Forms with their errors shown.
  await open(page, `/organization/members/${organizations[0]}`);
  await page.fill('#field-username', 'khong-co-tai-khoan-nay');
  await navigate(page, () => page.click('[data-testid=add-member]'), () => true, 'add an unknown member');
  eq(await page.getAttribute('#field-username', 'aria-invalid'), 'true', 'the unknown user is marked');
  await axeClean(page, 'the members form with an error');
  await open(page, `/dataset/${d.name}/resource/new`);
  await navigate(page, () => page.click('[data-testid=save-resource]'), () => true, 'add a resource without file or link');
  eq(await page.getAttribute('#field-upload', 'aria-invalid'), 'true', 'the missing file is marked');
  await axeClean(page, 'the resource form with an error');
  await open(page, `/organization/edit/${organizations[0]}`);
  await page.fill('#field-name', 'Không Hợp Lệ');
  await navigate(page, () => page.click('[data-testid=save-group]'), () => true, 'save a bad URL name');
  eq(await page.getAttribute('#field-name', 'aria-invalid'), 'true', 'the bad name is marked');
  await axeClean(page, 'the organisation form with an error');
  await open(page, '/ckan-admin');
  await page.screenshot({ path: path.join(ARTEFACTS, 'sysadmin-users-vi-1280.png'), fullPage: true });
  // Every signed-in page, to be looked at: both languages, phone and desktop widths.
  const signedIn = [
    ['dashboard', '/dashboard'],
    ['dataset-new', '/dataset/new'],
    ['dataset-signed-in', `/dataset/${d.name}`],
    ...pages.filter(([, p]) => !p.startsWith('/en/')).map(([label, p]) => [label.replace(/ /g, '-'), p]),
  ];
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width < 600 ? 740 : 800 });
    for (const [slug, p] of signedIn) {
      for (const [lang, address] of [['vi', p], ['en', en(p)]]) {
        await open(page, address);
        await page.screenshot({ path: path.join(ARTEFACTS, `signed-in-${slug}-${lang}-${width}.png`), fullPage: true });
      }
    }
  }
});

// --- single sign-on (OpenID Connect) ---------------------------------------------------------------

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OIDC_PORT = process.env.KHO_OIDC_PORT;
const OIDC_ORIGIN = `http://localhost:${OIDC_PORT}`;

// Starts the real provider (oidc-provider) on its port; resolves when it listens.
function startProvider() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(HERE, 'oidc-provider.mjs'), OIDC_PORT, `${BASE}/user/oidc/sso/callback`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => reject(new Failure('the OpenID provider did not start within 20 s')), 20_000);
    child.stdout.on('data', (chunk) => {
      if (String(chunk).includes('ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Failure(`the OpenID provider exited (${code})`)));
  });
}

async function stopProvider(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function providerMode(mode) {
  const res = await fetch(`${OIDC_ORIGIN}/test/mode?set=${mode}`);
  eq(res.status, 200, `provider mode ${mode}`);
}

// From Kho's sign-in page through the provider's login and consent pages, back to Kho. With
// `held`, the provider stops before the redirect back: returns the callback address instead.
async function ssoSignIn(page, login, held = false) {
  await open(page, '/user/login');
  await navigate(page, () => page.click('[data-testid=sso] a'), (u) => u.origin === OIDC_ORIGIN, 'go to the provider');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any');
  await fetch(`${OIDC_ORIGIN}/test/hold?on=${held ? 1 : 0}`);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');
  // The consent page (first time in a browser) confirms with one more button.
  if (new URL(page.url()).origin === OIDC_ORIGIN && (await page.locator('button[type=submit]').count()) > 0) {
    await page.click('button[type=submit]');
    await page.waitForLoadState('load');
  }
  if (held) {
    await page.locator('#callback').waitFor();
    await fetch(`${OIDC_ORIGIN}/test/hold?on=0`);
    return page.getAttribute('#callback', 'href');
  }
  await page.waitForURL((u) => u.origin === new URL(BASE).origin, { waitUntil: 'load' });
  return page.url();
}

async function refusedSignIn(t, login, what) {
  const page = await t.newPage();
  await ssoSignIn(page, login);
  check((await page.locator('h1').textContent()).includes('không thành công'), `${what}: the sign-in is refused (at ${rel(page.url())})`);
  eq(await page.locator('[data-testid=signed-in]').count(), 0, `${what}: nobody is signed in`);
}

test('single sign-on with a real OpenID provider: round trip, roles, refusals, key rotation', async (t) => {
  check(OIDC_PORT, 'KHO_OIDC_PORT is set by run.sh');
  let provider = await startProvider();
  try {
    // The round trip: a first sign-in creates the account with the mapped editor role.
    const page = await t.newPage({ bypassCSP: true });
    await open(page, '/user/login');
    await axeClean(page, 'the sign-in page with single sign-on');
    await ssoSignIn(page, 'an.nguyen');
    eq(new URL(page.url()).pathname, '/dashboard', 'back on the dashboard');
    eq((await page.locator('[data-testid=signed-in]').textContent()).trim(), 'Nguyễn Văn An', 'signed in with the name from the provider');
    check((await page.locator('#organizations + ul, section[aria-labelledby=organizations] ul').first().textContent()).includes('Biên tập'), 'the roles claim made an editor');
    await open(page, '/dataset/new');
    const session = (await page.context().cookies()).find((c) => c.name === 'kho_session');
    check(session && session.httpOnly && session.sameSite === 'Lax', 'an HttpOnly, SameSite=Lax session');
    const account = await api('user_show', { id: 'an-nguyen' }, process.env.KHO_TOKEN);
    eq(account.email, 'an.nguyen@sso.example.vn', 'the account has the provider\'s address');

    // A verified address links to the existing account.
    const admin = await t.newPage();
    await ssoSignIn(admin, 'quan-tri');
    eq((await admin.locator('[data-testid=signed-in]').textContent()).trim(), 'Quản trị cổng dữ liệu', 'linked to the demo sysadmin by the verified address');

    // A tampered state is refused.
    const tampered = await t.newPage();
    const held = new URL(await ssoSignIn(tampered, 'an.nguyen', true));
    held.searchParams.set('state', 'x' + held.searchParams.get('state'));
    eq((await tampered.goto(held.toString())).status(), 403, 'a tampered state is refused');
    eq(await tampered.locator('[data-testid=signed-in]').count(), 0, 'tampered state: nobody signed in');

    // A replayed code is refused (with the flow cookie copied, so only the provider can refuse it).
    const first = await t.newPage();
    const callback = await ssoSignIn(first, 'an.nguyen', true);
    const flowCookie = (await first.context().cookies()).find((c) => c.name === 'kho_oidc');
    check(flowCookie, 'the flow cookie was set');
    eq((await first.goto(callback)).status(), 200, 'the genuine callback signs in');
    eq(await first.locator('[data-testid=signed-in]').count(), 1, 'signed in by the genuine callback');
    const replay = await t.newPage();
    await replay.context().addCookies([flowCookie]);
    eq((await replay.goto(callback)).status(), 403, 'a replayed code is refused');

    // ID tokens with another nonce, for another client, or expired are refused.
    for (const [mode, what] of [['nonce', 'a wrong nonce'], ['audience', 'a wrong audience'], ['expired', 'an expired token']]) {
      await providerMode(mode);
      await refusedSignIn(t, 'an.nguyen', what);
    }
    await providerMode('normal');

    // The provider rotates its signing key (a restart makes a new one): Kho reads the keys
    // again and sign-in keeps working, without restarting Kho.
    await stopProvider(provider);
    provider = await startProvider();
    const after = await t.newPage();
    await ssoSignIn(after, 'an.nguyen');
    eq((await after.locator('[data-testid=signed-in]').textContent()).trim(), 'Nguyễn Văn An', 'signed in after the key rotation');
  } finally {
    await stopProvider(provider).catch(() => {});
  }
});

test(
  'axe-core on every page template in both languages, zero violations',
  async (t) => {
    const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    const pages = await bilingualPages(t.browser);
    // The site's Content-Security-Policy forbids inline scripts: axe is injected past it.
    const page = await t.newPage({ bypassCSP: true });
    const problems = [];
    const report = [];
    for (const p of pages) {
      const label = `${p.slug} (${p.lang}) ${p.path}`;
      try {
        await open(page, p.path, p.status);
        await page.addScriptTag({ content: axeSource });
        const result = await page.evaluate(
          (values) => axe.run(document, { runOnly: { type: 'tag', values } }),
          AXE_TAGS,
        );
        const violations = result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => n.target.join(' ')),
        }));
        report.push({ page: label, violations });
        for (const v of violations) {
          problems.push(`${label}: ${v.id} [${v.impact}] ${v.help}\n    ${v.nodes.join('\n    ')}`);
        }
      } catch (e) {
        report.push({ page: label, error: e.message });
        problems.push(`${label}: ${e.message.split('\n')[0]}`);
      }
    }
    writeFileSync(path.join(ARTEFACTS, 'axe-report.json'), JSON.stringify(report, null, 2));
    check(problems.length === 0, () => `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  },
  { timeoutMs: 600_000 },
);

test('reflow at 320 px', async (t) => {
  const d = await csvDataset();
  const pages = [
    { slug: 'home', path: '/' },
    { slug: 'search', path: '/dataset?q=dan+so' },
    { slug: 'dataset', path: `/dataset/${d.name}` },
    { slug: 'resource', path: await resourcePath(t.browser) },
  ];
  const page = await t.newPage({ viewport: { width: 320, height: 640 } });
  const problems = [];
  for (const p of pages) {
    try {
      await open(page, p.path);
      const w = await page.evaluate(() => document.documentElement.scrollWidth);
      if (w > 320) {
        // What sticks out: the outermost elements past the right edge, else the innermost
        // elements whose content overflows them (a pseudo-element, a long word).
        const wide = await page.evaluate(() => {
          const name = (el) =>
            el.tagName.toLowerCase() +
            (el.id ? '#' + el.id : '') +
            (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
          const all = [...document.querySelectorAll('body *')];
          const out = all
            .filter((el) => el.getBoundingClientRect().right > 320.5)
            .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= 320.5)
            .map((el) => `${name(el)} (right edge ${Math.round(el.getBoundingClientRect().right)})`);
          if (out.length) return out.slice(0, 5);
          return all
            .filter((el) => el.scrollWidth > el.clientWidth + 1 && !/(auto|scroll|hidden)/.test(getComputedStyle(el).overflowX))
            .slice(-3)
            .map((el) => `${name(el)} (content ${el.scrollWidth} px in ${el.clientWidth} px)`);
        });
        problems.push(`${p.path}: scrollWidth ${w} > 320; sticking out: ${wide.join(', ') || '(not found)'}`);
        await page.screenshot({ path: path.join(ARTEFACTS, `FAILED-reflow-${p.slug}-320.png`), fullPage: true });
      }
    } catch (e) {
      problems.push(`${p.path}: ${e.message.split('\n')[0]}`);
    }
  }
  check(problems.length === 0, () => problems.join('\n'));
});

test(
  'screenshots',
  async (t) => {
    const pages = await bilingualPages(t.browser);
    const problems = [];
    let saved = 0;
    for (const width of [360, 1280]) {
      const page = await t.newPage({ viewport: { width, height: width < 600 ? 740 : 800 } });
      for (const p of pages) {
        try {
          await open(page, p.path, p.status);
        } catch (e) {
          problems.push(`${p.path} at ${width} px: ${e.message.split('\n')[0]}`);
        }
        try {
          await page.screenshot({ path: path.join(ARTEFACTS, `${p.slug}-${p.lang}-${width}.png`), fullPage: true });
          saved++;
        } catch (e) {
          problems.push(`${p.path} at ${width} px: screenshot failed: ${e.message.split('\n')[0]}`);
        }
      }
    }
    console.log(`  ${saved} screenshots in ${ARTEFACTS}`);
    check(problems.length === 0, () => problems.join('\n'));
  },
  { timeoutMs: 600_000 },
);

// The home, search and dataset pages, for the header and network checks.
async function corePages() {
  const d = await csvDataset();
  return ['/', '/dataset?q=dan+so', `/dataset/${d.name}`];
}

test('security headers on a page', async (t) => {
  const page = await t.newPage();
  const res = await open(page, '/');
  const h = await res.allHeaders();
  const csp = h['content-security-policy'];
  check(csp, 'no content-security-policy header on /');
  check(!csp.includes('unsafe-inline'), `content-security-policy allows unsafe-inline: ${csp}`);
  check(/frame-ancestors\s+'none'/.test(csp), `content-security-policy has no frame-ancestors 'none': ${csp}`);
  eq((h['x-content-type-options'] || '').trim().toLowerCase(), 'nosniff', 'x-content-type-options');
  check((h['referrer-policy'] || '').trim(), 'no referrer-policy header on /');

  const violations = [];
  const ctx = page.context();
  // Belt and braces: the DOM's own violation events, besides the console messages.
  await ctx.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content Security Policy violation (event): ${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  const p2 = await ctx.newPage();
  p2.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) violations.push(`${rel(p2.url())}: ${msg.text()}`);
  });
  for (const p of await corePages()) {
    await open(p2, p);
    await p2.waitForLoadState('networkidle').catch(() => {});
  }
  check(violations.length === 0, () => `CSP violations:\n  ${violations.join('\n  ')}`);
});

test('no third-party requests', async (t) => {
  const page = await t.newPage();
  const foreign = [];
  page.on('request', (req) => {
    const u = req.url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    let origin = null;
    try {
      origin = new URL(u).origin;
    } catch {}
    if (origin !== ORIGIN) foreign.push(`${rel(page.url())} → ${u}`);
  });
  let requests = 0;
  page.on('request', () => requests++);
  for (const p of await corePages()) {
    await open(page, p);
    await page.waitForLoadState('networkidle').catch(() => {});
  }
  check(requests > 0, 'no request was seen');
  check(foreign.length === 0, () => `requests outside ${ORIGIN}:\n  ${foreign.join('\n  ')}`);
});

// --- the runner ------------------------------------------------------------------------------

function slugify(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

async function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Failure(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function main() {
  mkdirSync(ARTEFACTS, { recursive: true });
  // Remove what an earlier run left, by this runner's own file names only.
  for (const f of readdirSync(ARTEFACTS)) {
    if (/^(FAILED-.*|.*-(vi|en)-(360|1280))\.png$|^axe-report\.json$/.test(f)) rmSync(path.join(ARTEFACTS, f));
  }

  const selected = FILTERS.length ? tests.filter((x) => FILTERS.some((f) => x.name.includes(f))) : tests;
  if (selected.length === 0) {
    console.error(`no test name contains ${FILTERS.map((f) => JSON.stringify(f)).join(' or ')}`);
    process.exit(2);
  }

  let browser = await chromium.launch(LAUNCH);
  console.log(`chromium ${browser.version()} against ${BASE}; artefacts in ${ARTEFACTS}\n`);

  let passed = 0;
  const failed = [];
  for (const { name, fn, timeoutMs } of selected) {
    if (!browser.isConnected()) browser = await chromium.launch(LAUNCH);
    const contexts = [];
    const pages = [];
    const t = {
      browser,
      async newPage(options = {}) {
        const context = await browser.newContext({ ...CONTEXT, ...options });
        context.setDefaultTimeout(15_000);
        context.setDefaultNavigationTimeout(30_000);
        contexts.push(context);
        const page = await context.newPage();
        pages.push(page);
        context.on('page', (p) => pages.push(p));
        return page;
      },
    };
    const started = Date.now();
    try {
      await withTimeout(fn(t), timeoutMs, name);
      passed++;
      console.log(`PASS  ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed.push(name);
      const message = e instanceof Failure ? e.message : e.stack || String(e);
      console.log(`FAIL  ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n    ${message.replace(/\n/g, '\n    ')}`);
      const last = pages.filter((p) => !p.isClosed()).pop();
      if (last) {
        const shot = path.join(ARTEFACTS, `FAILED-${slugify(name)}.png`);
        await last
          .screenshot({ path: shot, fullPage: true, timeout: 10_000 })
          .then(() => console.log(`    page at failure: ${rel(last.url())} → ${shot}`))
          .catch(() => {});
      }
    } finally {
      for (const c of contexts) await c.close().catch(() => {});
    }
  }
  await browser.close().catch(() => {});

  console.log('');
  if (failed.length) console.log(`failed:\n  ${failed.join('\n  ')}\n`);
  console.log(`${passed} passed, ${failed.length} failed`);
  process.exit(failed.length ? 1 : 0);
}

// A test that timed out may still have work in flight; what it throws later is not a new failure.
process.on('unhandledRejection', (e) => {
  console.log(`    (late error, ignored: ${String(e && e.message ? e.message : e).split('\n')[0]})`);
});

main().catch((e) => {
  console.error(e.stack || String(e));
  console.log('0 passed, 1 failed');
  process.exit(1);
});
