/**
 * The gate's incremental window aggregate equals a full read of the store after rows are added and
 * the window moves (real embedded store).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { windowRoutedBins } from '../../../nodes/ConfidenceGate/windowAggregate';
import { openHitlStore, type HitlStore } from '../../../nodes/shared/store';
import type { RoutedBin } from '../../../nodes/shared/store/types';
import { baseDecision } from '../store/fixtures/decisions';

const sorted = (bins: RoutedBin[]) =>
	bins
		.map((bin) => ({ ...bin, weight: Math.round(bin.weight * 1e6) / 1e6, weightSquared: Math.round(bin.weightSquared * 1e6) / 1e6, weightApproved: Math.round(bin.weightApproved * 1e6) / 1e6, weightSquaredApproved: Math.round(bin.weightSquaredApproved * 1e6) / 1e6 }))
		.sort((a, b) => a.percent - b.percent);

describe('windowRoutedBins', () => {
	let dir: string;
	let store: HitlStore;
	beforeEach(async () => {
		dir = mkdtempSync(join(tmpdir(), 'hitl-window-'));
		store = await openHitlStore({ backend: 'embedded', filePath: join(dir, 'hitl.sqlite') });
	});
	afterEach(async () => {
		await store.close();
		rmSync(dir, { recursive: true, force: true });
	});

	test('rows added and rows leaving the window are applied, as a full read gives them', async () => {
		let n = 0;
		const minute = (m: number) => new Date(Date.UTC(2026, 10, 1, 10, m)).toISOString();
		const record = (count: number, fromMinute: number) =>
			store.recordDecisions(
				Array.from({ length: count }, (_, index) =>
					baseDecision({
						executionId: `w-${n++}`,
						workflowId: 'wf',
						confidence: [0.55, 0.72, 0.91][index % 3],
						decision: index % 4 === 0 ? 'edited' : index % 5 === 0 ? 'auto' : 'approved',
						reviewProbability: index % 5 === 0 ? 0.2 : 1,
						recordedAt: minute(fromMinute + (index % 10)),
					}),
				),
			);
		await record(30, 0);
		expect(sorted(await windowRoutedBins(store, 'wf', minute(0)))).toEqual(sorted(await store.routedBins({ workflowId: 'wf', since: minute(0) })));
		await record(30, 10);
		// the window moves past the first 5 minutes, and 30 rows were added
		expect(sorted(await windowRoutedBins(store, 'wf', minute(5)))).toEqual(sorted(await store.routedBins({ workflowId: 'wf', since: minute(5) })));
		await record(12, 20);
		expect(sorted(await windowRoutedBins(store, 'wf', minute(15)))).toEqual(sorted(await store.routedBins({ workflowId: 'wf', since: minute(15) })));
		// a wider window than the cached one is read in full
		expect(sorted(await windowRoutedBins(store, 'wf', minute(0)))).toEqual(sorted(await store.routedBins({ workflowId: 'wf', since: minute(0) })));
	});
});
