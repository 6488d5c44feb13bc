/**
 * Industries (行业) a vulnerability concerns: telecom (电信), mobile internet (移动互联网), industrial control
 * (工控). Most records concern none. Each rule lists patterns over vendor, product, title and the
 * description's opening; an object type may also imply an industry. Extend freely.
 */
import type { AffectedProduct, Industry, ObjectType } from '../vulns/model.js';
import { firstSentence } from './object-types.js';

/** `unless`: an industry that, when already found, means this rule does not apply (an ICS switch is not telecom). */
export const INDUSTRY_RULES: Array<{
  industry: Industry;
  pattern?: RegExp;
  objectTypes?: ObjectType[];
  unless?: Industry;
}> = [
  {
    industry: 'ics',
    pattern:
      /工控|工业控制|工业自动化|\bSCADA\b|\bPLC\b|\bHMI\b|\bDCS\b|Modbus|SIMATIC|SINEC|SICAM|SIPROTEC|Schneider Electric|施耐德|Rockwell|Allen-Bradley|Mitsubishi Electric|三菱电机|Omron|欧姆龙|Delta Electronics|台达|\bABB\b|Honeywell|Emerson|Yokogawa|横河|CODESYS|WAGO|Moxa|Advantech|研华|和利时|亚控|组态|可编程逻辑控制器|人机界面|变电站|电力|能源管理|楼宇自控|Phoenix Contact|Beckhoff|Johnson Controls|Festo|B&R|Wonderware|AVEVA|Inductive Automation|Ignition|Mitsubishi|Hitachi Energy|RUGGEDCOM|SCALANCE|Hirschmann|\bOT环境|IoT\/OT|工业路由器|工业防火墙/i,
  },
  {
    industry: 'telecom',
    pattern:
      /电信|运营商|基站|\b5G\b|\bLTE\b|\b4G\b|VoIP|\bSIP\b|\bIMS\b|光猫|\bONT\b|\bOLT\b|GPON|EPON|调制解调器|modem|路由器|交换机|router|\bswitch(es)?\b|无线接入|Ericsson|爱立信|Nokia Networks|Cisco IOS|IOS XR|NX-OS|Junos|通信网络|网络操作系统|hostapd/i,
    objectTypes: ['network_device'],
    unless: 'ics',
  },
  {
    industry: 'mobile_internet',
    pattern:
      /\bAndroid\b|\biOS\b|iPadOS|移动应用|移动端|手机|\bAPP\b|小程序|微信|mobile|smartphone|MIUI|HarmonyOS|鸿蒙|Xiaomi|小米|OPPO|vivo|Samsung Mobile|三星手机|Pixel|移动互联网/i,
  },
];

export function industriesOf(
  rec: {
    products: AffectedProduct[];
    titleZh?: string;
    titleEn?: string;
    descriptionZh?: string;
    descriptionEn?: string;
  },
  objectType?: ObjectType,
): Industry[] {
  const text = `${rec.products.map((p) => `${p.vendor} ${p.product}`).join(' ; ')} ${rec.titleZh ?? ''} ${rec.titleEn ?? ''} ${firstSentence(rec.descriptionZh ?? rec.descriptionEn ?? '')}`;
  const out: Industry[] = [];
  for (const r of INDUSTRY_RULES) {
    if (r.unless && out.includes(r.unless)) continue;
    const byText = !!r.pattern && r.pattern.test(text);
    const byType = !!objectType && !!r.objectTypes?.includes(objectType);
    if (byText || byType) {
      if (!out.includes(r.industry)) out.push(r.industry);
    }
  }
  return out;
}
