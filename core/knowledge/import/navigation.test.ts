// Navigation told by content (navigation.ts): contents and index pages are navigation, while
// release notes, reference lists and data tables that end their lines in numbers are content.
import { describe, expect, it } from 'vitest';
import { isEntryLine, isNavigation } from './navigation.ts';

const section = (lines: string[]) => ({ headingPath: [], text: lines.join('\n'), page: null });
const times = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i));

describe('navigation told by content', () => {
  it('keeps a release history whose lines end in a year', () => {
    const months = [
      'March 3, 2021',
      'June 14, 2021',
      'Sep 1, 2022',
      'Jan 9, 2023',
      'May 30, 2023',
      'Dec 2, 2024',
    ];
    expect(isNavigation(section(months.map((d, i) => `- Versi 1.${i} dirilis ${d}`)))).toBe(false);
    expect(isNavigation(section(months.map((d, i) => `Release 2.${i}, ${d}, 2025`)))).toBe(false);
  });

  it('keeps a reference list', () => {
    const refs = times(
      8,
      (i) => `Doe A., Roe B. Search engines ${i}. JASIST, ${12 + i}, ${45 + i}-${67 + i}`,
    );
    expect(isNavigation(section(refs))).toBe(false);
  });

  it('keeps a two-column data table read from a PDF or CSV', () => {
    const rows = [
      'Jawa Barat, 4812',
      'Jawa Timur, 4110',
      'Bali, 812',
      'Aceh, 530',
      'Papua, 401',
      'Riau, 967',
      'Banten, 1250',
    ];
    expect(isNavigation(section(['Provinsi, Jumlah', ...rows]))).toBe(false);
    // Three columns whose values do not ascend like page numbers are a table too.
    const wide = ['Jawa Barat, 4812, 1203', 'Jawa Timur, 4110, 998', 'Bali, 812, 120', 'Aceh, 530, 77'];
    expect(isNavigation(section([...wide, 'Papua, 401, 33', 'Riau, 967, 140', 'Banten, 1250, 310']))).toBe(
      false,
    );
  });

  it('keeps an Indonesian list of regulations', () => {
    const regs = times(8, (i) => `- PP ${40 + i} Tahun ${2010 + i}, ${2010 + i}`);
    expect(isNavigation(section(['Daftar peraturan', ...regs]))).toBe(false);
    const dated = times(8, (i) => `- Permenkes ${i + 3} diundangkan 12 Maret ${2015 + i}, 2, ${2015 + i}`);
    expect(isNavigation(section(dated))).toBe(false);
  });

  it('still finds contents and index pages', () => {
    const terms = [
      'apt-get install',
      'dpkg configure',
      'package pinning',
      'sources list',
      'security updates',
      'unattended upgrades',
    ];
    expect(isNavigation(section(terms.map((t, i) => `${t} ........ ${3 + i}`)))).toBe(true);
    expect(isNavigation(section(terms.map((t, i) => `${t} . . . . ${3 + i}`)))).toBe(true);
    expect(isNavigation(section(terms.map((t, i) => `${t}, ${3 + i}, ${40 + i}–${42 + i}`)))).toBe(true);
    expect(isNavigation(section(terms.map((t, i) => `${t}, ${3 + i}, ${112 + i}`)))).toBe(true);
    const links = terms.map((t, i) => `- [${t} guide](https://example.org/${i})`);
    expect(isNavigation(section(links))).toBe(true);
  });

  it('tells entry lines from sentences, dates and table rows', () => {
    expect(isEntryLine('Repositories ........ 12')).toBe(true);
    expect(isEntryLine('apt-get, 45, 112–114')).toBe(true);
    expect(isEntryLine('Jawa Barat, 4812')).toBe(false);
    expect(isEntryLine('- PP 48 Tahun 2016, 2016')).toBe(false);
    expect(isEntryLine('Released on March 3, 2021, 2022')).toBe(false);
    expect(isEntryLine('Doe A. Search. JASIST, 12, 45-67')).toBe(false);
    expect(isEntryLine('See the table below. It lists values, 12, 40')).toBe(false);
  });
});
