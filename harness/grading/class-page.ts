/**
 * The class page, index.html in the output folder: the score distribution (an inline SVG histogram), the pass rate of
 * each criterion, one row per graded student linking their feedback page with PASS/FAIL per criterion, and apart from
 * them the submissions in error (the harness failed, the module did not build) and the folders not graded, each with
 * its reason. Everything a student could have influenced (ids, compiler output, messages) is escaped and bounded.
 */
import { escapeXml } from '../signals/xml.js';
import { MARK_STYLE, markHtml, passOrFail } from './marks.js';
import { headline } from './reports.js';
import type { SubmissionResult } from './results.js';
import type { Assignment } from './rubric.js';
import { histogramSvg } from './score-histogram.js';
import type { RefusedFolder } from './submissions.js';

export interface ClassPageLinks {
  /** Similarity report: its file name and how many pairs it flags, or why there is none. */
  readonly similarity?: { readonly href: string; readonly flagged: number; readonly compared: number } | { readonly error: string };
  /** Other outputs worth a link (grades.csv, the LMS exports), by label. */
  readonly files?: ReadonlyArray<{ readonly label: string; readonly href: string }>;
}

const REASON_CHARS = 300;

const bounded = (text: string, chars = REASON_CHARS): string => {
  const line = text.split('\n')[0] ?? '';
  return line.length > chars ? `${line.slice(0, chars - 1)}…` : line;
};

/** A path segment for a link; student ids are already restricted to safe characters, this keeps it so. */
const href = (student: string): string => `feedback/${encodeURIComponent(student)}.html`;

/** In error: no grade from the harness, or no module to grade. */
export function inError(result: SubmissionResult): boolean {
  return result.status === 'error' || !result.build.ok;
}

export interface CriterionRate {
  readonly id: string;
  readonly name: string;
  readonly points: number;
  readonly passed: number;
  readonly of: number;
}

/** Per criterion, how many of the submissions that were graded and built passed it. */
export function criterionRates(results: readonly SubmissionResult[], assignment: Assignment<unknown>): CriterionRate[] {
  const judged = results.filter((r) => !inError(r));
  return assignment.criteria.map((c) => ({
    id: c.id, name: c.name, points: c.points, of: judged.length,
    passed: judged.filter((r) => r.criteria.find((x) => x.id === c.id)?.passed).length,
  }));
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return 0;
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const STYLE = 'body{font:14px sans-serif;max-width:1300px;margin:2em auto;padding:0 1em;color:#24292f}h2{margin-top:1.6em}table{border-collapse:collapse}'
  + 'td,th{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;vertical-align:top}td.num,th.num{text-align:right;white-space:nowrap}td.id{white-space:nowrap}'
  + '.rate{display:inline-block;height:.8em;background:#1a7f37;vertical-align:middle}.rate-bg{display:inline-block;width:120px;background:#ffebe9;margin-right:.5em}'
  + '.reason{color:#57606a}.summary span{margin-right:1.5em}svg{max-width:100%;height:auto}' + MARK_STYLE;

export function classPageHtml(
  results: readonly SubmissionResult[],
  assignment: Assignment<unknown>,
  max: number,
  refused: readonly RefusedFolder[],
  links: ClassPageLinks = {},
): string {
  const graded = results.filter((r) => !inError(r));
  const failedBuilds = results.filter((r) => r.status === 'graded' && !r.build.ok);
  const harnessErrors = results.filter((r) => r.status === 'error');
  // Did-not-build is a grade (zero) the student earned: it is in the distribution, only its row is listed apart.
  const scores = results.filter((r) => r.status === 'graded').map((r) => r.score);
  const body: string[] = [`<h1>${escapeXml(`${assignment.name}: ${assignment.title}`)}</h1>`];
  body.push(
    '<p class="summary">'
      + `<span>${results.length} submissions</span><span>${graded.length} graded</span>`
      + `<span>${failedBuilds.length} did not build</span><span>${harnessErrors.length} harness errors</span>`
      + (refused.length ? `<span>${refused.length} folders not graded</span>` : '')
      + (scores.length ? `<span>median ${median(scores)} / ${max}</span><span>mean ${(scores.reduce((a, b) => a + b, 0) / scores.length).toFixed(1)} / ${max}</span>` : '')
      + '</p>',
  );
  const similarity = links.similarity;
  if (similarity && 'href' in similarity) {
    body.push(`<p class="similarity-link"><a href="${escapeXml(similarity.href)}">Similarity report</a>: ${similarity.flagged} pair${similarity.flagged === 1 ? '' : 's'} flagged among ${similarity.compared} submissions (a reason to look, never a change of grade).</p>`);
  } else if (similarity) {
    body.push(`<p class="similarity-link">No similarity report: ${escapeXml(bounded(similarity.error))}</p>`);
  }
  if (links.files?.length) body.push(`<p class="files">Files: ${links.files.map((f) => `<a href="${escapeXml(f.href)}">${escapeXml(f.label)}</a>`).join(' · ')}</p>`);

  body.push('<h2>Score distribution</h2>', scores.length ? histogramSvg(scores, max) : '<p>No grades yet.</p>');

  body.push('<h2>Pass rate per criterion</h2>', `<p>Of the ${graded.length} submissions that built and were graded.</p>`);
  body.push('<table class="rates"><tr><th>Criterion</th><th class="num">Points</th><th class="num">Passed</th><th>Rate</th></tr>');
  for (const rate of criterionRates(results, assignment)) {
    const share = rate.of ? rate.passed / rate.of : 0;
    body.push(`<tr class="criterion-rate" data-criterion="${escapeXml(rate.id)}" data-passed="${rate.passed}" data-of="${rate.of}"><td>${escapeXml(rate.name)}</td><td class="num">${rate.points}</td><td class="num">${rate.passed} / ${rate.of}</td>`
      + `<td><span class="rate-bg"><span class="rate" style="width:${(share * 100).toFixed(0)}%"></span></span>${(share * 100).toFixed(0)} %</td></tr>`);
  }
  body.push('</table>');

  body.push('<h2>Students</h2>');
  if (!graded.length) body.push('<p>No submission built and was graded.</p>');
  else {
    const head = assignment.criteria.map((c) => `<th title="${escapeXml(c.name)}">${escapeXml(c.id)}</th>`).join('');
    body.push(`<table class="students"><tr><th>Student</th><th class="num">Score</th>${head}<th>First reason for lost points</th></tr>`);
    for (const r of graded) {
      const marks = assignment.criteria.map((c) => `<td>${markHtml(passOrFail(r.criteria.find((x) => x.id === c.id)?.passed ?? false))}</td>`).join('');
      body.push(`<tr class="student" data-student="${escapeXml(r.student)}" data-score="${r.score}"><td class="id"><a href="${escapeXml(href(r.student))}">${escapeXml(r.student)}</a></td><td class="num">${r.score} / ${r.max}</td>${marks}<td class="reason">${escapeXml(bounded(headline(r)))}</td></tr>`);
    }
    body.push('</table>');
  }

  body.push('<h2>Submissions in error</h2>');
  if (!harnessErrors.length && !failedBuilds.length && !refused.length) body.push('<p>None.</p>');
  else {
    body.push('<table class="errors"><tr><th>Student</th><th>Kind</th><th>Grade</th><th>Reason</th></tr>');
    for (const r of harnessErrors) {
      body.push(`<tr class="in-error" data-student="${escapeXml(r.student)}" data-kind="harness-error"><td><a href="${escapeXml(href(r.student))}">${escapeXml(r.student)}</a></td><td>${markHtml('error')} harness error</td><td>none: grade again</td><td class="reason">${escapeXml(bounded(r.error ?? 'the harness failed'))}</td></tr>`);
    }
    for (const r of failedBuilds) {
      body.push(`<tr class="in-error" data-student="${escapeXml(r.student)}" data-kind="did-not-build"><td><a href="${escapeXml(href(r.student))}">${escapeXml(r.student)}</a></td><td>${markHtml('fail')} did not build</td><td>${r.score} / ${r.max}</td><td class="reason">${escapeXml(bounded(headline(r)))}</td></tr>`);
    }
    for (const f of refused) {
      body.push(`<tr class="in-error" data-kind="not-graded"><td>${escapeXml(JSON.stringify(bounded(f.folder, 80)))}</td><td>${markHtml('error')} not graded</td><td>none</td><td class="reason">${escapeXml(f.reason)}</td></tr>`);
    }
    body.push('</table>');
  }
  body.push(`<footer><p>Written ${escapeXml(new Date().toISOString())} by pinrig.</p></footer>`);
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(`${assignment.name}: class results`)}</title><style>${STYLE}</style></head>\n<body>\n${body.join('\n')}\n</body></html>\n`;
}
