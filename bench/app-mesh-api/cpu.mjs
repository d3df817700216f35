// @ts-check
// Where the CPU went during a run (Linux /proc; elsewhere those figures are null): the machine as a
// whole, the api role's process, this process (the load generator), the PostgreSQL backends
// serving the benchmark database, and everything else (Redis, PostgreSQL's own background
// processes, and anything unrelated that ran at the same time: interference). In cores: 1.0 = one
// core busy for the whole run.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ; 100 on every mainstream Linux

/** @typedef {{ at: number, machineBusyTicks: number | null, serverTicks: number | null, serverKernelTicks: number | null, selfMicros: number, postgresTicks: Map<number, number> }} CpuSample */

/**
 * @typedef {object} CpuUsage
 * @property {number | null} machineBusyCores all processes
 * @property {number | null} serverCores the api role
 * @property {number | null} serverKernelShare the part of serverCores spent in the kernel (system time: socket I/O)
 * @property {number} loadGeneratorCores this process (autocannon, or the baseline's pg client)
 * @property {number | null} postgresCores backends connected to the benchmark database
 * @property {number | null} otherCores everything else: Redis, PostgreSQL background work, other programs
 */

/** The database whose backends count as the benchmark's PostgreSQL work. */
let benchDatabase = '';

/** @param {string} name */
export function setBenchDatabase(name) {
  benchDatabase = name;
}

/**
 * @param {number | null} serverPid
 * @returns {CpuSample}
 */
export function sampleCpu(serverPid) {
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    machineBusyTicks: machineBusy(),
    serverTicks: serverPid === null ? null : processTicks(serverPid),
    serverKernelTicks: serverPid === null ? null : processTicks(serverPid, 'system'),
    selfMicros: usage.user + usage.system,
    postgresTicks: postgresBackends(),
  };
}

/**
 * @param {CpuSample} a
 * @param {CpuSample} b
 * @returns {CpuUsage}
 */
export function cpuBetween(a, b) {
  const seconds = (b.at - a.at) / 1000;
  /** @param {number} x */
  const cores = (x) => Math.round((x / seconds) * 100) / 100;
  const machine =
    a.machineBusyTicks === null || b.machineBusyTicks === null
      ? null
      : cores((b.machineBusyTicks - a.machineBusyTicks) / TICKS_PER_SECOND);
  const server =
    a.serverTicks === null || b.serverTicks === null ? null : cores((b.serverTicks - a.serverTicks) / TICKS_PER_SECOND);
  const serverTicks = a.serverTicks === null || b.serverTicks === null ? 0 : b.serverTicks - a.serverTicks;
  const kernelTicks =
    a.serverKernelTicks === null || b.serverKernelTicks === null ? null : b.serverKernelTicks - a.serverKernelTicks;
  const self = cores((b.selfMicros - a.selfMicros) / 1e6);
  // Backends that ended between the samples are lost; those that started count from zero.
  let pgTicks = 0;
  for (const [pid, ticks] of b.postgresTicks) pgTicks += ticks - (a.postgresTicks.get(pid) ?? 0);
  const postgres = machine === null ? null : cores(pgTicks / TICKS_PER_SECOND);
  return {
    machineBusyCores: machine,
    serverCores: server,
    serverKernelShare:
      kernelTicks === null || serverTicks === 0 ? null : Math.round((kernelTicks / serverTicks) * 100) / 100,
    loadGeneratorCores: self,
    postgresCores: postgres,
    otherCores:
      machine === null ? null : Math.max(0, Math.round((machine - (server ?? 0) - self - (postgres ?? 0)) * 100) / 100),
  };
}

/** pid → CPU ticks of every PostgreSQL backend connected to the benchmark database. */
function postgresBackends() {
  /** @type {Map<number, number>} */
  const found = new Map();
  if (benchDatabase === '') return found;
  let pids;
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return found;
  }
  for (const dir of pids) {
    try {
      // A backend's title: "postgres: <user> <database> <client> <state>".
      const title = readFileSync(`/proc/${dir}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!title.startsWith('postgres: ') || !title.includes(` ${benchDatabase} `)) continue;
      const ticks = processTicks(Number(dir));
      if (ticks !== null) found.set(Number(dir), ticks);
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/** Busy ticks of all CPUs since boot (everything but idle and iowait), or null off Linux. */
function machineBusy() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    void idle;
    void iowait;
    return user + nice + system + irq + softirq + steal;
  } catch {
    return null;
  }
}

/**
 * utime + stime (or only stime) of a process in ticks, or null.
 * @param {number} pid
 * @param {'all' | 'system'} [which]
 */
function processTicks(pid, which = 'all') {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return which === 'system' ? Number(rest[12]) : Number(rest[11]) + Number(rest[12]);
  } catch {
    return null;
  }
}
