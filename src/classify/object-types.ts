/**
 * Affected-object type (漏洞影响对象类型) from what a record says of its product. CNVD descriptions open
 * with "X是Y公司的一款/一套<what it is>。" — that phrase is read first; then vendor, product and title.
 * Rules are tried in order; the first that matches wins; otherwise 'application'. Extend freely.
 */
import type { AffectedProduct, ObjectType } from '../vulns/model.js';

export const OBJECT_TYPE_RULES: Array<{ type: ObjectType; pattern: RegExp }> = [
  { type: 'connected_vehicle', pattern: /车联网|车载|汽车|充电桩|车机|T-?Box|vehicle|automotive|\bTesla\b|EV charg/i },
  { type: 'database', pattern: /数据库|database|\bMySQL\b|MariaDB|PostgreSQL|Oracle Database|MongoDB|\bRedis\b|SQLite|InfluxDB|Elasticsearch|\bDb2\b|SQL Server|Cassandra|CouchDB|ClickHouse|达梦|人大金仓|TiDB|Neo4j|OpenTSDB|Memcached/i },
  { type: 'security_product', pattern: /防火墙|安全网关|杀毒|反病毒|防病毒|病毒防护|入侵检测|入侵防御|堡垒机|终端安全|终端防护|态势感知|安全管理平台|安全审计|上网行为管理|VPN|antivirus|anti-virus|firewall|endpoint (protection|security|detection)|\bWAF\b|FortiOS|FortiGate|FortiWeb|FortiClient|Sophos|Symantec|McAfee|Trend Micro|Avast|\bAVG\b|Kaspersky|\bESET\b|Bitdefender|深信服|奇安信|天融信|绿盟|启明星辰|安恒|Palo Alto|Check Point|SonicWall|Zscaler|Malwarebytes/i },
  { type: 'smart_device', pattern: /摄像头|摄像机|网络视频|硬盘录像机|\bNVR\b|\bDVR\b|IP ?camera|\bcamera\b|智能[^合约]|物联网|\bIoT\b|门禁|打印机|printer|一体机|网络存储|\bNAS\b|My Cloud|智能家居|扫地机|音箱|手表|电视|Smart TV|可穿戴|无人机|drone|Hikvision|海康|大华|Dahua|Ezviz|萤石/i },
  { type: 'network_device', pattern: /路由器|交换机|网关|调制解调器|光猫|无线接入点|接入点|负载均衡|网络设备|无线控制器|router|\bswitch(es)?\b|gateway|access point|\bmodem\b|\bONT\b|\bOLT\b|Cisco IOS|IOS XR|IOS XE|NX-OS|Junos|RouterOS|SD-WAN|D-Link|Tenda|TP-Link|NETGEAR|TOTOLINK|Linksys|Zyxel|DrayTek|Ruijie|锐捷|H3C|华三|Wavlink|Mercusys|Netis|Ubiquiti|MikroTik|Aruba|Juniper/i },
  { type: 'operating_system', pattern: /操作系统|operating system|Linux kernel|Linux内核|\bWindows\b|\bAndroid\b|\biOS\b|iPadOS|macOS|watchOS|tvOS|FreeBSD|OpenBSD|NetBSD|Solaris|\bAIX\b|HarmonyOS|鸿蒙|Ubuntu|Debian|Red Hat Enterprise Linux|Fedora|CentOS|SUSE|openEuler|麒麟|统信/i },
  { type: 'application', pattern: /浏览器|browser|阅读器|查看器|reader|viewer|客户端|client|播放器|player|编辑器|editor|桌面|desktop|输入法|办公软件|Office/i },
  { type: 'web_application', pattern: /内容管理|CMS|博客|blog|论坛|forum|Web应用|网站|网页|web ?app|管理系统|管理平台|商城|电子商务|e-?commerce|WordPress|Drupal|Joomla|\bPHP\b|Wiki|webmail|\bOA\b|办公自动化|门户|portal|插件|plugin|主题|theme|面板|panel|phpMyAdmin|GitLab|Jenkins|Confluence|Jira|Grafana|Web服务|Web界面|web interface|基于Web|Web的/i },
];

/** The "what it is" phrase of a CNVD description: "…是…的一款无线路由器。" → "无线路由器". */
export function introPhrase(description: string | undefined): string | undefined {
  if (!description) return undefined;
  const first = description.split(/[。\n]/)[0] ?? '';
  const m = /(?:的|是)一(?:款|套|个|种|系列)([^。]*)/.exec(first);
  return m?.[1]?.trim() || undefined;
}

export function objectTypeOf(rec: { products: AffectedProduct[]; titleZh?: string; titleEn?: string; descriptionZh?: string; descriptionEn?: string }): ObjectType {
  const intro = introPhrase(rec.descriptionZh);
  const names = rec.products.map((p) => `${p.vendor} ${p.product}`).join(' ; ');
  const candidates = [intro, `${names} ${rec.titleZh ?? ''} ${rec.titleEn ?? ''}`, (rec.descriptionZh ?? rec.descriptionEn ?? '').slice(0, 300)];
  for (const text of candidates) {
    if (!text) continue;
    const rule = OBJECT_TYPE_RULES.find((r) => r.pattern.test(text));
    if (rule) return rule.type;
  }
  return 'application';
}
