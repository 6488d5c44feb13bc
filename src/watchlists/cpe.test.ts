import { describe, expect, it } from 'vitest';
import { compareCpeValues, formatCpe, matchCpe, parseCpe, type CpeRelation } from './cpe.js';

describe('parseCpe', () => {
  it('reads the 13 parts of a 2.3 formatted string', () => {
    const c = parseCpe('cpe:2.3:o:microsoft:windows_server_2012_R2:6.3.9600.21765:*:*:*:*:*:x64:*');
    expect(c.part).toEqual({ kind: 'value', text: 'o', leading: '', trailing: '' });
    expect(c.product).toEqual({ kind: 'value', text: 'windows_server_2012_r2', leading: '', trailing: '' });
    expect(c.version).toMatchObject({ text: '6.3.9600.21765' });
    expect(c.update).toEqual({ kind: 'any' });
    expect(c.targetHw).toMatchObject({ text: 'x64' });
  });

  it.each([
    ['cpe:2.3:a:badgermeter:moni\\:\\:tool:*:*:*:*:*:*:*:*', 'product', 'moni::tool'],
    [
      'cpe:2.3:a:abb:symphony_plus_s\\+_operations:2.0:*:*:*:*:*:*:*',
      'product',
      'symphony_plus_s+_operations',
    ],
    ['cpe:2.3:a:langchain-ai:langchain-ai\\/langchain:*:*:*:*:*:*:*:*', 'product', 'langchain-ai/langchain'],
    [
      'cpe:2.3:a:wpvivid:migration\\,_backup\\,_staging:-:*:*:*:*:wordpress:*:*',
      'product',
      'migration,_backup,_staging',
    ],
    ['cpe:2.3:a:vendor:prod\\*uct:1.0:*:*:*:*:*:*:*', 'product', 'prod*uct'],
  ] as const)('unquotes %s', (name, attr, text) => {
    expect(parseCpe(name)[attr]).toMatchObject({ kind: 'value', text });
  });

  it('reads ANY, NA and wildcards', () => {
    const c = parseCpe('cpe:2.3:a:apache:log4j:2.1*:-:*:*:*:*:*:*');
    expect(c.version).toEqual({ kind: 'value', text: '2.1', leading: '', trailing: '*' });
    expect(c.update).toEqual({ kind: 'na' });
    expect(parseCpe('cpe:2.3:a:*:??server:*:*:*:*:*:*:*:*').product).toMatchObject({
      leading: '??',
      text: 'server',
    });
  });

  it('reads CPE 2.2 URIs as found in CVE records', () => {
    const c = parseCpe('cpe:/a:redhat:openshift:4.14::el9');
    expect(c.vendor).toMatchObject({ text: 'redhat' });
    expect(c.version).toMatchObject({ text: '4.14' });
    expect(c.update).toEqual({ kind: 'any' });
    expect(c.edition).toMatchObject({ text: 'el9' });
    expect(c.other).toEqual({ kind: 'any' });
  });

  it('formats back with quoting', () => {
    const s = 'cpe:2.3:a:badgermeter:moni\\:\\:tool:1.0:-:*:*:*:*:*:*';
    expect(formatCpe(parseCpe(s))).toBe(s);
    expect(formatCpe(parseCpe('cpe:2.3:a:Apache:Log4j:2.1*:*:*:*:*:*:*:*'))).toBe(
      'cpe:2.3:a:apache:log4j:2.1*:*:*:*:*:*:*:*',
    );
  });

  const bad: Array<[string, RegExp]> = [
    ['cpe:/a:x:y:1:2:3:4:5', /at most 7/],
    ['cpe:2.2:a:vendor:product', /prefix must be "cpe:2.3:"/],
    ['apache:log4j', /prefix/],
    ['cpe:2.3:a:apache:log4j:2.0', /it has 4 attributes after "cpe:2.3:"; expected 11/],
    ['cpe:2.3:x:apache:log4j:*:*:*:*:*:*:*:*', /part is "x"/],
    ['cpe:2.3:-:apache:log4j:*:*:*:*:*:*:*:*', /part cannot be NA/],
    ['cpe:2.3:a::log4j:*:*:*:*:*:*:*:*', /vendor is empty/],
    ['cpe:2.3:a:apache:log 4j:*:*:*:*:*:*:*:*', /product has an unquoted " "/],
    ['cpe:2.3:a:apache:log4j:2.*.1:*:*:*:*:*:*:*', /version has an unquoted "\*" inside/],
    ['cpe:2.3:a:apache:log4j:2.0:*:*:*:*:*:*:a\\b', /other has "\\" before "b"/],
    ['cpe:2.3:a:apache:**:*:*:*:*:*:*:*:*', /product/],
  ];
  it.each(bad)('rejects %s with an error naming the attribute', (name, message) => {
    expect(() => parseCpe(name)).toThrow(message);
    expect(() => parseCpe(name)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});

describe('matchCpe (source = watched, target = from the vulnerability)', () => {
  const table: Array<[string, string, boolean, CpeRelation]> = [
    [
      'cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*',
      'cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*',
      true,
      'superset',
    ],
    ['cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*', 'cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*', true, 'subset'],
    [
      'cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*',
      'cpe:2.3:a:Apache:Log4J:2.14.1:*:*:*:*:*:*:*',
      true,
      'equal',
    ],
    [
      'cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*',
      'cpe:2.3:a:apache:log4j:2.14.2:*:*:*:*:*:*:*',
      false,
      'disjoint',
    ],
    // version equality is compareVersions equality
    [
      'cpe:2.3:a:apache:log4j:2.14:*:*:*:*:*:*:*',
      'cpe:2.3:a:apache:log4j:2.14.0:*:*:*:*:*:*:*',
      true,
      'equal',
    ],
    [
      'cpe:2.3:h:tenda:ac15:v15.03.05.19:*:*:*:*:*:*:*',
      'cpe:2.3:h:tenda:ac15:15.03.05.19:*:*:*:*:*:*:*',
      true,
      'equal',
    ],
    // NA matches only NA
    [
      'cpe:2.3:a:wpvivid:migration\\,_backup\\,_staging:-:*:*:*:*:*:*:*',
      'cpe:2.3:a:wpvivid:migration\\,_backup\\,_staging:-:*:*:*:*:wordpress:*:*',
      true,
      'superset',
    ],
    [
      'cpe:2.3:a:wpvivid:migration\\,_backup\\,_staging:-:*:*:*:*:*:*:*',
      'cpe:2.3:a:wpvivid:migration\\,_backup\\,_staging:0.9.68:*:*:*:*:*:*:*',
      false,
      'disjoint',
    ],
    // wildcards in the watched name
    [
      'cpe:2.3:o:microsoft:windows_server_*:*:*:*:*:*:*:*:*',
      'cpe:2.3:o:microsoft:windows_server_2019:10.0.17763.5329:*:*:*:*:*:*:*',
      true,
      'superset',
    ],
    [
      'cpe:2.3:o:microsoft:windows_1?:*:*:*:*:*:*:*:*',
      'cpe:2.3:o:microsoft:windows_11_23H2:*:*:*:*:*:*:*:*',
      false,
      'disjoint',
    ],
    [
      'cpe:2.3:a:apache:log4j:2.1*:*:*:*:*:*:*:*',
      'cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*',
      true,
      'superset',
    ],
    // other parts
    ['cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*', 'cpe:2.3:o:apache:log4j:*:*:*:*:*:*:*:*', false, 'disjoint'],
    ['cpe:2.3:a:*:log4j:*:*:*:*:*:*:x64:*', 'cpe:2.3:a:apache:log4j:2.0:*:*:*:*:*:*:*', true, 'overlap'],
    ['cpe:/a:redhat:openshift:4.14', 'cpe:2.3:a:redhat:openshift:4.14:*:el9:*:*:*:*:*', true, 'superset'],
  ];
  it.each(table)('%s vs %s → %s (%s)', (source, target, match, relation) => {
    expect(matchCpe(source, target)).toMatchObject({ match, relation });
  });

  it('names the disjoint attributes', () => {
    expect(
      matchCpe('cpe:2.3:a:apache:log4j:2.0:*:*:*:*:*:*:*', 'cpe:2.3:a:apache:tomcat:2.1:*:*:*:*:*:*:*')
        .disjoint,
    ).toEqual(['product', 'version']);
  });

  it('follows the spec table for single attributes', () => {
    const any = { kind: 'any' } as const;
    const na = { kind: 'na' } as const;
    const v = (text: string) => ({ kind: 'value', text, leading: '', trailing: '' }) as const;
    expect(compareCpeValues(any, any, 'vendor')).toBe('equal');
    expect(compareCpeValues(any, na, 'vendor')).toBe('superset');
    expect(compareCpeValues(na, any, 'vendor')).toBe('subset');
    expect(compareCpeValues(na, na, 'vendor')).toBe('equal');
    expect(compareCpeValues(na, v('x'), 'vendor')).toBe('disjoint');
    expect(compareCpeValues(v('x'), na, 'vendor')).toBe('disjoint');
    expect(compareCpeValues(v('1.0'), v('1.0.0'), 'version')).toBe('equal');
    expect(compareCpeValues(v('1.0'), v('1.0.0'), 'product')).toBe('disjoint');
  });
});
