// The story list: newest first, a page at a time.
import {call} from '../api.js';
import {bytes, date, fill, h, number, scrollBox} from '../dom.js';

const kPage = 20;

export async function storiesView(main) {
  const list = scrollBox('Stories');
  const more = h('div', {class: 'actions'});
  fill(main, h('div', {class: 'row spread'}, h('h1', {}, 'Your stories'),
      h('a', {class: 'button', href: '#/new'}, 'New story')), list, more);
  const rows = [];
  const load = async (cursor) => {
    const page = await call('GET',
        `/api/v1/stories?limit=${kPage}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    rows.push(...page.stories.map(row));
    if (!rows.length) {
      fill(list, h('div', {class: 'card'},
          h('p', {}, 'No stories yet. Upload a CSV file — sales, web traffic, survey answers — ' +
              'check what was read, and DataStory writes its story: a summary, the key ' +
              'findings with their charts, and recommendations.'),
          h('a', {class: 'button', href: '#/new'}, 'Tell your first story')));
    } else {
      fill(list, h('table', {},
          h('caption', {class: 'muted'}, `${rows.length} ${rows.length === 1 ? 'story' : 'stories'}` +
              (page.nextCursor ? ' shown, more below' : '')),
          h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Title'),
              h('th', {scope: 'col', class: 'wide-only'}, 'Dataset'),
              h('th', {scope: 'col', class: 'num wide-only'}, 'Rows'),
              h('th', {scope: 'col'}, 'Made'), h('th', {scope: 'col'}, 'Visibility'))),
          h('tbody', {}, rows)));
    }
    fill(more, page.nextCursor
        ? h('button', {type: 'button', class: 'secondary', onclick: async (e) => {
            e.target.disabled = true;
            await load(page.nextCursor);
          }}, 'Show more')
        : null);
  };
  await load('');
}

function row(story) {
  return h('tr', {},
      h('td', {}, h('a', {href: `#/stories/${story.id}`}, story.title)),
      h('td', {class: 'wide-only'}, story.dataset.originalFilename,
          h('span', {class: 'muted'}, ` (${bytes(story.dataset.fileSize)})`)),
      h('td', {class: 'num wide-only'}, number(story.dataset.rowCount)),
      h('td', {}, date(story.createdAt)),
      h('td', {}, h('span', {class: `badge ${story.visibility}`}, story.visibility)));
}
