/**
 * `vulnshare demo` and the setup page's button: a populated platform for a newcomer, loaded through the
 * platform's own services (src/app/platform.ts) so every domain rule applies — the import pipeline for the
 * records, the account service for organisations and people, the submission workflow, disposal, the outbox,
 * the bulletin and the incident services. Nothing is inserted behind their back.
 *
 * Idempotent: records come back unchanged (same hashes), organisations and people are found by name and
 * address, the reports, the bulletin and the incident are made once.
 */
import { AppError, isAppError } from '../errors.js';
import { CLI, type Principal } from '../accounts/model.js';
import { randomSecret } from '../accounts/secrets.js';
import { requireAccess } from '../accounts/policy.js';
import type { UserView } from '../accounts/service.js';
import type { Platform } from '../app/platform.js';
import { importItems } from '../imports/pipeline.js';
import type { SubmissionInput } from '../submissions/service.js';
import { calendarDay, shiftWeek, weekOf } from '../vulns/calendar.js';
import type { OrgKind } from '../accounts/model.js';
import type { ParseItem, SourceRecord } from '../vulns/model.js';
import { demoRecords } from './records.js';

export const DEMO_DOMAIN = 'demo.vulnshare.invalid';
const mail = (local: string) => `${local}@${DEMO_DOMAIN}`;

/** The demo's organisations: vendors (with an inbox contact, but for one), member units, reporting units. */
export const DEMO_ORGANISATIONS: ReadonlyArray<{
  name: string;
  nameEn?: string;
  kind: OrgKind;
  sector?: string;
  /** a portal (inbox) contact: the notification is delivered */
  inbox: boolean;
}> = [
  { name: '示例网络科技有限公司', nameEn: 'Shili Networks', kind: 'vendor', inbox: true },
  { name: '星河软件股份有限公司', nameEn: 'Xinghe Software', kind: 'vendor', inbox: true },
  { name: '天枢智能科技有限公司', nameEn: 'Tianshu Smart', kind: 'vendor', inbox: true },
  { name: '云岭安全技术有限公司', nameEn: 'Yunling Security', kind: 'vendor', inbox: true },
  // no contact and no member: its notification is undeliverable
  { name: 'Globex', nameEn: 'Globex', kind: 'vendor', inbox: false },
  { name: '示例市政务服务中心', kind: 'member_unit', sector: 'government', inbox: true },
  { name: '示例银行股份有限公司', kind: 'member_unit', sector: 'banking', inbox: true },
  { name: '示例安全实验室', kind: 'reporting_unit', inbox: false },
  { name: '星火网络安全团队', kind: 'reporting_unit', inbox: false },
];

export const DEMO_USERS: ReadonlyArray<{
  key: 'analyst' | 'reporter' | 'reporter2' | 'vendor' | 'vendor2';
  email: string;
  displayName: string;
  role: 'analyst' | 'reporter' | 'recipient';
  organisation?: string;
}> = [
  { key: 'analyst', email: mail('analyst'), displayName: '演示分析员', role: 'analyst' },
  {
    key: 'reporter',
    email: mail('reporter'),
    displayName: '演示报送人',
    role: 'reporter',
    organisation: '示例安全实验室',
  },
  {
    key: 'reporter2',
    email: mail('reporter2'),
    displayName: '星火报送人',
    role: 'reporter',
    organisation: '星火网络安全团队',
  },
  {
    key: 'vendor',
    email: mail('psirt.shili'),
    displayName: '示例网络 PSIRT',
    role: 'recipient',
    organisation: '示例网络科技有限公司',
  },
  {
    key: 'vendor2',
    email: mail('psirt.xinghe'),
    displayName: '星河软件安全响应',
    role: 'recipient',
    organisation: '星河软件股份有限公司',
  },
];

export const DEMO_INCIDENT_TITLE = '演示：政务服务平台遭 SQL 注入攻击（vulnshare demo）';

export interface DemoResult {
  records: { read: number; imported: number; unchanged: number; rejected: number };
  organisationsCreated: number;
  usersCreated: string[];
  /** The password of the demo accounts created in this run (null when none was created). */
  password: string | null;
  submissionsCreated: number;
  bulletin: { week: string; published: boolean };
  incident: { id: string; created: boolean };
}

// eslint-disable-next-line @typescript-eslint/require-await -- an async source, like the parsers
async function* itemsOf(records: SourceRecord[]): AsyncGenerator<ParseItem> {
  let index = 0;
  for (const record of records) yield { ok: true, file: 'vulnshare-demo', index: ++index, record };
}

const principalOf = (u: UserView): Principal => ({
  kind: 'user',
  userId: u.id,
  email: u.email,
  role: u.role,
  organisationId: u.organisationId,
  via: 'session',
  scopes: null,
});

/** Load the demo (an admin, or the operator's CLI). */
export async function loadDemo(
  p: Principal,
  platform: Platform,
  opts: { clock?: () => Date } = {},
): Promise<DemoResult> {
  requireAccess(p, 'users:manage');
  const clock = opts.clock ?? (() => new Date());
  const { accounts, submissions, bulletins, incidents } = platform;
  const today = calendarDay(clock().toISOString());
  const anchor = weekOf(today);

  // 1. the records, through the import pipeline (classification, CVSS scoring, merging CNVD with CVE)
  const imported = await importItems(platform.database, itemsOf(demoRecords(anchor, { until: today })), {
    format: 'demo',
    paths: ['vulnshare demo'],
    batchSize: platform.config.importBatchSize,
  });

  // 2. organisations and their contacts
  const orgIds = new Map<string, number>();
  let organisationsCreated = 0;
  for (const o of DEMO_ORGANISATIONS) {
    const found = (await accounts.listOrganisations(CLI, { q: o.name })).find((x) => x.name === o.name);
    if (found) {
      orgIds.set(o.name, found.id);
      continue;
    }
    const created = await accounts.createOrganisation(CLI, {
      kind: o.kind,
      name: o.name,
      ...(o.nameEn ? { nameEn: o.nameEn } : {}),
      ...(o.sector ? { sector: o.sector } : {}),
    });
    organisationsCreated++;
    orgIds.set(o.name, created.id);
    if (o.inbox) await accounts.addContact(CLI, created.id, { name: '安全联络人', portal: true });
  }
  const orgId = (name: string): number => {
    const id = orgIds.get(name);
    if (id === undefined) throw new AppError('internal', `demo organisation ${name} missing`);
    return id;
  };

  // 3. people: one password for the accounts made in this run, shown once
  const password = `Demo-${randomSecret(12)}`;
  const usersCreated: string[] = [];
  const people = new Map<string, Principal>();
  for (const u of DEMO_USERS) {
    let view = (await accounts.listUsers(CLI, { q: u.email })).find((x) => x.email === u.email) as
      UserView | undefined;
    if (!view) {
      view = await accounts.createUser(CLI, {
        email: u.email,
        displayName: u.displayName,
        password,
        role: u.role,
        organisationId: u.organisation ? orgId(u.organisation) : null,
      });
      usersCreated.push(u.email);
    }
    people.set(u.key, principalOf(view));
  }
  const who = (key: (typeof DEMO_USERS)[number]['key']): Principal => {
    const p = people.get(key);
    if (!p) throw new AppError('internal', `demo user ${key} missing`);
    return p;
  };

  // 4. reports in every workflow state, made once
  let submissionsCreated = 0;
  if ((await submissions.list(who('reporter'), { mine: true, limit: 1 })).length === 0)
    submissionsCreated = await walkReports(platform, who, orgId);

  // 5. last week's bulletin, published (its figures frozen)
  const week = shiftWeek(anchor, -1).id;
  let published = true;
  try {
    await bulletins.publish(who('analyst'), week);
  } catch (e) {
    if (!(isAppError(e) && e.code === 'already_published')) throw e;
    published = false;
  }

  // 6. an incident
  const existing = (await incidents.list(who('analyst'), { q: 'vulnshare demo', limit: 50 })).items.find(
    (i) => i.title === DEMO_INCIDENT_TITLE,
  );
  const incident = existing
    ? { id: existing.id, created: false }
    : {
        id: (await incidents.create(who('analyst'), demoIncident(calendarDay(clock().toISOString())))).id,
        created: true,
      };

  return {
    records: {
      read: imported.read,
      imported: imported.imported,
      unchanged: imported.unchanged,
      rejected: imported.rejected,
    },
    organisationsCreated,
    usersCreated,
    password: usersCreated.length ? password : null,
    submissionsCreated,
    bulletin: { week, published },
    incident,
  };
}

const general = (n: number, product: string, vendor: string, weakness: string): SubmissionInput => ({
  kind: 'general',
  title: `${vendor} ${product} ${weakness}漏洞（演示报告 ${n}）`,
  vendor,
  product,
  version: '1.0',
  description: `（vulnshare 演示数据）${vendor} ${product} 存在${weakness}漏洞。`,
  reproduction: '1. 登录管理界面\n2. 提交构造的请求\n3. 观察返回结果',
  cvssVector:
    n % 3 === 0
      ? 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N'
      : 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  originality: 'original',
});

const VERIFICATION = {
  environment: '演示环境：虚拟机中的厂商固件',
  steps: '按报告步骤复现',
  result: 'reproduced' as const,
  verifier: '演示分析员',
};

/** Reports from intake to publication, with notifications in several disposal states. */
async function walkReports(
  platform: Platform,
  who: (k: (typeof DEMO_USERS)[number]['key']) => Principal,
  orgId: (name: string) => number,
): Promise<number> {
  const { submissions: s, coordination: c } = platform;
  const analyst = who('analyst');
  const submit = (p: Principal, input: SubmissionInput) => s.submit(p, input).then((v) => v.trackingNo);
  const move = (no: string, t: Parameters<typeof s.transition>[2]) => s.transition(analyst, no, t);
  const verify = async (no: string) => {
    await move(no, { to: 'triaged' });
    await move(no, { to: 'verifying' });
    await move(no, { to: 'verified', verification: VERIFICATION });
  };
  const shili = '示例网络科技有限公司';
  const xinghe = '星河软件股份有限公司';
  let n = 0;
  const next = () => ++n;

  // intake and triage
  await submit(who('reporter'), general(next(), 'AX3000', shili, '命令执行'));
  await submit(who('reporter2'), general(next(), 'XOA', xinghe, '跨站脚本'));
  const triaged = await submit(who('reporter'), general(next(), 'S5720', shili, '信息泄露'));
  await move(triaged, { to: 'triaged' });
  const needInfo = await submit(who('reporter2'), general(next(), 'IPC-T200', '天枢智能', '弱口令'));
  await move(needInfo, { to: 'triaged' });
  await move(needInfo, { to: 'need_info', note: '请补充固件版本号和复现截图' });
  const original = await submit(who('reporter'), general(next(), 'NGFW-X', '云岭安全', '身份验证绕过'));
  const dup = await submit(who('reporter2'), general(next(), 'NGFW-X', '云岭安全', '身份验证绕过'));
  await move(dup, { to: 'duplicate', duplicateOf: original });
  await move(original, { to: 'triaged' });
  await move(original, { to: 'verifying' });
  const rejected = await submit(who('reporter2'), general(next(), 'XOA', xinghe, '目录遍历'));
  await move(rejected, { to: 'rejected', reason: '无法复现：该路径在所有版本中均需管理员权限' });
  const verified = await submit(who('reporter'), general(next(), 'AX3000', shili, 'SQL注入'));
  await verify(verified);

  // disposal: notified (delivered, acknowledged, disputed, undeliverable), fixed, published
  const notified = await submit(who('reporter'), general(next(), 'AX3000', shili, '缓冲区溢出'));
  await verify(notified);
  await c.notify(analyst, notified, [
    { organisationId: orgId(shili), category: 'vendor' },
    { organisationId: orgId('Globex'), category: 'vendor' },
  ]);
  const acknowledged = await submit(who('reporter2'), general(next(), 'XOA', xinghe, 'SQL注入'));
  await verify(acknowledged);
  await c.notify(analyst, acknowledged, [{ organisationId: orgId(xinghe), category: 'vendor' }]);
  const disputed = await submit(who('reporter'), general(next(), 'XOA', xinghe, '文件上传'));
  await verify(disputed);
  await c.notify(analyst, disputed, [{ organisationId: orgId(xinghe), category: 'vendor' }]);
  const fixed = await submit(who('reporter'), general(next(), 'S5720', shili, '拒绝服务'));
  await verify(fixed);
  await c.notify(analyst, fixed, [{ organisationId: orgId(shili), category: 'vendor' }]);
  const published = await submit(who('reporter2'), general(next(), 'IPC-T200', '天枢智能', '命令执行'));
  await verify(published);
  await c.notify(analyst, published, [{ organisationId: orgId('天枢智能科技有限公司'), category: 'vendor' }]);
  // an event-type report: verifying it notifies the organisation it names
  const event = await submit(who('reporter'), {
    kind: 'event',
    title: '示例市政务服务平台存在SQL注入漏洞（演示报告）',
    affectedOrganisation: '示例市政务服务中心',
    affectedSystem: 'https://gov.demo.vulnshare.invalid/',
    description: '（vulnshare 演示数据）政务服务平台的查询接口存在 SQL 注入。',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:N',
    originality: 'original',
  });
  await verify(event);

  // the outbox delivers what was queued (the portal inbox): sent → delivered
  await platform.outbox.runOnce(200);

  const firstNotification = async (no: string, org: string) => {
    const ns = await c.list(analyst, no);
    const x = ns.find((y) => y.organisationId === orgId(org));
    if (!x) throw new AppError('internal', `no notification of ${org} about ${no}`);
    return x.id;
  };
  await c.act(who('vendor2'), await firstNotification(acknowledged, xinghe), 'acknowledge', {});
  await c.act(who('vendor2'), await firstNotification(disputed, xinghe), 'dispute', {
    note: '该功能默认关闭，我们认为不构成漏洞',
  });
  const fixId = await firstNotification(fixed, shili);
  await c.act(who('vendor'), fixId, 'acknowledge', {});
  await c.act(who('vendor'), fixId, 'fix', {
    fixUrl: 'https://demo.vulnshare.invalid/shili/S5720-patch',
  });
  await c.act(analyst, await firstNotification(published, '天枢智能科技有限公司'), 'fix', {
    fixUrl: 'https://demo.vulnshare.invalid/tianshu/IPC-T200-2.4.1',
  });
  await s.publish(analyst, published);
  return n + 1; // and the event-type report
}

/** An incident of the kind the event-type report describes (TLP:GREEN: the community may read it). */
function demoIncident(today: string): Record<string, unknown> {
  return {
    title: DEMO_INCIDENT_TITLE,
    summary:
      '（vulnshare 演示数据）攻击者利用某市政务服务平台查询接口的 SQL 注入漏洞读取了部分办事记录，平台已下线修复。',
    victims: [{ name: '示例市政务服务中心', sector: 'government' }],
    discoveredAt: today,
    status: 'contained',
    vector: 'vulnerability-exploit',
    tlp: 'green',
    attackChain: [
      {
        order: 1,
        phase: 'initial-access',
        description: 'SQL injection in the public query interface',
        techniqueIds: ['T1190'],
        vulnerabilityIds: [],
      },
      {
        order: 2,
        phase: 'collection',
        description: 'Read service records from the database',
        techniqueIds: ['T1005'],
        vulnerabilityIds: [],
      },
    ],
    assets: [
      { kind: 'server', count: 1 },
      { kind: 'database', count: 1 },
    ],
    indicators: [{ type: 'ipv4', value: '203.0.113.77', description: 'attack source (documentation range)' }],
  };
}
