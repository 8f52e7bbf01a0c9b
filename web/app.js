// The web UI: one page, its views chosen by the address's hash (#/stories/ID), so that the
// server has one file to serve and every view has an address a person can bookmark.
import {ApiError, call} from './api.js';
import {fill, focusHeading, h, number} from './dom.js';
import {accountView} from './views/account.js';
import {loginView, registerView} from './views/auth.js';
import {jobView, newStoryView, uploadView} from './views/new_story.js';
import {storyView} from './views/story.js';
import {storiesView} from './views/stories.js';

// The signed-in user and the month's usage ({user, usage}), or null.
export const session = {me: null};

const routes = [
  [/^\/login$/, loginView, {public: true}],
  [/^\/register$/, registerView, {public: true}],
  [/^\/?$/, storiesView],
  [/^\/stories$/, storiesView],
  [/^\/new$/, newStoryView],
  [/^\/uploads\/([\w-]+)$/, uploadView],
  [/^\/jobs\/([\w-]+)$/, jobView],
  [/^\/stories\/([\w-]+)$/, storyView],
  [/^\/account$/, accountView],
];

export function go(path) {
  if (location.hash === `#${path}`) render();
  else location.hash = path;
}

// Shows a short message that screen readers announce.
let toastTimer = 0;
export function toast(text) {
  const box = document.getElementById('toast');
  box.textContent = text;
  box.classList.add('shown');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove('shown'), 4000);
}

// The user and usage again (after a story starts or ends, a log-in, a log-out).
export async function refreshSession() {
  try {
    session.me = await call('GET', '/api/v1/me');
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
    session.me = null;
  }
  renderNav();
}

function renderNav() {
  const nav = document.getElementById('nav');
  const path = location.hash.slice(1) || '/';
  const link = (href, text) =>
    h('a', {href: `#${href}`, 'aria-current': path === href ? 'page' : null}, text);
  if (!session.me) {
    fill(nav, h('span', {class: 'grow'}), link('/login', 'Log in'), link('/register', 'Sign up'));
    return;
  }
  const {usage} = session.me;
  const limit = usage.limits.storiesPerMonth;
  const meter = limit < 0
    ? h('span', {class: 'meter'}, `${number(usage.storiesThisMonth)} stories this month`)
    : h('span', {class: 'meter'},
        h('meter', {min: 0, max: limit, value: usage.storiesThisMonth, id: 'usage-meter',
          'aria-label': 'Stories this month'}),
        ` ${usage.storiesThisMonth} of ${limit} stories this month`);
  fill(nav, link('/stories', 'Stories'), link('/new', 'New story'), h('span', {class: 'grow'}),
      meter, link('/account', 'Account'),
      h('button', {class: 'link', type: 'button', onclick: logOut}, 'Log out'));
}

async function logOut() {
  try {
    await call('POST', '/api/v1/auth/logout');
  } catch {
    // the session may have ended already: the page says logged out either way
  }
  session.me = null;
  renderNav();
  go('/login');
}

let current = null;  // the view's clean-up (an open progress stream), if any
let renders = 0;     // navigations so far: a view built for an older one is dropped

// Builds the view of the address into a box of its own and shows it only if no newer
// navigation came meanwhile (two views awaiting the server at once would otherwise finish in
// either order, the older last).
async function render() {
  const token = ++renders;
  const path = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
  const main = document.getElementById('main');
  if (current) current(), current = null;
  // The user and the month's usage as they are now: a story may have been started elsewhere
  // (another tab, a script), or the session may have ended.
  try {
    await refreshSession();
  } catch {
    // the server is away: the view says so when it asks
  }
  if (token !== renders) return;
  const box = h('div');
  let found = false;
  for (const [pattern, view, options = {}] of routes) {
    const match = path.match(pattern);
    if (!match) continue;
    found = true;
    if (!options.public && !session.me) return go('/login');
    if (options.public && session.me) return go('/stories');
    try {
      const cleanUp = await view(box, ...match.slice(1));
      if (token !== renders) {
        if (typeof cleanUp === 'function') cleanUp();
        return;
      }
      if (typeof cleanUp === 'function') current = cleanUp;
    } catch (e) {
      if (token !== renders) return;
      if (e instanceof ApiError && e.status === 401) {
        session.me = null;
        return go('/login');
      }
      fill(box, h('div', {class: 'card'}, h('h1', {}, 'Something went wrong'),
          h('p', {class: 'problem', role: 'alert'}, messageOf(e)),
          h('p', {}, h('a', {href: '#/stories'}, 'Back to your stories'))));
    }
    break;
  }
  if (!found) {
    fill(box, h('div', {class: 'card'}, h('h1', {}, 'No such page'),
        h('p', {}, h('a', {href: '#/stories'}, 'Back to your stories'))));
  }
  fill(main, box);
  focusHeading(main);
}

// What to tell a person about a failure.
export function messageOf(error) {
  if (error instanceof ApiError) {
    const wait = error.retryAfter ? ` Try again in ${waitText(error.retryAfter)}.` : '';
    return `${capital(error.message)}.${wait}`.replace(/\.\./g, '.');
  }
  return 'The server could not be reached. Check the connection and try again.';
}

export function waitText(seconds) {
  if (seconds < 90) return `${Math.ceil(seconds)} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

export function capital(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

async function start() {
  document.querySelector('.skip').addEventListener('click', (e) => {
    e.preventDefault();
    document.getElementById('main').focus();
  });
  window.addEventListener('hashchange', render);
  render();
}

start();
