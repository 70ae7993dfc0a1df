// CPU time spent by the benchmark's process (emulator, API, workers, devices) and by the Temporal dev
// server between two moments. On a shared machine wall-clock rates swing with what else runs; CPU
// time per execution hardly does, so the two together tell noise from cost.
import * as fs from 'node:fs';

export interface CpuSnapshot {
  processMs: number;
  serverMs: number | null;
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of another process, from /proc/<pid>/stat (null where there is no /proc). */
function processCpuMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export function cpuSnapshot(serverPid: number | undefined): CpuSnapshot {
  const own = process.cpuUsage();
  return { processMs: (own.user + own.system) / 1000, serverMs: serverPid === undefined ? null : processCpuMs(serverPid) };
}

export function cpuSince(start: CpuSnapshot, serverPid: number | undefined): CpuSnapshot {
  const now = cpuSnapshot(serverPid);
  return {
    processMs: now.processMs - start.processMs,
    serverMs: now.serverMs === null || start.serverMs === null ? null : now.serverMs - start.serverMs,
  };
}
