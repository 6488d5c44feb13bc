/**
 * Affected-object type (漏洞影响对象类型) from what a record says of its product. CNVD descriptions open
 * with "X是Y公司的一款/一套<what it is>。" — in that phrase the head noun comes last ("工业防火墙路由器" is a
 * router, "Windows操作系统附带的Web浏览器" a browser), so the rule whose match ends furthest right wins.
 * Without such a phrase, the rules are tried in order on product names and the title (less its weakness
 * name); a record whose weakness is a web one (XSS, SQL injection, CSRF, upload…) then counts as a web
 * application; otherwise 'application'. Rules are data; extend freely.
 */
import type { AffectedProduct, ObjectType, Weakness } from '../vulns/model.js';
import { WEAKNESS_RULES } from './weaknesses.js';

export const OBJECT_TYPE_RULES: Array<{ type: ObjectType; pattern: RegExp }> = [
  {
    type: 'connected_vehicle',
    pattern: /车联网|车载|汽车|充电桩|车机|T-?Box|vehicle|automotive|\bTesla\b|EV charg/gi,
  },
  {
    type: 'web_application',
    pattern:
      /基于Web|Web-based|web管理|管理平台|管理系统|门户|协作平台|建站|网站|CMS|内容管理|博客|论坛|Wiki|商城|电子商务|网上商店|e-?commerce|WordPress|Drupal|Joomla|Jenkins|webmail|办公自动化|\bOA\b|Web应用(?!服务器)|web ?app(lication)?s?\b|插件|plugin|phpMyAdmin|GitLab|Confluence|Jira|Grafana|Web界面|web interface/gi,
  },
  {
    type: 'security_product',
    pattern:
      /防火墙|安全网关|杀毒|反病毒|防病毒|病毒防护|入侵检测|入侵防御|堡垒机|终端安全|终端防护|态势感知|安全管理平台|安全审计|上网行为管理|威胁监控|威胁检测|漏洞管理|数据安全|VPN|antivirus|anti-virus|firewall|endpoint (protection|security|detection)|\bWAF\b|Forti(OS|Gate|Web|Client|Manager|Analyzer)|Sophos|Symantec|McAfee|Trend Micro|Avast|\bAVG\b|Kaspersky|\bESET\b|Bitdefender|Defender|深信服|奇安信|天融信|绿盟|启明星辰|安恒|Palo Alto|PAN-OS|Check Point|SonicWall|Zscaler|Malwarebytes|Guardium/gi,
  },
  {
    type: 'database',
    pattern:
      /关系型?数据库管理系统|数据库管理系统|数据库|database|\bMySQL\b|MariaDB|PostgreSQL|Oracle Database|MongoDB|\bRedis\b|SQLite|InfluxDB|Elasticsearch|\bDb2\b|SQL Server|Adaptive Server|Cassandra|CouchDB|ClickHouse|达梦|人大金仓|TiDB|Neo4j|OpenTSDB|Memcached/gi,
  },
  {
    type: 'smart_device',
    pattern:
      /摄像头|摄像机|网络视频|硬盘录像机|\bNVR\b|\bDVR\b|IP ?camera|\bcamera\b|智能家居|SmartHome|智能设备|智能手机|智能电视|智能音箱|智能手表|智能门锁|物联网|\bIoT\b|门禁|打印机|printer|一体机|存储设备|网络存储|\bNAS\b|My Cloud|扫地机|可穿戴|无人机|drone|Hikvision|海康|Dahua|Ezviz|萤石/gi,
  },
  {
    type: 'network_device',
    pattern:
      /路由器|交换机|网关|调制解调器|光猫|无线接入点|接入点|\bAP\b(设备)?|负载均衡|网络设备|网络操作系统|通信设备|无线控制器|扩展器|\bCPE\b|router|\bswitch(es)?\b|gateway|access point|\bmodem\b|\bONT\b|\bOLT\b|Cisco IOS|IOS XR|IOS XE|NX-OS|Junos|RouterOS|SD-WAN|RUGGEDCOM|SCALANCE|BIG-IP|D-Link|Tenda|TP-Link|NETGEAR|TOTOLINK|Linksys|Zyxel|DrayTek|Ruijie|锐捷|H3C|华三|Wavlink|Mercusys|Netis|Ubiquiti|MikroTik|Aruba|Juniper/gi,
  },
  {
    type: 'operating_system',
    pattern:
      /操作系统|operating system|Linux kernel|Linux内核|\bWindows\b|\bAndroid\b|\biOS\b|iPadOS|macOS|watchOS|tvOS|FreeBSD|OpenBSD|NetBSD|Solaris|\bAIX\b|HarmonyOS|鸿蒙|EMUI|Ubuntu|Debian|Red Hat Enterprise Linux|Fedora|CentOS|SUSE|openEuler|麒麟|统信|OneFS/gi,
  },
  {
    type: 'application',
    pattern:
      /浏览器|browser|阅读器|查看器|reader|viewer|客户端|client|播放器|player|编辑器|editor|桌面|desktop|输入法|办公软件|Office|服务器|server|库|框架|引擎|SDK/gi,
  },
];

/** Words that say only "software" (软件, 程序…): they decide nothing while a more specific clue exists. */
export const GENERIC_APPLICATION = /应用软件|应用程序|软件|程序|工具|系统|应用/g;

/** Weaknesses that only web applications have: with no other clue, they make a record a web application. */
export const WEB_WEAKNESSES = new Set([
  'CWE-79',
  'CWE-89',
  'CWE-352',
  'CWE-434',
  'CWE-918',
  'CWE-98',
  'CWE-601',
]);

/** A text up to its first 。 or line break (found, not split: a description can be long). */
export function firstSentence(text: string): string {
  const end = text.search(/[。\n]/);
  return end < 0 ? text : text.slice(0, end);
}

/** The "what it is" phrase of a CNVD description up to its first comma: "…是…的一款无线路由器。" → "无线路由器". */
export function introPhrase(description: string | undefined): string | undefined {
  if (!description) return undefined;
  const first = firstSentence(description);
  const m = /(?:的|是)一(?:款|套|个|种|系列)([^。]*)/.exec(first);
  return m?.[1]?.split(/[，,；;]/)[0]?.trim() || undefined;
}

/** The rule whose match ends furthest right in the text (longer match on a tie), or undefined. */
function headNounRule(text: string): ObjectType | undefined {
  text = text.replace(GENERIC_APPLICATION, (m) => ' '.repeat(m.length));
  let best: { type: ObjectType; end: number; len: number } | undefined;
  for (const r of OBJECT_TYPE_RULES) {
    for (const m of text.matchAll(r.pattern)) {
      const end = m.index + m[0].length;
      if (!best || end > best.end || (end === best.end && m[0].length > best.len))
        best = { type: r.type, end, len: m[0].length };
    }
  }
  return best?.type;
}

/** A rule's pattern without its g flag (test() of a global regex is stateful), made once per pattern. */
const nonGlobal = new WeakMap<RegExp, RegExp>();
function testOnce(pattern: RegExp, text: string): boolean {
  let re = nonGlobal.get(pattern);
  if (!re) nonGlobal.set(pattern, (re = new RegExp(pattern.source, 'i')));
  return re.test(text);
}

function firstRule(text: string): ObjectType | undefined {
  return OBJECT_TYPE_RULES.find((r) => r.type !== 'application' && testOnce(r.pattern, text))?.type;
}

const weaknessNames = [...WEAKNESS_RULES].map((w) => w.zh).sort((a, b) => b.length - a.length);
const stripWeakness = (title: string) => {
  const t = title.replace(/[(（]CNVD-[^)）]*[)）]\s*$/, '').replace(/漏洞\s*$/, '');
  const w = weaknessNames.find((n) => t.endsWith(n));
  return w ? t.slice(0, -w.length) : t;
};

export function objectTypeOf(rec: {
  products: AffectedProduct[];
  titleZh?: string;
  titleEn?: string;
  descriptionZh?: string;
  descriptionEn?: string;
  weaknesses?: Weakness[];
}): ObjectType {
  const intro = introPhrase(rec.descriptionZh);
  const fromIntro = intro ? headNounRule(intro) : undefined;
  if (fromIntro) return fromIntro;
  const genericIntro = intro !== undefined && new RegExp(GENERIC_APPLICATION.source).test(intro);
  const names = `${rec.products.map((p) => `${p.vendor} ${p.product}`).join(' ; ')} ${stripWeakness(rec.titleZh ?? '')} ${rec.titleEn ?? ''}`;
  const fromNames = firstRule(names);
  if (fromNames) return fromNames;
  if (rec.weaknesses?.some((w) => w.cwe && WEB_WEAKNESSES.has(w.cwe))) return 'web_application';
  if (genericIntro) return 'application';
  return firstRule(firstSentence(rec.descriptionZh ?? rec.descriptionEn ?? '')) ?? 'application';
}
