// A new story in three steps: the file (uploaded with its progress), the preview (what was
// read, with the settings a person may change), and the job's live progress.
import {capital, go, messageOf, refreshSession, session, toast} from '../app.js';
import {ApiError, call, followJob, upload} from '../api.js';
import {bytes, fill, h, number, scrollBox} from '../dom.js';

const kTypes = ['integer', 'float', 'boolean', 'date', 'datetime', 'time', 'categorical', 'text',
  'identifier'];
const kAudiences = [['executive', 'Executive'], ['technical', 'Technical'],
  ['general', 'General']];
const kStages = ['queued', 'parsing', 'analyzing', 'charting', 'writing'];

// Step 1: the file.
export function newStoryView(main) {
  const limit = session.me.user.limits.maxUploadBytes;
  const {usage} = session.me;
  const input = h('input', {id: 'file', type: 'file', accept: '.csv,.tsv,.txt,text/csv',
    class: 'visually-hidden'});
  const status = h('div', {id: 'upload-status', 'aria-live': 'polite'});
  const drop = h('div', {class: 'drop'},
      h('p', {}, 'Drop a CSV file here, or'),
      input, h('label', {for: 'file', class: 'button'}, 'Choose a file'),
      h('p', {class: 'muted', id: 'limit'}, limit < 0 ? 'Any size.'
          : `Up to ${bytes(limit)} on the ${usage.tier} plan.`));
  const quota = usage.canCreateStory ? null : h('p', {class: 'notice'},
      `You have used this month's ${usage.limits.storiesPerMonth} stories. You can still ` +
      'upload and check a file; a new story can start next month, or on a larger plan.');
  fill(main, h('div', {class: 'card'}, h('h1', {}, 'New story'), quota, drop, status));

  const send = async (file) => {
    if (!file) return;
    if (limit >= 0 && file.size > limit) {
      fill(status, h('p', {class: 'problem', role: 'alert'},
          `${file.name} is ${bytes(file.size)}: over the ${usage.tier} plan's ${bytes(limit)}.`));
      return;
    }
    const bar = h('progress', {max: file.size, value: 0, 'aria-label': 'Upload progress'});
    const text = h('p', {}, `Uploading ${file.name}…`);
    fill(status, text, bar);
    try {
      const uploaded = await upload(file, (sent, total) => {
        bar.max = total;
        bar.value = sent;
        text.textContent = `Uploading ${file.name}: ${bytes(sent)} of ${bytes(total)}`;
      });
      go(`/uploads/${uploaded.id}`);
    } catch (error) {
      fill(status, h('p', {class: 'problem', role: 'alert'}, uploadProblem(error, file.name)));
      input.value = '';
    }
  };
  input.addEventListener('change', () => send(input.files[0]));
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    send(e.dataTransfer.files[0]);
  });
}

function uploadProblem(error, name) {
  if (error instanceof ApiError && error.code === 'NOT_CSV') {
    return `${name} is not a CSV file: ${error.message}. Save the sheet as CSV and try again.`;
  }
  return messageOf(error);
}

// Step 2: the preview, and the settings of the story.
export async function uploadView(main, uploadId) {
  const settings = {audienceLevel: 'executive', title: '', types: {}, time: '', delimiter: '',
    encoding: '', header: null};
  // Settings kept from a failed run of this upload, to be fixed rather than typed again.
  const kept = sessionStorage.getItem(`settings:${uploadId}`);
  if (kept) Object.assign(settings, JSON.parse(kept));
  let current = await call('POST', `/api/v1/uploads/${uploadId}/preview`,
      {overrides: overrides(settings)}).catch(() => call('GET', `/api/v1/uploads/${uploadId}`));
  const body = h('div');
  const message = h('div', {'aria-live': 'polite'});
  const reread = async () => {
    try {
      current = await call('POST', `/api/v1/uploads/${uploadId}/preview`,
          {overrides: overrides(settings)});
      fill(message);
      draw();
    } catch (error) {
      fill(message, h('p', {class: 'problem', role: 'alert'}, messageOf(error)));
    }
  };
  const draw = () => fill(body, previewParts(current, settings, reread));
  const startButton = h('button', {type: 'button', id: 'start'}, 'Tell the story');
  startButton.addEventListener('click', async () => {
    startButton.disabled = true;
    try {
      const started = await call('POST', '/api/v1/stories', {uploadId,
        audienceLevel: settings.audienceLevel, title: settings.title || undefined,
        overrides: overrides(settings)});
      sessionStorage.setItem(`settings:${uploadId}`, JSON.stringify(settings));
      go(`/jobs/${started.job.id}`);
    } catch (error) {
      fill(message, h('p', {class: 'problem', role: 'alert'}, startProblem(error)));
      startButton.disabled = false;
    }
  });
  const {usage} = session.me;
  fill(main, h('div', {class: 'card'},
      h('h1', {}, `Check what was read: ${current.filename}`),
      h('p', {class: 'muted'}, `${bytes(current.size)}. Nothing of this month's stories is ` +
          'used until you start the story.'),
      usage.canCreateStory ? null : h('p', {class: 'notice'},
          `This month's ${usage.limits.storiesPerMonth} stories are used: the story can start ` +
          'from the first of next month, or on a larger plan.'),
      body, message,
      h('div', {class: 'actions'}, startButton,
          h('a', {class: 'button secondary', href: '#/new'}, 'Choose another file'))));
  draw();
}

function startProblem(error) {
  if (error instanceof ApiError && error.code === 'QUOTA_EXCEEDED') {
    return `${capital(error.message)}. Stories count again from the first of next month; a ` +
        'larger plan allows more.';
  }
  return messageOf(error);
}

function overrides(s) {
  const out = {};
  if (Object.keys(s.types).length) out.types = s.types;
  if (s.time) out.time = s.time;
  if (s.delimiter) out.delimiter = s.delimiter;
  if (s.encoding) out.encoding = s.encoding;
  if (s.header !== null) out.header = s.header;
  return out;
}

function select(id, label, options, value, onChange, describedBy) {
  const element = h('select', {id, 'aria-describedby': describedBy || null},
      options.map(([v, text]) => h('option', {value: v, selected: v === value}, text)));
  element.addEventListener('change', () => onChange(element.value));
  return [h('label', {for: id}, label), element];
}

function previewParts(upload, settings, reread) {
  const p = upload.preview;
  const dialect = h('div', {class: 'grid-3'},
      h('div', {}, ...select('encoding', 'Encoding',
          [['', `Detected: ${p.encoding}`], ['utf-8', 'UTF-8'], ['windows-1252', 'Windows-1252 (Latin-1)'],
            ['utf-16le', 'UTF-16 LE'], ['utf-16be', 'UTF-16 BE']],
          settings.encoding, (v) => (settings.encoding = v, reread()), 'encoding-why'),
          h('p', {id: 'encoding-why', class: 'muted'}, p.encodingReason)),
      h('div', {}, ...select('delimiter', 'Delimiter',
          [['', `Detected: ${delimiterName(p.delimiter)}`], [',', 'Comma'], [';', 'Semicolon'],
            ['\\t', 'Tab'], ['|', 'Pipe']],
          settings.delimiter, (v) => (settings.delimiter = v, reread()))),
      h('div', {}, ...select('header', 'First row',
          [['', p.header ? 'Detected: column names' : 'Detected: data'], ['true', 'Column names'],
            ['false', 'Data']],
          settings.header === null ? '' : String(settings.header),
          (v) => (settings.header = v === '' ? null : v === 'true', reread()), 'header-why'),
          h('p', {id: 'header-why', class: 'muted'}, p.headerReason)));
  const rowsText = p.rowCountExact ? `${number(p.rowEstimate)} rows`
      : `about ${number(p.rowEstimate)} rows`;
  const columns = h('table', {},
      h('caption', {class: 'muted'}, `${p.columns.length} columns, ${rowsText}`),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Column'), h('th', {scope: 'col'}, 'Type'),
          h('th', {scope: 'col'}, 'Role'), h('th', {scope: 'col'}, 'Why'))),
      h('tbody', {}, p.columns.map((c, i) => {
        const id = `type-${i}`;
        const type = h('select', {id, 'aria-label': `Type of ${c.name}`},
            kTypes.map((t) => h('option', {value: t, selected: t === c.type}, t)));
        type.addEventListener('change', () => {
          settings.types[c.name] = type.value;
          reread();
        });
        return h('tr', {}, h('th', {scope: 'row'}, c.name), h('td', {}, type),
            h('td', {}, c.role + (c.unit ? ` (${c.unit})` : '')), h('td', {class: 'muted'}, c.reason));
      })));
  const timeChoices = [['', 'Chosen by DataStory'],
    ...p.columns.map((c) => [c.name, c.name])];
  const story = h('div', {class: 'grid-3'},
      h('div', {}, ...select('audience', 'Audience', kAudiences, settings.audienceLevel,
          (v) => (settings.audienceLevel = v), 'audience-why'),
          h('p', {id: 'audience-why', class: 'muted'},
              'Executive: the headline and what to do. Technical: with the statistics. ' +
              'General: plain words.')),
      h('div', {}, ...select('time', 'Time column', timeChoices, settings.time,
          (v) => (settings.time = v, reread()))),
      h('div', {}, h('label', {for: 'title'}, 'Title (optional)'),
          h('input', {id: 'title', type: 'text', maxlength: 200, value: settings.title,
            placeholder: 'Named after the file', oninput: (e) => (settings.title = e.target.value)})));
  const rows = h('table', {},
      h('caption', {class: 'muted'}, `The first ${p.rows.length} rows, as read`),
      h('thead', {}, h('tr', {}, p.columns.map((c) => h('th', {scope: 'col',
        class: ['integer', 'float'].includes(c.type) ? 'num' : null}, c.name)))),
      h('tbody', {}, p.rows.map((r) => h('tr', {}, r.map((v, i) => h('td', {
        class: ['integer', 'float'].includes(p.columns[i]?.type) ? 'num' : null}, v ?? ''))))));
  const problems = p.problems.length
      ? h('div', {class: 'notice'}, h('h3', {}, 'Problems found'),
          h('ul', {}, p.problems.map((x) => h('li', {}, `Line ${x.line}: ${x.detail}`))))
      : h('p', {class: 'muted'}, 'No problems found in the part read.');
  return [h('h2', {}, 'How the file was read'), dialect, problems,
    h('h2', {}, 'Columns'), scrollBox('Columns', columns),
    h('h2', {}, 'The story'), story,
    h('h2', {}, 'First rows'), scrollBox('First rows', rows)];
}

function delimiterName(d) {
  return {',': 'comma', ';': 'semicolon', '\\t': 'tab', '\t': 'tab', '|': 'pipe'}[d] || d;
}

// Step 3: the job's progress, live.
export async function jobView(main, jobId) {
  const {job} = await call('GET', `/api/v1/jobs/${jobId}`);
  const bar = h('progress', {max: 100, value: job.progress, id: 'job-progress',
    'aria-label': 'Story progress'});
  const stages = h('ol', {class: 'stages', 'aria-label': 'Stages'});
  const status = h('p', {id: 'job-status', 'aria-live': 'polite'});
  const actions = h('div', {class: 'actions'});
  fill(main, h('div', {class: 'card'}, h('h1', {}, 'Telling the story'), status, bar, stages,
      actions));
  const show = (j) => {
    bar.value = j.progress;
    const now = kStages.indexOf(j.stage === 'claimed' ? 'queued' : j.stage);
    fill(stages, kStages.map((s, i) => h('li', {
      class: j.status === 'completed' || i < now ? 'done' : i === now ? 'now' : ''}, capital(s))));
    if (j.status === 'completed') {
      status.textContent = 'Done: opening the story.';
      go(`/stories/${j.storyId}`);
    } else if (j.status === 'failed' || j.status === 'cancelled') {
      const uploadId = j.options?.uploadId;
      status.textContent = j.status === 'failed'
          ? `The story could not be made: ${j.error?.message || 'an unknown error'}.`
          : 'The story was cancelled.';
      status.className = 'problem';
      status.setAttribute('role', 'alert');
      refreshSession();
      fill(actions, uploadId
          ? h('a', {class: 'button', href: `#/uploads/${uploadId}`}, 'Change the settings and try again')
          : null, h('a', {class: 'button secondary', href: '#/new'}, 'Start over'));
    } else {
      status.textContent = `${capital(j.stage)}: ${j.progress}%`;
      fill(actions, h('button', {type: 'button', class: 'secondary', onclick: async () => {
        await call('POST', `/api/v1/jobs/${jobId}/cancel`).catch((e) => toast(messageOf(e)));
      }}, 'Cancel'));
    }
  };
  show(job);
  if (['completed', 'failed', 'cancelled'].includes(job.status)) return null;
  return followJob(jobId, show, () => toast('The progress stream stopped: reload to look again.'));
}
