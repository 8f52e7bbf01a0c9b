// A story: the narratives, each finding beside its chart, the statistics and the alerts; and
// what its owner can do with it (export, tell again for another audience, share, delete).
import {capital, go, messageOf, toast} from '../app.js';
import {call} from '../api.js';
import {bytes, date, fill, h, number, scrollBox, svgElement} from '../dom.js';

export async function storyView(main, storyId) {
  const base = `/api/v1/stories/${storyId}`;
  const [story, {charts}] = await Promise.all([call('GET', base), call('GET', `${base}/charts`)]);
  const owner = ownerParts(story, base);
  fill(main, h('article', {class: 'card'},
      h('div', {class: 'row spread'}, h('h1', {id: 'story-title'}, story.title), owner.badge),
      storyParts(story, charts), owner.panel));
}

// The story itself, as the owner and a share link's reader see it.
export function storyParts(story, charts) {
  const svgs = new Map(charts.map((c) => [c.id, c.svg]));
  const chartsById = new Map(story.charts.map((c) => [c.id, c]));
  const insights = new Map(story.insights.map((i) => [i.id, i]));
  const d = story.dataset;
  const parts = [
    h('p', {class: 'muted'}, `${d.originalFilename}: ${number(d.rowCount)} rows, ` +
        `${number(d.columnCount)} columns, ${bytes(d.fileSize)}. Told for ` +
        `${story.audienceLevel === 'technical' ? 'a technical' : story.audienceLevel === 'general'
          ? 'a general' : 'an executive'} audience${story.createdAt ? ` on ${date(story.createdAt)}` : ''}.`),
    h('h2', {}, 'Summary'),
    story.audienceLevel === 'executive' && story.keyFigures?.length
      ? h('dl', {class: 'keyfigures'}, story.keyFigures.map((f) =>
        h('div', {}, h('dt', {}, f.label), h('dd', {}, f.text))))
      : null,
    h('div', {class: 'narrative'}, paragraphs(story.narratives.summary)),
  ];
  if (story.findings.length) {
    parts.push(h('h2', {}, 'Key findings'));
    story.findings.forEach((f, i) => {
      const chart = chartsById.get(f.chartId);
      const insight = insights.get(f.insightId);
      const svg = chart && svgs.get(chart.id) ? svgElement(svgs.get(chart.id)) : null;
      parts.push(h('section', {class: 'finding', 'aria-labelledby': `finding-${i}`},
          h('div', {}, h('h3', {id: `finding-${i}`}, f.headline),
              insight && insight.method ? h('p', {class: 'muted'}, method(insight)) : null),
          svg ? h('figure', {class: 'chart'}, svg,
              h('figcaption', {}, `${chart.title}. ${f.headline}`)) : h('div')));
    });
  }
  if (story.recommendations.length) {
    parts.push(h('h2', {}, 'Recommendations'),
        h('ul', {}, story.recommendations.map((r) => h('li', {}, r.text))));
  }
  parts.push(statistics(story));
  return parts;
}

function paragraphs(text) {
  return (text || '').split(/\n+/).filter(Boolean).map((line) => h('p', {}, line));
}

function method(insight) {
  const q = insight.qValue;
  if (typeof q !== 'number') return insight.method;
  return `${insight.method}; ${q < 0.001 ? 'q < 0.001' : `q = ${q.toFixed(3)}`}`;
}

function statistics(story) {
  const stats = story.statistics || {};
  const numeric = (stats.distributions || []).filter((d) => typeof d.mean === 'number' ||
      typeof d.median === 'number');
  const details = h('details', {class: 'statistics'}, h('summary', {}, 'Statistics and data notes'));
  if (numeric.length) {
    details.append(scrollBox('Numeric columns', h('table', {},
        h('caption', {class: 'muted'}, 'Numeric columns'),
        h('thead', {}, h('tr', {}, ['Column', 'Count', 'Missing', 'Min', 'Median', 'Max']
            .map((t, i) => h('th', {scope: 'col', class: i ? 'num' : null}, t)))),
        h('tbody', {}, numeric.map((d) => h('tr', {}, h('th', {scope: 'row'}, d.column),
            [d.count, d.missing, d.min, d.median, d.max].map((v) =>
              h('td', {class: 'num'}, number(v)))))))));
  }
  const correlations = (stats.correlations || []).filter((c) => typeof c.value === 'number');
  if (correlations.length) {
    details.append(h('h3', {}, 'Correlations'), h('ul', {}, correlations.map((c) =>
      h('li', {}, `${c.columns.join(' and ')}: r = ${c.value.toFixed(2)} (${c.method}, n = ` +
          `${number(c.n)})`))));
  }
  const alerts = story.alerts || [];
  details.append(h('h3', {}, 'Data notes'), alerts.length
      ? h('ul', {}, alerts.map((a) => h('li', {}, a.message || `${a.type}: ${a.column}`)))
      : h('p', {}, 'Nothing to note.'));
  return details;
}

// The owner's controls: export, tell again, share, delete.
function ownerParts(story, base) {
  const badge = h('span', {class: `badge ${story.visibility}`, id: 'visibility-badge'},
      story.visibility === 'public' ? 'Public' : 'Private');
  const share = h('div', {id: 'share'});
  const drawShare = (s) => {
    badge.className = `badge ${s.visibility}`;
    badge.textContent = s.visibility === 'public' ? 'Public' : 'Private';
    const toggle = h('button', {type: 'button', id: 'visibility', class: 'secondary',
      onclick: async () => {
        toggle.disabled = true;
        try {
          const next = s.visibility === 'public' ? 'private' : 'public';
          const changed = await call('PATCH', base, {visibility: next});
          drawShare(changed);
          toast(next === 'public' ? 'The story is public: anyone with the link can read it.'
              : 'The story is private: its link no longer works.');
        } catch (e) {
          toast(messageOf(e));
          toggle.disabled = false;
        }
      }}, s.visibility === 'public' ? 'Make private' : 'Make public');
    if (s.visibility !== 'public') {
      fill(share, h('p', {}, 'Only you can read this story.'), toggle);
      return;
    }
    const link = h('input', {id: 'share-link', type: 'text', readonly: true, value: s.shareUrl,
      'aria-label': 'Share link'});
    fill(share, h('p', {}, 'Anyone with this link can read the story, without an account:'),
        h('div', {class: 'share'}, link, h('button', {type: 'button', class: 'secondary',
          onclick: async () => {
            link.select();
            try {
              await navigator.clipboard.writeText(s.shareUrl);
              toast('Link copied.');
            } catch {
              toast('Select the link and copy it.');
            }
          }}, 'Copy link')), toggle);
  };
  drawShare(story);

  const audience = h('select', {id: 'retell-audience'},
      ['executive', 'technical', 'general'].filter((a) => a !== story.audienceLevel)
          .map((a) => h('option', {value: a}, capital(a))));
  const retell = h('button', {type: 'button', class: 'secondary', onclick: async () => {
    retell.disabled = true;
    try {
      const {job} = await call('GET', `/api/v1/jobs/${story.jobId}`);
      const started = await call('POST', '/api/v1/stories', {uploadId: job.options.uploadId,
        audienceLevel: audience.value, title: story.title, overrides: job.options.overrides});
      go(`/jobs/${started.job.id}`);
    } catch (e) {
      toast(messageOf(e));
      retell.disabled = false;
    }
  }}, 'Tell it again');

  const confirmBox = h('div', {'aria-live': 'polite'});
  const remove = h('button', {type: 'button', class: 'danger', onclick: () => {
    const yes = h('button', {type: 'button', class: 'danger', id: 'confirm-delete',
      onclick: async () => {
        yes.disabled = true;
        try {
          await call('DELETE', base);
          toast('The story was deleted.');
          go('/stories');
        } catch (e) {
          toast(messageOf(e));
          yes.disabled = false;
        }
      }}, 'Delete for good');
    fill(confirmBox, h('p', {class: 'notice'}, 'Delete this story? It cannot be undone.'),
        h('div', {class: 'actions'}, yes, h('button', {type: 'button', class: 'secondary',
          onclick: () => {
            fill(confirmBox);
            remove.focus();
          }}, 'Keep it')));
    yes.focus();
  }}, 'Delete');

  const exports = ['html', 'md', 'json'].map((f) => h('a', {class: 'button secondary',
    href: `${base}/export?format=${f}`, download: ''},
  {html: 'Download HTML', md: 'Download Markdown', json: 'Download JSON'}[f]));
  const panel = h('section', {class: 'no-print', 'aria-labelledby': 'manage'},
      h('h2', {id: 'manage'}, 'Share and export'), share,
      h('div', {class: 'actions'}, exports),
      story.jobId ? h('div', {class: 'actions retell'},
          h('label', {for: 'retell-audience'}, 'Tell it again for another audience:'), audience,
          retell) : null,
      h('div', {class: 'actions'}, remove), confirmBox);
  return {badge, panel};
}
