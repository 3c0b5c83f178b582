/**
 * The similarity report for the teacher, similarity.html beside the class page: the most similar pairs, those at or
 * above the threshold flagged, each with its matching fragments side by side. Everything from a student (ids, code)
 * is escaped; the page says plainly that a flag is a reason to look, not a finding, and that grades are unchanged.
 */
import { escapeXml } from '../signals/xml.js';
import type { SimilarityReport } from './similarity.js';

const percent = (x: number): string => `${(x * 100).toFixed(1)} %`;

export const SIMILARITY_STYLE = 'body{font:14px sans-serif;max-width:1300px;margin:2em auto;padding:0 1em;color:#24292f}table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;vertical-align:top}'
  + '.flag{color:#82071e;background:#ffebe9;border:1px solid #cf222e;border-radius:3px;padding:0 .35em;font-weight:bold;font-size:.85em}.below{color:#57606a}'
  + '.fragments{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:.5em;margin-bottom:1em}pre{background:#f6f8fa;padding:.5em;overflow:auto;margin:0;font-size:12px}.where{font-weight:bold;margin:.6em 0 .2em}';

export function similarityHtml(report: SimilarityReport, assignment: string): string {
  const body: string[] = [
    `<h1>Similarity: ${escapeXml(assignment)}</h1>`,
    `<p>${report.compared.length} submissions compared by ${escapeXml(report.tool)}. Pairs at or above ${percent(report.threshold)} are flagged for you to look at: `
      + `<strong>${report.flagged} flagged</strong>. A flag is a reason to read both submissions, not a finding; it changes no grade. `
      + 'Code every student was given (a template) and the assignment\'s own idioms make pairs similar too.</p>',
    '<p><a href="index.html">Back to the class page</a></p>',
  ];
  if (report.skipped.length) {
    body.push('<h2>Not compared</h2><ul>', ...report.skipped.map((s) => `<li>${escapeXml(s.student)}: ${escapeXml(s.reason)}</li>`), '</ul>');
  }
  if (!report.pairs.length) {
    body.push('<p>No pairs to show (fewer than two submissions with sources).</p>');
  } else {
    body.push('<h2>Most similar pairs</h2>', '<table class="pairs"><tr><th>#</th><th>Pair</th><th>Similarity</th><th>Longest match (k-grams)</th><th></th></tr>');
    report.pairs.forEach((p, i) => {
      const flag = p.flagged ? '<span class="flag">FLAGGED</span>' : '<span class="below">below threshold</span>';
      body.push(`<tr class="pair${p.flagged ? ' flagged' : ''}"><td>${i + 1}</td><td><a href="#pair-${i + 1}">${escapeXml(p.left)} – ${escapeXml(p.right)}</a></td><td>${percent(p.similarity)}</td><td>${p.longest}</td><td>${flag}</td></tr>`);
    });
    body.push('</table>');
    report.pairs.forEach((p, i) => {
      body.push(`<h3 id="pair-${i + 1}">${i + 1}. ${escapeXml(p.left)} – ${escapeXml(p.right)}: ${percent(p.similarity)}${p.flagged ? ' <span class="flag">FLAGGED</span>' : ''}</h3>`);
      if (!p.fragments.length) body.push('<p>No fragment long enough to show.</p>');
      for (const f of p.fragments) {
        const side = (who: string, e: typeof f.left) => `<div><div class="where">${escapeXml(who)}: ${escapeXml(e.file)} lines ${e.startLine}–${e.endLine}</div><pre>${escapeXml(e.text)}</pre></div>`;
        body.push(`<div class="fragments fragment" data-kgrams="${f.kgrams}">${side(p.left, f.left)}${side(p.right, f.right)}</div>`);
      }
    });
  }
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(`Similarity: ${assignment}`)}</title><style>${SIMILARITY_STYLE}</style></head>\n<body>\n${body.join('\n')}\n</body></html>\n`;
}
