/**
 * Test factories: incident inputs modelled on the four seed attacks (shared/seeds). Indicator values use
 * documentation address ranges and invented hashes; several are pasted defanged, as analysts do.
 * Each call returns a fresh object.
 */
type Raw = Record<string, unknown>;

export function supplyChainIncident(over: Raw = {}): Raw {
  return {
    id: 'INC-2024-0031',
    title: 'Document-security system flaw used to take over a software-upgrade server',
    summary:
      '攻击者利用某电子文档安全管理系统漏洞，入侵软件升级管理服务器，通过软件升级服务向270余台主机投递控制木马。',
    victims: [{ name: 'Advanced materials design institute', sector: 'manufacturing', organisationId: 17 }],
    discoveredAt: '2024-12-18',
    startedAt: '2024-08-01',
    status: 'closed',
    vector: 'vulnerability-exploit',
    tlp: 'amber',
    attackChain: [
      {
        order: 1,
        phase: 'initial-access',
        description: 'Exploited the document-security-management system exposed to the internet',
        techniqueIds: ['T1190'],
        vulnerabilityIds: ['CNVD-2024-41234'],
        assets: 'document security management server',
      },
      {
        order: 2,
        phase: 'lateral-movement',
        description: 'Took over the software-upgrade management server',
        techniqueIds: ['T1072'],
        vulnerabilityIds: ['VS-2024-00017'],
      },
      {
        order: 3,
        phase: 'execution',
        description: 'Pushed a control trojan to 270+ hosts through the upgrade service',
        techniqueIds: ['T1072', 'T1204.002'],
        vulnerabilityIds: [],
      },
      {
        order: 4,
        phase: 'exfiltration',
        description: 'Trade secrets and intellectual property taken',
        techniqueIds: ['T1041'],
        vulnerabilityIds: [],
      },
    ],
    assets: [
      { kind: 'upgrade-server', count: 1 },
      { kind: 'workstation', count: 270 },
    ],
    dataTaken: 'Trade secrets and intellectual property',
    indicators: [
      { type: 'ipv4', value: '203.0.113[.]45', description: 'C2 server' },
      { type: 'domain', value: 'Update-CDN[.]example' },
      { type: 'sha256', value: 'A3F1C9E2B7D84F6A0C1E5B9D2F7A8C3E4B6D1F0A9C8E7B2D5F4A3C1E0B9D8F7A' },
      { type: 'md5', value: '0cc175b9c0f1b6a831c399e269772661' },
    ],
    attribution: { actor: 'Suspected foreign intelligence agency', confidence: 'medium' },
    createdAt: '2024-12-18T02:00:00.000Z',
    updatedAt: '2024-12-20T09:15:30.250Z',
    ...over,
  };
}

export function exchangeIncident(over: Raw = {}): Raw {
  return {
    id: 'INC-2024-0032',
    title: 'Exchange flaw used to backdoor a mail server and pivot to 30+ devices',
    summary: '攻击者利用微软Exchange漏洞，入侵控制邮件服务器并植入后门程序，以其为跳板攻击控制30余台设备。',
    victims: [
      { name: 'Smart-energy and digital-information group', sector: 'energy', organisationId: 23 },
      { name: 'Group subsidiary', sector: 'internet' },
    ],
    discoveredAt: '2024-12-18T10:00:00+08:00',
    startedAt: '2023-05-01',
    status: 'contained',
    vector: 'vulnerability-exploit',
    tlp: 'green',
    attackChain: [
      {
        order: 10,
        phase: 'initial-access',
        description: 'Exploited Microsoft Exchange through several overseas relays',
        techniqueIds: ['T1190', 'T1090.003'],
        vulnerabilityIds: ['CVE-2021-26855', 'CVE-2021-27065'],
      },
      {
        order: 20,
        phase: 'persistence',
        description: 'Backdoor planted on the mail server',
        techniqueIds: ['T1505.003'],
        vulnerabilityIds: [],
        assets: 'mail server',
      },
      {
        order: 30,
        phase: 'collection',
        description: 'Mail stolen continuously',
        techniqueIds: ['T1114.002'],
        vulnerabilityIds: [],
      },
      {
        order: 40,
        phase: 'lateral-movement',
        description: 'Pivoted from the mail server to 30+ devices of the group and its subsidiaries',
        techniqueIds: ['T1021', 'T1078'],
        vulnerabilityIds: [],
      },
    ],
    assets: [
      { kind: 'mail-server', count: 1 },
      { kind: 'server', count: 30 },
    ],
    dataTaken: 'Mail since 2023-05; trade secrets',
    indicators: [
      { type: 'ipv6', value: '2001:DB8:0:0:0:0:0:10' },
      { type: 'url', value: 'hxxps://relay[.]example/owa/auth/x.aspx?q=1' },
      { type: 'email', value: 'it-support[at]mail-relay[.]example' },
      { type: 'sha1', value: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', description: 'web shell' },
    ],
    attribution: { actor: 'Suspected foreign intelligence agency', confidence: 'high' },
    createdAt: '2024-12-18T02:05:00.000Z',
    updatedAt: '2024-12-19T00:00:00.000Z',
    ...over,
  };
}

export function cameraIncident(over: Raw = {}): Raw {
  return {
    id: 'INC-2025-0004',
    title: 'Weak-password IP cameras of a chemical plant viewed from abroad',
    summary: '化工厂区安全智能管控平台的网络摄像机存在弱口令漏洞，多次遭境外入侵，重大危险源监测视频被获取。',
    victims: [
      { name: 'Ningbo chemical plant', sector: 'chemical', organisationId: 31 },
      { name: 'Platform contractor', sector: 'other' },
    ],
    discoveredAt: '2024-11-19',
    startedAt: '2024-11-17',
    endedAt: '2024-11-19',
    status: 'contained',
    vector: 'weak-credential',
    tlp: 'amber+strict',
    attackChain: [
      {
        order: 1,
        phase: 'initial-access',
        description: 'Logged in to cameras with weak default passwords',
        techniqueIds: ['T1078.001'],
        vulnerabilityIds: ['VS-2024-00093'],
      },
      {
        order: 2,
        phase: 'collection',
        description: 'Viewed and took video of major hazard sources',
        techniqueIds: ['T1125'],
        vulnerabilityIds: [],
      },
    ],
    assets: [{ kind: 'camera', count: 12 }],
    dataTaken: 'Monitoring video of major hazard sources',
    indicators: [
      { type: 'ipv4', value: '198.51.100.23', description: 'login source (abroad)' },
      { type: 'ipv4', value: '198.51.100[.]77' },
    ],
    createdAt: '2025-01-15T08:00:00.000Z',
    updatedAt: '2025-01-21T08:00:00.000Z',
    ...over,
  };
}

export function codeSigningIncident(over: Raw = {}): Raw {
  return {
    title: 'Code-signing certificates obtained for trojaned software',
    summary: '境外机构诱使技术人员为数十款捆绑木马的软件配置数字签名证书，以通过安全认证检测。',
    victims: [
      { name: 'Defence research unit', sector: 'government' },
      { name: 'High-tech manufacturer', sector: 'manufacturing', organisationId: 52 },
    ],
    discoveredAt: '2023-11-27',
    status: 'analysing',
    vector: 'stolen-certificate',
    tlp: 'red',
    sharedWithOrganisationIds: [41],
    attackChain: [
      {
        order: 1,
        phase: 'defense-evasion',
        description: 'Trojaned software signed with certificates configured by a hired engineer',
        techniqueIds: ['T1553.002'],
        vulnerabilityIds: [],
      },
      {
        order: 2,
        phase: 'execution',
        description: 'Victims ran the signed software',
        techniqueIds: ['T1204.002'],
        vulnerabilityIds: [],
      },
      {
        order: 3,
        phase: 'command-and-control',
        description: 'Trojan beaconed over HTTPS',
        techniqueIds: ['T1071.001'],
        vulnerabilityIds: [],
      },
    ],
    assets: [
      { kind: 'workstation', count: 40 },
      { kind: 'server', count: 6 },
    ],
    indicators: [
      { type: 'cert-serial', value: '0A:1B:2C:3D:4E:5F:60:71:82:93' },
      { type: 'cert-thumbprint', value: '5F:A1:9C:3B:22:D0:8E:7F:61:44:AB:CD:EF:01:23:45:67:89:9A:BC' },
      {
        type: 'cert-thumbprint',
        value: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        description: 'SHA-256 thumbprint',
      },
      {
        type: 'sha512',
        value:
          'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
      },
    ],
    createdAt: '2023-11-27T12:00:00.000Z',
    updatedAt: '2023-11-28T12:00:00.000Z',
    ...over,
  };
}

export const SEED_INCIDENTS = {
  'supply chain through an upgrade server': supplyChainIncident,
  'Exchange mail server pivot': exchangeIncident,
  'weak-password cameras at a chemical plant': cameraIncident,
  'code-signing certificates for trojans': codeSigningIncident,
} as const;
