// Compiles every Vega-Lite spec in the given story JSON files with vega-lite and renders it to
// SVG with vega (headless, no browser). Prints one line per chart; exits 1 on any error or
// warning, so a spec that compiles with complaints fails too.
import { readFileSync } from 'node:fs';
import * as vl from 'vega-lite';
import * as vega from 'vega';

let failures = 0;
let charts = 0;
for (const file of process.argv.slice(2)) {
  const story = JSON.parse(readFileSync(file, 'utf8'));
  for (const chart of story.charts) {
    charts++;
    const problems = [];
    const logger = {
      level() { return this; },
      error(...m) { problems.push('error: ' + m.join(' ')); return this; },
      warn(...m) { problems.push('warning: ' + m.join(' ')); return this; },
      info() { return this; },
      debug() { return this; },
    };
    try {
      const compiled = vl.compile(chart.vegaLite, { logger }).spec;
      const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
      const svg = await view.toSVG();
      if (!svg.startsWith('<svg')) problems.push('error: no SVG produced');
      if (!/<path|<rect|<line|<circle|<text/.test(svg)) problems.push('error: the SVG draws nothing');
      view.finalize();
    } catch (e) {
      problems.push('error: ' + e.message);
    }
    if (problems.length) {
      failures++;
      console.log(`FAIL ${file} ${chart.id} (${chart.type}): ${problems.join('; ')}`);
    }
  }
}
console.log(`${charts} charts checked, ${failures} failed`);
process.exit(failures || charts === 0 ? 1 : 0);
