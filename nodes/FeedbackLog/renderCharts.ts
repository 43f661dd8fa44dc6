/**
 * Two small charts for a metrics e-mail: override rate over time, and a reliability diagram
 * (observed approval rate per confidence bin against the diagonal of perfect calibration).
 * Plain strings, no library (n8n installs community packages with --ignore-scripts, so no native
 * image code), each in three forms, because no one form is seen everywhere:
 * - SVG, as files to attach: sharp in browsers, but Gmail and Outlook drop inline SVG, and n8n
 *   2.x does not preview image/svg+xml (only download it);
 * - HTML tables with inline-styled bars, for a mail's HTML body: what every mail client renders;
 * - text bars, for a plain-text body and for reading the item in n8n itself.
 * Every bar carries its count: a bin of 3 drafts at 100 % says little.
 */
import type { ReliabilityBin } from '../shared/calibration/calibration';

const WIDTH = 640;
const HEIGHT = 320;
const PAD = { left: 56, right: 16, top: 36, bottom: 48 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;

function escapeXml(text: string): string {
	return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

const x0 = PAD.left;
const y = (rate: number) => PAD.top + PLOT_H * (1 - rate);
const fmt = (n: number) => n.toFixed(1);

function frame(title: string, body: string, xLabel: string, yLabel: string): string {
	const grid = [0, 0.25, 0.5, 0.75, 1]
		.map(
			(rate) =>
				`<line x1="${x0}" x2="${x0 + PLOT_W}" y1="${fmt(y(rate))}" y2="${fmt(y(rate))}" stroke="#e5e7eb"/>` +
				`<text x="${x0 - 8}" y="${fmt(y(rate) + 4)}" text-anchor="end">${Math.round(rate * 100)}%</text>`,
		)
		.join('');
	return (
		`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
		`font-family="Helvetica, Arial, sans-serif" font-size="11" fill="#374151">` +
		`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>` +
		`<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>` +
		grid +
		`<line x1="${x0}" x2="${x0}" y1="${PAD.top}" y2="${PAD.top + PLOT_H}" stroke="#6b7280"/>` +
		`<line x1="${x0}" x2="${x0 + PLOT_W}" y1="${PAD.top + PLOT_H}" y2="${PAD.top + PLOT_H}" stroke="#6b7280"/>` +
		body +
		`<text x="${x0 + PLOT_W / 2}" y="${HEIGHT - 8}" text-anchor="middle">${escapeXml(xLabel)}</text>` +
		`<text transform="translate(14 ${PAD.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>` +
		`</svg>`
	);
}

export interface OverridePoint {
	bucketStart: string;
	reviewed: number;
	overrideRate: number | null;
}

export function renderOverrideRateChart(points: readonly OverridePoint[], title = 'Override rate over time'): string {
	const shown = points.filter((point) => point.overrideRate !== null);
	if (!shown.length) {
		return frame(title, `<text x="${x0 + PLOT_W / 2}" y="${PAD.top + PLOT_H / 2}" text-anchor="middle">No reviewed decisions in this window</text>`, 'time', 'override rate');
	}
	const step = shown.length > 1 ? PLOT_W / (shown.length - 1) : 0;
	const xAt = (index: number) => (shown.length > 1 ? x0 + index * step : x0 + PLOT_W / 2);
	const path = shown.map((point, index) => `${index ? 'L' : 'M'}${fmt(xAt(index))},${fmt(y(point.overrideRate as number))}`).join(' ');
	const labelEvery = Math.max(1, Math.ceil(shown.length / 8));
	const marks = shown
		.map((point, index) => {
			const label =
				index % labelEvery === 0
					? `<text x="${fmt(xAt(index))}" y="${PAD.top + PLOT_H + 16}" text-anchor="middle">${escapeXml(point.bucketStart.slice(0, 10))}</text>`
					: '';
			return (
				`<circle cx="${fmt(xAt(index))}" cy="${fmt(y(point.overrideRate as number))}" r="3" fill="#dc2626">` +
				`<title>${escapeXml(point.bucketStart)}: ${Math.round((point.overrideRate as number) * 100)}% of ${point.reviewed}</title></circle>` +
				label
			);
		})
		.join('');
	return frame(title, `<path d="${path}" fill="none" stroke="#dc2626" stroke-width="2"/>${marks}`, 'time', 'override rate');
}

export function renderReliabilityDiagram(bins: readonly ReliabilityBin[], title = 'Reliability diagram'): string {
	const xOf = (confidence: number) => x0 + PLOT_W * confidence;
	const diagonal = `<line x1="${fmt(xOf(0))}" y1="${fmt(y(0))}" x2="${fmt(xOf(1))}" y2="${fmt(y(1))}" stroke="#9ca3af" stroke-dasharray="4 4"/>`;
	const bars = bins
		.filter((bin) => bin.count > 0 && bin.accuracy !== null)
		.map((bin) => {
			const left = xOf(bin.lower) + 1;
			const width = xOf(bin.upper) - xOf(bin.lower) - 2;
			const top = y(bin.accuracy as number);
			return (
				`<rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(width)}" height="${fmt(PAD.top + PLOT_H - top)}" fill="#2563eb" fill-opacity="0.75">` +
				`<title>${Math.round(bin.lower * 100)}–${Math.round(bin.upper * 100)}%: ${bin.count} drafts, ` +
				`${Math.round((bin.accuracy as number) * 100)}% approved</title></rect>` +
				// the count above the bar (inside it when the bar reaches the top)
				`<text class="count" x="${fmt(left + width / 2)}" y="${fmt(top < PAD.top + 14 ? top + 12 : top - 4)}" text-anchor="middle"` +
				`${top < PAD.top + 14 ? ' fill="#ffffff"' : ''}>n=${bin.count}</text>`
			);
		})
		.join('');
	const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1]
		.map((c) => `<text x="${fmt(xOf(c))}" y="${PAD.top + PLOT_H + 16}" text-anchor="middle">${Math.round(c * 100)}%</text>`)
		.join('');
	return frame(title, bars + diagonal + ticks, 'model confidence (n = reviewed drafts in the bin)', 'approved unchanged');
}

const percent = (rate: number) => `${Math.round(rate * 100)}%`;
const binLabel = (bin: ReliabilityBin) => `${Math.round(bin.lower * 100)}–${Math.round(bin.upper * 100)}%`;

/** A bar of `width` characters, in eighths (█▉▊▋▌▍▎▏), for monospace text. */
function textBar(rate: number, width = 20): string {
	const eighths = Math.round(Math.max(0, Math.min(1, rate)) * width * 8);
	const partial = eighths % 8 ? '▏▎▍▌▋▊▉'[(eighths % 8) - 1] : '';
	return ('█'.repeat(Math.floor(eighths / 8)) + partial).padEnd(width, ' ');
}

export function renderReliabilityText(bins: readonly ReliabilityBin[], title = 'Reliability: share approved unchanged per confidence band'): string {
	const shown = bins.filter((bin) => bin.count > 0 && bin.accuracy !== null);
	if (!shown.length) return `${title}\n(no reviewed drafts in this window)`;
	const rows = shown.map(
		(bin) =>
			`${binLabel(bin).padEnd(9)} ${String(bin.count).padStart(6)}  ${textBar(bin.accuracy as number)} ${percent(bin.accuracy as number).padStart(4)}`,
	);
	return [title, `${'band'.padEnd(9)} ${'drafts'.padStart(6)}  approved unchanged`, ...rows].join('\n');
}

export function renderOverrideRateText(points: readonly OverridePoint[], title = 'Override rate (edited or rejected) over time'): string {
	const shown = points.filter((point) => point.overrideRate !== null);
	if (!shown.length) return `${title}\n(no reviewed decisions in this window)`;
	const rows = shown.map(
		(point) =>
			`${point.bucketStart.slice(0, 10).padEnd(10)} ${String(point.reviewed).padStart(8)}  ${textBar(point.overrideRate as number)} ${percent(point.overrideRate as number).padStart(4)}`,
	);
	return [title, `${'from'.padEnd(10)} ${'reviewed'.padStart(8)}  overridden`, ...rows].join('\n');
}

/** Mail-safe HTML: a table, inline styles only, bars as fixed-width cells (no CSS a client strips). */
function htmlBarTable(title: string, headers: [string, string, string], rows: { label: string; count: number; rate: number }[], empty: string): string {
	const cell = 'padding:2px 8px;font:13px Helvetica,Arial,sans-serif;color:#374151;';
	const head = headers.map((text) => `<th style="${cell}text-align:left;font-weight:bold">${escapeXml(text)}</th>`).join('');
	const body = rows.length
		? rows
				.map((row) => {
					const filled = Math.round(row.rate * 200);
					return (
						`<tr><td style="${cell}">${escapeXml(row.label)}</td><td style="${cell}text-align:right">${row.count}</td>` +
						`<td style="${cell}"><table role="presentation" cellpadding="0" cellspacing="0"><tr>` +
						(filled ? `<td style="background:#2563eb;width:${filled}px;height:12px"></td>` : '') +
						(filled < 200 ? `<td style="background:#e5e7eb;width:${200 - filled}px;height:12px"></td>` : '') +
						`</tr></table></td><td style="${cell}text-align:right">${percent(row.rate)}</td></tr>`
					);
				})
				.join('')
		: `<tr><td colspan="4" style="${cell}">${escapeXml(empty)}</td></tr>`;
	return (
		`<h3 style="font:bold 14px Helvetica,Arial,sans-serif;color:#111827;margin:16px 0 4px">${escapeXml(title)}</h3>` +
		`<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse"><tr>${head}<th></th></tr>${body}</table>`
	);
}

export function renderReliabilityHtml(bins: readonly ReliabilityBin[], title = 'Reliability: share approved unchanged per confidence band'): string {
	const rows = bins
		.filter((bin) => bin.count > 0 && bin.accuracy !== null)
		.map((bin) => ({ label: binLabel(bin), count: bin.count, rate: bin.accuracy as number }));
	return htmlBarTable(title, ['band', 'drafts', 'approved unchanged'], rows, 'No reviewed drafts in this window');
}

export function renderOverrideRateHtml(points: readonly OverridePoint[], title = 'Override rate (edited or rejected) over time'): string {
	const rows = points
		.filter((point) => point.overrideRate !== null)
		.map((point) => ({ label: point.bucketStart.slice(0, 10), count: point.reviewed, rate: point.overrideRate as number }));
	return htmlBarTable(title, ['from', 'reviewed', 'overridden'], rows, 'No reviewed decisions in this window');
}

/** One bar of the SLA chart: the share of a group's reviews answered within target, with its bounds. */
export interface SlaBar {
	label: string;
	judged: number;
	share: number | null;
	lowerBound: number | null;
	upperBound: number | null;
}

/**
 * Share answered within target per group (all reviews, then each priority), as bars with the
 * Wilson bounds as whiskers: a priority with 3 reviews at 100 % shows a long whisker.
 */
export function renderSlaChart(bars: readonly SlaBar[], title = 'Reviews answered within target'): string {
	const shown = bars.filter((bar) => bar.share !== null);
	if (!shown.length) {
		return frame(title, `<text x="${x0 + PLOT_W / 2}" y="${PAD.top + PLOT_H / 2}" text-anchor="middle">No review with a target passed in this window</text>`, 'priority', 'within target');
	}
	const slot = PLOT_W / shown.length;
	const width = Math.min(80, slot * 0.6);
	const body = shown
		.map((bar, index) => {
			const centre = x0 + slot * (index + 0.5);
			const top = y(bar.share as number);
			const low = y(bar.lowerBound as number);
			const high = y(bar.upperBound as number);
			return (
				`<rect x="${fmt(centre - width / 2)}" y="${fmt(top)}" width="${fmt(width)}" height="${fmt(PAD.top + PLOT_H - top)}" fill="#059669" fill-opacity="0.75">` +
				`<title>${escapeXml(bar.label)}: ${Math.round((bar.share as number) * 100)}% of ${bar.judged} within target ` +
				`(bounds ${Math.round((bar.lowerBound as number) * 100)}–${Math.round((bar.upperBound as number) * 100)}%)</title></rect>` +
				`<line class="bounds" x1="${fmt(centre)}" x2="${fmt(centre)}" y1="${fmt(low)}" y2="${fmt(high)}" stroke="#111827"/>` +
				`<line x1="${fmt(centre - 6)}" x2="${fmt(centre + 6)}" y1="${fmt(low)}" y2="${fmt(low)}" stroke="#111827"/>` +
				`<line x1="${fmt(centre - 6)}" x2="${fmt(centre + 6)}" y1="${fmt(high)}" y2="${fmt(high)}" stroke="#111827"/>` +
				`<text class="count" x="${fmt(centre)}" y="${fmt(Math.max(PAD.top + 10, high - 4))}" text-anchor="middle">n=${bar.judged}</text>` +
				`<text x="${fmt(centre)}" y="${PAD.top + PLOT_H + 16}" text-anchor="middle">${escapeXml(bar.label)}</text>`
			);
		})
		.join('');
	return frame(title, body, 'priority (n = reviews whose target passed or that were answered; whiskers: 95 % bounds)', 'within target');
}

export function renderSlaText(bars: readonly SlaBar[], title = 'Reviews answered within target'): string {
	const shown = bars.filter((bar) => bar.share !== null);
	if (!shown.length) return `${title}\n(no review with a target passed in this window)`;
	const rows = shown.map(
		(bar) =>
			`${bar.label.padEnd(9)} ${String(bar.judged).padStart(7)}  ${textBar(bar.share as number)} ${percent(bar.share as number).padStart(4)} ` +
			`(${percent(bar.lowerBound as number)}–${percent(bar.upperBound as number)})`,
	);
	return [title, `${'priority'.padEnd(9)} ${'reviews'.padStart(7)}  within target (95 % bounds)`, ...rows].join('\n');
}

export function renderSlaHtml(bars: readonly SlaBar[], title = 'Reviews answered within target'): string {
	const rows = bars.filter((bar) => bar.share !== null).map((bar) => ({ label: bar.label, count: bar.judged, rate: bar.share as number }));
	return htmlBarTable(title, ['priority', 'reviews', 'within target'], rows, 'No review with a target passed in this window');
}
