/**
 * Where the CPU of a throughput round goes, by process: user + system time from /proc/<pid>/stat
 * (what `top` adds up), read before and after a round. A process and its children (n8n's task
 * runners) count as one; PostgreSQL's and Redis's processes are found by name. Time of processes
 * that ended during the round is not seen: the `unattributed` line is the machine's busy time
 * (/proc/stat) that no process listed here accounts for.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (`getconf CLK_TCK`, 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface ProcessTimes {
	parent: number;
	name: string;
	ticks: number;
}

function processTimes(): Map<number, ProcessTimes> {
	const times = new Map<number, ProcessTimes>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat: string;
		try {
			stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue; // ended while the directory was read
		}
		// "pid (name) state ppid …": the name may hold spaces and parentheses, so split after the last ")".
		const close = stat.lastIndexOf(')');
		const fields = stat.slice(close + 2).split(' ');
		times.set(Number(entry), { parent: Number(fields[1]), name: stat.slice(stat.indexOf('(') + 1, close), ticks: Number(fields[11]) + Number(fields[12]) });
	}
	return times;
}

/** Busy ticks of the whole machine (every state but idle and iowait). */
function machineBusyTicks(): number {
	const [, ...counts] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
	return counts.reduce((sum, value) => sum + value, 0) - counts[3] - counts[4];
}

export interface CpuRoles {
	/** Each role's root processes; their descendants count with them. */
	trees: Record<string, (number | undefined)[]>;
	/** Roles found by process name (PostgreSQL, Redis). */
	names: Record<string, RegExp>;
	/** Processes that count alone, without their children (the bench's own process spawns everything). */
	alone: Record<string, number>;
}

export interface CpuSnapshot {
	byRole: Map<string, number>;
	busy: number;
}

export function cpuSnapshot(roles: CpuRoles): CpuSnapshot {
	const times = processTimes();
	const roleOf = new Map<number, string>();
	for (const [role, roots] of Object.entries(roles.trees)) for (const root of roots) if (root !== undefined) roleOf.set(root, role);
	const findRole = (pid: number): string | undefined => {
		for (let at: number | undefined = pid, depth = 0; at && depth < 20; at = times.get(at)?.parent, depth++) {
			const role = roleOf.get(at);
			if (role) return role;
		}
		return undefined;
	};
	const byRole = new Map<string, number>();
	for (const [pid, { name, ticks }] of times) {
		const role =
			findRole(pid) ??
			Object.entries(roles.names).find(([, pattern]) => pattern.test(name))?.[0] ??
			Object.entries(roles.alone).find(([, alonePid]) => alonePid === pid)?.[0];
		if (role) byRole.set(role, (byRole.get(role) ?? 0) + ticks);
	}
	return { byRole, busy: machineBusyTicks() };
}

/** CPU milliseconds by role between two snapshots, divided by `count` (the round's tickets), with the machine's unattributed rest. */
export function cpuMsPer(before: CpuSnapshot, after: CpuSnapshot, count: number): { role: string; ms: number }[] {
	const msPerTick = 1000 / TICKS_PER_SECOND;
	const rows = [...after.byRole].map(([role, ticks]) => ({ role, ms: ((ticks - (before.byRole.get(role) ?? 0)) * msPerTick) / count }));
	const attributed = rows.reduce((sum, row) => sum + row.ms, 0);
	rows.push({ role: 'unattributed', ms: ((after.busy - before.busy) * msPerTick) / count - attributed });
	return rows;
}
