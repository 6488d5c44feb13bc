/** Vendor names: multi-word vendors CNVD product strings start with, and aliases that name one vendor. */

/** Vendors whose name is more than one word (longest first when matching). Extend freely. */
export const MULTI_WORD_VENDORS: string[] = [
  'The PostgreSQL Global Development Group',
  'Apache Software Foundation',
  'The Apache Software Foundation',
  'Red Hat',
  'Palo Alto Networks',
  'Trend Micro',
  'Schneider Electric',
  'Rockwell Automation',
  'Hewlett Packard Enterprise',
  'HP Enterprise',
  'Western Digital',
  'Check Point',
  'Mitsubishi Electric',
  'Delta Electronics',
  'Phoenix Contact',
  'Johnson Controls',
  'Siemens Energy',
  'GE Digital',
  'Moxa Inc.',
  'Hikvision Digital Technology',
  'Zhejiang Dahua Technology',
  'Cisco Systems',
  'Juniper Networks',
  'Sierra Wireless',
  'Ivanti Software',
  'F5 Networks',
  'Progress Software',
  'SolarWinds Worldwide',
  'Adobe Systems',
  'Micro Focus',
  'Pulse Secure',
  'Zoho Corporation',
  'ManageEngine Zoho',
  'Open Design Alliance',
  'Eclipse Foundation',
  'Mozilla Foundation',
  'Python Software Foundation',
  'Node.js Foundation',
  'Linux Foundation',
  'Jenkins Project',
  'GitLab Inc.',
  'Atlassian Pty',
  'Dell EMC',
  'Dell Technologies',
  'Samsung Electronics',
  'LG Electronics',
  'Sony Corporation',
  'IPython development team.',
  'ImageMagick Studio',
  'GNU Project',
  'Free Software Foundation',
  'Tenable Network Security',
  'Broadcom Inc.',
  'Fuji Xerox',
  'Konica Minolta',
  'Canon Inc.',
  'Advantech WebAccess',
  'Emerson Electric',
  'Honeywell International',
  'Yokogawa Electric',
  'Omron Corporation',
  'Wind River',
  'Bosch Security Systems',
  'Axis Communications',
  'Ubiquiti Networks',
  'Zyxel Communications',
];

/** Different spellings of one vendor → the name used for grouping. Keys are compared lower-cased. */
export const VENDOR_ALIASES: Record<string, string> = {
  dlink: 'D-Link',
  'd-link': 'D-Link',
  'd link': 'D-Link',
  'tp-link': 'TP-Link',
  tplink: 'TP-Link',
  'the postgresql global development group': 'PostgreSQL',
  'postgresql global development group': 'PostgreSQL',
  'apache software foundation': 'Apache',
  'the apache software foundation': 'Apache',
  'cisco systems': 'Cisco',
  'juniper networks': 'Juniper',
  'hp enterprise': 'Hewlett Packard Enterprise',
  hpe: 'Hewlett Packard Enterprise',
  'zoho corporation': 'Zoho',
  'manageengine zoho': 'Zoho',
  manageengine: 'Zoho',
  'moxa inc.': 'Moxa',
  'gitlab inc.': 'GitLab',
  'atlassian pty': 'Atlassian',
  'broadcom inc.': 'Broadcom',
  'canon inc.': 'Canon',
  netgear: 'NETGEAR',
  totolink: 'TOTOLINK',
  'ipython development team.': 'IPython',
  wordpress: 'WordPress',
  'linux kernel': 'Linux',
  'mozilla foundation': 'Mozilla',
  'dell emc': 'Dell',
  'ibm security': 'IBM',
  'dell technologies': 'Dell',
};

const SUFFIXES =
  /[,，\s]*(incorporated|inc\.?|corporation|corp\.?|co\.,?\s*ltd\.?|ltd\.?|llc|gmbh|s\.a\.|ag|limited|有限公司|股份有限公司|科技有限公司|公司)$/i;

/**
 * Keys already made, by name: the writer asks for every product's vendor of every record it stores (about a
 * million times in a 300,000-record import, a few thousand names), and the suffix pattern tried at each of a
 * name's characters made that 0.75 s of the writer's thread for 60,000 CVE records. Cleared when full.
 */
const vendorKeys = new Map<string, string>();
const VENDOR_KEYS_KEPT = 20_000;

/** The key vendors are grouped and filtered by: alias-resolved, suffix-free, lower-case. */
export function vendorKey(name: string): string {
  let key = vendorKeys.get(name);
  if (key === undefined) {
    key = makeVendorKey(name);
    if (vendorKeys.size >= VENDOR_KEYS_KEPT) vendorKeys.clear();
    vendorKeys.set(name, key);
  }
  return key;
}

function makeVendorKey(name: string): string {
  const n = name.normalize('NFKC').trim().replace(/\s+/g, ' ');
  if (!n) return '';
  const alias = VENDOR_ALIASES[n.toLowerCase()];
  const base = (alias ?? n).replace(SUFFIXES, '').trim();
  return (VENDOR_ALIASES[base.toLowerCase()] ?? base).toLowerCase();
}

/** The display name for a vendor (alias-resolved). */
export function vendorDisplay(name: string): string {
  const n = name.normalize('NFKC').trim().replace(/\s+/g, ' ');
  return VENDOR_ALIASES[n.toLowerCase()] ?? n;
}
