/** Synthetic dnsmasq log-queries lines (syslog layout, parse with year 2025) for run's tests and bench. */
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Lines i in [from, from+n): a query and its reply each (reply i: host(i % names) → 192.0.2.(i % 250)). */
export function dnsmasqLines(n: number, from = 0, names = 50): string {
  const out: string[] = [];
  for (let i = from; i < from + n; i++) {
    const t = new Date(Date.UTC(2025, 10, 22, 11, 0, 0) + i * 1000);
    const ts = `${MONTHS[t.getUTCMonth()]} ${String(t.getUTCDate()).padStart(2, " ")} ${t.toISOString().slice(11, 19)}`;
    const name = `host${i % names}.example.test`;
    out.push(`${ts} dnsmasq[30519]: ${i + 1} 127.0.0.1/5${i % 1000} query[A] ${name} from 127.0.0.1`);
    out.push(`${ts} dnsmasq[30519]: ${i + 1} 127.0.0.1/5${i % 1000} reply ${name} is 192.0.2.${i % 250}`);
  }
  return `${out.join("\n")}\n`;
}
