// Log in and sign up.
import {go, messageOf} from '../app.js';
import {ApiError, call} from '../api.js';
import {fill, h} from '../dom.js';

function form(main, {title, submit, passwordHint, remember, other, onSubmit}) {
  const email = h('input', {id: 'email', type: 'email', name: 'email', autocomplete: 'email',
    required: true});
  const password = h('input', {id: 'password', type: 'password', name: 'password', required: true,
    autocomplete: remember ? 'current-password' : 'new-password', minlength: remember ? null : 8,
    'aria-describedby': passwordHint ? 'password-hint' : null});
  const rememberMe = remember ? h('input', {id: 'remember', type: 'checkbox'}) : null;
  const message = h('p', {id: 'form-message', class: 'error', role: 'alert'});
  const button = h('button', {type: 'submit'}, submit);
  const element = h('form', {class: 'card narrow', novalidate: true},
      h('h1', {}, title),
      h('label', {for: 'email'}, 'Email'), email,
      h('label', {for: 'password'}, 'Password'), password,
      passwordHint ? h('p', {id: 'password-hint', class: 'muted'}, passwordHint) : null,
      rememberMe ? h('label', {class: 'check', for: 'remember'}, rememberMe, 'Keep me logged in')
                 : null,
      message,
      h('div', {class: 'actions'}, button),
      h('p', {}, other));
  element.addEventListener('submit', async (e) => {
    e.preventDefault();
    message.textContent = '';
    if (!email.value || !email.checkValidity()) {
      message.textContent = 'Enter your email address.';
      return email.focus();
    }
    if (!password.value) {
      message.textContent = 'Enter a password.';
      return password.focus();
    }
    button.disabled = true;
    try {
      await onSubmit(email.value, password.value, rememberMe?.checked ?? false);
      go('/stories');  // which reads the new session
    } catch (error) {
      message.textContent = explain(error);
      password.focus();
    } finally {
      button.disabled = false;
    }
  });
  fill(main, element);
}

function explain(error) {
  if (!(error instanceof ApiError)) return messageOf(error);
  switch (error.code) {
    case 'INVALID_CREDENTIALS':
      return 'Wrong email or password.';
    case 'EMAIL_TAKEN':
      return 'An account with this email exists already. Log in instead.';
    default:
      return messageOf(error);  // throttled: says when to try again
  }
}

export function loginView(main) {
  form(main, {
    title: 'Log in', submit: 'Log in', remember: true,
    other: ['New here? ', h('a', {href: '#/register'}, 'Create an account')],
    onSubmit: (email, password, rememberMe) =>
      call('POST', '/api/v1/auth/login', {email, password, rememberMe}),
  });
}

export function registerView(main) {
  form(main, {
    title: 'Create your account', submit: 'Sign up',
    passwordHint: 'At least 8 characters. A few words you will remember work well.',
    other: ['Have an account? ', h('a', {href: '#/login'}, 'Log in')],
    onSubmit: (email, password) => call('POST', '/api/v1/auth/register', {email, password}),
  });
}
