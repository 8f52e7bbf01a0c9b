// The account: the plan and its usage, sessions, API tokens, the password, deleting it all.
import {go, messageOf, session, toast} from '../app.js';
import {call} from '../api.js';
import {bytes, dateTime, fill, h, number} from '../dom.js';

export async function accountView(main) {
  const {user, usage} = session.me;
  const sessions = h('div');
  const tokens = h('div');
  const rows = user.limits.maxRows < 0 ? 'any number of rows'
      : `up to ${number(user.limits.maxRows)} rows`;
  fill(main, h('div', {class: 'card'}, h('h1', {}, 'Your account'),
      h('p', {}, `${user.email}, on the ${user.tier} plan.`),
      h('h2', {}, 'This month'),
      h('p', {id: 'usage'}, usage.limits.storiesPerMonth < 0
          ? `${usage.storiesThisMonth} stories, no limit.`
          : `${usage.storiesThisMonth} of ${usage.limits.storiesPerMonth} stories. ` +
            (usage.canCreateStory ? 'Stories that fail or are cancelled do not count.'
                : 'The limit is reached: new stories can start next month. Uploads and ' +
                  'previews still work.')),
      h('p', {class: 'muted'}, `The plan takes files up to ${bytes(user.limits.maxUploadBytes)} ` +
          `with ${rows}.`),
      h('h2', {}, 'Where you are logged in'), sessions,
      h('h2', {}, 'API tokens'),
      h('p', {class: 'muted'}, 'For scripts: send Authorization: Bearer TOKEN.'), tokens,
      passwordForm(), deleteForm()));
  await Promise.all([drawSessions(sessions), drawTokens(tokens)]);
}

// "Chrome on Linux" from a User-Agent header: enough to tell one's sessions apart.
function browserName(agent) {
  if (!agent) return 'An unknown browser';
  const browser = /Edg\//.test(agent) ? 'Edge' : /Firefox\//.test(agent) ? 'Firefox'
      : /Chrome\//.test(agent) ? 'Chrome' : /Safari\//.test(agent) ? 'Safari'
      : /curl\//.test(agent) ? 'curl' : agent.split(/[ /]/)[0];
  const system = /Android/.test(agent) ? 'Android' : /iPhone|iPad/.test(agent) ? 'iOS'
      : /Windows/.test(agent) ? 'Windows' : /Mac OS X/.test(agent) ? 'macOS'
      : /Linux/.test(agent) ? 'Linux' : '';
  return system ? `${browser} on ${system}` : browser;
}

async function drawSessions(box) {
  const {sessions} = await call('GET', '/api/v1/me/sessions');
  fill(box, h('ul', {}, sessions.map((s) => h('li', {},
      h('span', {title: s.userAgent || null}, browserName(s.userAgent)),
      ` from ${s.ipAddress || 'an unknown address'}, since ${dateTime(s.createdAt)}`,
      s.current ? h('strong', {}, ' (this one)') : [' ', h('button', {type: 'button',
        class: 'link', onclick: async () => {
          await call('DELETE', `/api/v1/me/sessions/${s.id}`).catch((e) => toast(messageOf(e)));
          drawSessions(box);
        }}, 'Log it out')]))));
}

async function drawTokens(box) {
  const {tokens} = await call('GET', '/api/v1/me/tokens');
  const name = h('input', {id: 'token-name', type: 'text', maxlength: 100, required: true});
  const shown = h('div', {'aria-live': 'polite'});
  const form = h('form', {}, h('label', {for: 'token-name'}, 'Name of a new token'),
      h('div', {class: 'share'}, name, h('button', {type: 'submit'}, 'Create')), shown);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!name.value.trim()) return name.focus();
    try {
      const made = await call('POST', '/api/v1/me/tokens', {name: name.value.trim()});
      await drawTokens(box);
      const secret = h('input', {id: 'new-token', type: 'text', readonly: true, value: made.token,
        'aria-label': 'The new token'});
      box.querySelector('[aria-live]').replaceChildren(h('p', {class: 'notice'},
          'Copy the token now: it is shown only once.'), secret);
      secret.select();
    } catch (error) {
      fill(shown, h('p', {class: 'error', role: 'alert'}, messageOf(error)));
    }
  });
  fill(box, tokens.length
      ? h('ul', {}, tokens.map((t) => h('li', {}, `${t.name}: made ${dateTime(t.createdAt)}, ` +
          `expires ${dateTime(t.expiresAt)}` +
          (t.lastUsedAt ? `, last used ${dateTime(t.lastUsedAt)}` : ', never used'), ' ',
      h('button', {type: 'button', class: 'link', onclick: async () => {
        await call('DELETE', `/api/v1/me/tokens/${t.id}`).catch((e) => toast(messageOf(e)));
        drawTokens(box);
      }}, `Revoke ${t.name}`))))
      : h('p', {}, 'No tokens.'), form);
}

function passwordForm() {
  const current = h('input', {id: 'current-password', type: 'password',
    autocomplete: 'current-password', required: true});
  const next = h('input', {id: 'new-password', type: 'password', autocomplete: 'new-password',
    required: true});
  const message = h('p', {role: 'alert'});
  const form = h('form', {}, h('h2', {}, 'Change the password'),
      h('label', {for: 'current-password'}, 'Current password'), current,
      h('label', {for: 'new-password'}, 'New password'), next, message,
      h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Change the password')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await call('POST', '/api/v1/me/password', {currentPassword: current.value,
        newPassword: next.value});
      message.className = '';
      message.textContent = 'The password is changed. Every other session was logged out.';
      current.value = next.value = '';
    } catch (error) {
      message.className = 'error';
      message.textContent = messageOf(error);
    }
  });
  return form;
}

function deleteForm() {
  const password = h('input', {id: 'delete-password', type: 'password',
    autocomplete: 'current-password', required: true});
  const message = h('p', {class: 'error', role: 'alert'});
  const form = h('form', {}, h('h2', {}, 'Delete the account'),
      h('p', {}, 'Your stories, uploads and files are deleted with it. This cannot be undone.'),
      h('label', {for: 'delete-password'}, 'Your password, to confirm'), password, message,
      h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'danger'},
          'Delete my account')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await call('DELETE', '/api/v1/me', {password: password.value});
      go('/register');
    } catch (error) {
      message.textContent = messageOf(error);
    }
  });
  return form;
}
