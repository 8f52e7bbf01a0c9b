// Opens story pages in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) and checks what a reader would see: the sections are there, every chart is
// drawn, no two labels of a chart overlap, and no label spills out of its chart. Saves a
// screenshot of each page (PNG) beside it, or where --screenshot says for the first.
//   node check_page.mjs page.html [more.html …] [--screenshot out.png]
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const shotAt = args.indexOf('--screenshot');
const screenshot = shotAt >= 0 ? args.splice(shotAt, 2)[1] : null;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failures = 0;
for (const [i, file] of args.entries()) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('requestfailed', (r) => errors.push('request failed: ' + r.url()));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) errors.push('the page fetched ' + r.url());
  });
  await page.goto('file://' + file);
  const report = await page.evaluate(() => {
    const problems = [];
    for (const id of ['summary', 'findings', 'recommendations', 'statistics']) {
      if (!document.getElementById(id)) problems.push('no section #' + id);
    }
    if (!document.querySelector('h1')?.textContent.trim()) problems.push('no title');
    const svgs = [...document.querySelectorAll('figure svg')];
    for (const [n, svg] of svgs.entries()) {
      const box = svg.getBoundingClientRect();
      if (box.width < 100 || box.height < 50) problems.push(`chart ${n} is not drawn`);
      const marks = svg.querySelectorAll('path, rect, circle, line');
      if (marks.length < 2) problems.push(`chart ${n} has no marks`);
      const texts = [...svg.querySelectorAll('text')]
        .map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }))
        .filter((t) => t.text.trim() !== '');
      for (const t of texts) {
        if (t.r.left < box.left - 1 || t.r.right > box.right + 1 || t.r.top < box.top - 1 ||
            t.r.bottom > box.bottom + 1) {
          problems.push(`chart ${n}: "${t.text}" spills out of the chart`);
        }
      }
      for (let a = 0; a < texts.length; a++) {
        for (let b = a + 1; b < texts.length; b++) {
          const p = texts[a].r, q = texts[b].r;
          const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
          const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
          if (w > 1 && h > 1) {
            problems.push(`chart ${n}: "${texts[a].text}" overlaps "${texts[b].text}"`);
          }
        }
      }
    }
    return { problems, charts: svgs.length,
             findings: document.querySelectorAll('article.finding').length };
  });
  const problems = [...errors, ...report.problems];
  if (i === 0 && screenshot) {
    // The README's picture: the top of the page, as a reader first sees it.
    await page.setViewportSize({ width: 1280, height: 1500 });
    await page.screenshot({ path: screenshot });
  } else {
    await page.screenshot({ path: file.replace(/\.html$/, '') + '.png', fullPage: true });
  }
  await page.emulateMedia({ media: 'print' });
  await page.pdf({ path: file.replace(/\.html$/, '') + '.pdf' });  // print layout renders
  console.log(`${problems.length ? 'FAIL' : 'ok  '} ${file}: ${report.findings} findings, ` +
              `${report.charts} charts${problems.length ? '\n  ' + problems.join('\n  ') : ''}`);
  if (problems.length) failures++;
  await page.close();
}
await browser.close();
process.exit(failures ? 1 : 0);
