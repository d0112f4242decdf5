import { describe, expect, it } from 'vitest';
import { planRetention, weekKey, type RetentionCandidate } from './retention.ts';

// Local-time dates, so the calendar buckets are the same in every time zone the suite runs in.
const at = (y: number, m: number, d: number, h = 3, min = 0) => new Date(y, m - 1, d, h, min);
const kind = 'scheduled' as const;

describe('weekKey', () => {
  it('follows ISO-8601 weeks across year ends', () => {
    expect(weekKey(at(2026, 1, 1))).toBe('2026-W01'); // a Thursday
    expect(weekKey(at(2027, 1, 1))).toBe('2026-W53'); // a Friday of 2026's last week
    expect(weekKey(at(2024, 12, 30))).toBe('2025-W01'); // a Monday already in 2025's week 1
    expect(weekKey(at(2026, 4, 12))).toBe('2026-W15'); // Sunday ends the week
    expect(weekKey(at(2026, 4, 13))).toBe('2026-W16');
  });
});

describe('planRetention', () => {
  it('keeps the newest backup of each of the last N days, weeks and months', () => {
    // Two backups a day for 120 days, ending Sunday 2026-04-12; ids grow with time.
    const items: RetentionCandidate[] = [];
    let id = 0;
    for (let i = 119; i >= 0; i--) {
      const day = at(2026, 4, 12 - i);
      items.push({ id: ++id, kind, createdAt: new Date(day.getTime() - 3_600_000), verified: false });
      items.push({ id: ++id, kind, createdAt: day, verified: false });
    }
    const plan = planRetention(items, { daily: 7, weekly: 4, monthly: 6 });
    const keptDates = [...plan.keep.keys()]
      .map((k) => items.find((i) => i.id === k)!.createdAt)
      .sort((a, b) => b.getTime() - a.getTime())
      .map((d) => `${d.getMonth() + 1}-${d.getDate()}`);
    // 7 days (6–12 April), the Sundays ending weeks 14 and 13 and 12 (the week of the 12th is already
    // kept), and month ends of March, February, January, December (April's newest is the 12th).
    // 120 days back from 12 April reaches 14 December: December's newest is the 31st.
    expect(keptDates).toEqual(
      [
        '4-12',
        '4-11',
        '4-10',
        '4-9',
        '4-8',
        '4-7',
        '4-6',
        '4-5',
        '3-29',
        '3-22',
        '3-31',
        '2-28',
        '1-31',
        '12-31',
      ].sort((a, b) => toTime(b) - toTime(a)),
    );
    // Only the later backup of a day is kept, never its earlier sibling.
    for (const k of plan.keep.keys()) expect(k % 2).toBe(0);
    expect(plan.keep.size + plan.remove.length).toBe(items.length);
    expect(plan.keep.get(240)).toEqual(['daily 2026-04-12', 'weekly 2026-W15', 'monthly 2026-04']);
  });

  it('never removes the newest verified backup, however old', () => {
    const items = [
      { id: 1, kind, createdAt: at(2025, 1, 1), verified: true },
      { id: 2, kind, createdAt: at(2025, 6, 1), verified: false },
      { id: 3, kind, createdAt: at(2026, 4, 10), verified: false },
      { id: 4, kind, createdAt: at(2026, 4, 11), verified: false },
    ];
    const plan = planRetention(items, { daily: 1, weekly: 0, monthly: 0 });
    expect([...plan.keep.keys()].sort()).toEqual([1, 4]);
    expect(plan.keep.get(1)).toEqual(['newest verified']);
    expect(plan.remove).toEqual([2, 3]); // oldest first
  });

  it('keeps nothing but the newest verified one with an all-zero policy', () => {
    const items = [
      { id: 1, kind, createdAt: at(2026, 4, 1), verified: true },
      { id: 2, kind, createdAt: at(2026, 4, 2), verified: true },
      { id: 3, kind, createdAt: at(2026, 4, 3), verified: false },
    ];
    const plan = planRetention(items, { daily: 0, weekly: 0, monthly: 0 });
    expect([...plan.keep.keys()]).toEqual([2]);
    expect(plan.remove).toEqual([1, 3]);
  });
});

describe('planRetention and the kind of a backup', () => {
  // 12 April: the worker's 03:00 backup, a manual one at 19:04, the worker again at 19:05 (the
  // reported loss), and a safety backup taken before a restore on the 10th.
  const day = [
    { id: 1, kind: 'scheduled', createdAt: at(2026, 4, 12, 3), verified: false },
    { id: 2, kind: 'manual', createdAt: at(2026, 4, 12, 19, 4), verified: false },
    { id: 3, kind: 'scheduled', createdAt: at(2026, 4, 12, 19, 5), verified: false },
    { id: 4, kind: 'pre-restore', createdAt: at(2026, 4, 10, 18), verified: false },
    { id: 5, kind: 'scheduled', createdAt: at(2026, 4, 9, 3), verified: false },
  ] satisfies RetentionCandidate[];

  it('applies the policy to scheduled backups only; manual and pre-restore ones always stay', () => {
    const plan = planRetention(day, { daily: 1, weekly: 0, monthly: 0 });
    expect(plan.keep.get(3)).toEqual(['daily 2026-04-12']);
    expect(plan.keep.get(2)).toEqual(['manual backup: never pruned automatically']);
    expect(plan.keep.get(4)).toEqual(['pre-restore backup: never pruned automatically']);
    expect(plan.remove).toEqual([5, 1]);
    // A scheduled backup taken after a manual one does not displace it from its day, and a manual
    // one does not take a scheduled one's daily place either.
    const zero = planRetention(day, { daily: 0, weekly: 0, monthly: 0 });
    expect([...zero.keep.keys()].sort()).toEqual([2, 4]);
    expect(zero.remove).toEqual([5, 1, 3]);
  });

  it('prunes manual and pre-restore backups too when asked explicitly, never the newest verified', () => {
    const items = day.map((i) => (i.id === 4 ? { ...i, verified: true } : i));
    const plan = planRetention(items, { daily: 1, weekly: 0, monthly: 0 }, { includeManual: true });
    expect(plan.keep.get(3)).toEqual(['daily 2026-04-12']);
    expect(plan.keep.get(4)).toEqual(['newest verified']);
    expect(plan.remove).toEqual([5, 1, 2]);
  });

  it('keeps the newest verified backup of any kind, whichever kinds take part', () => {
    const items = day.map((i) => (i.id === 2 ? { ...i, verified: true } : i));
    for (const includeManual of [false, true]) {
      const plan = planRetention(items, { daily: 0, weekly: 0, monthly: 0 }, { includeManual });
      expect(plan.keep.get(2)).toContain('newest verified');
    }
  });
});

function toTime(md: string): number {
  const [m, d] = md.split('-').map(Number) as [number, number];
  return new Date(m === 12 ? 2025 : 2026, m - 1, d).getTime();
}
