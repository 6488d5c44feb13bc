/** Labels the pages share. */

/** Submission workflow states, as reporters and analysts see them. */
export const SUBMISSION_STATES: Record<string, { zh: string; en: string }> = {
  submitted: { zh: '已提交', en: 'Submitted' },
  triaged: { zh: '已分诊', en: 'Triaged' },
  need_info: { zh: '待补充信息', en: 'Needs information' },
  duplicate: { zh: '重复', en: 'Duplicate' },
  rejected: { zh: '未通过', en: 'Rejected' },
  verifying: { zh: '验证中', en: 'Verifying' },
  verified: { zh: '已验证', en: 'Verified' },
  notified: { zh: '已通报', en: 'Notified' },
  fixed: { zh: '已修复', en: 'Fixed' },
  published: { zh: '已公开', en: 'Published' },
};

/** CVSS metric names, to break a vector into readable parts. */
export const METRIC_NAMES: Record<string, { zh: string; en: string }> = {
  AV: { zh: '攻击途径', en: 'Attack vector' },
  AC: { zh: '攻击复杂度', en: 'Attack complexity' },
  AT: { zh: '攻击条件', en: 'Attack requirements' },
  PR: { zh: '所需权限', en: 'Privileges required' },
  Au: { zh: '认证', en: 'Authentication' },
  UI: { zh: '用户交互', en: 'User interaction' },
  S: { zh: '影响范围', en: 'Scope' },
  C: { zh: '机密性', en: 'Confidentiality' },
  I: { zh: '完整性', en: 'Integrity' },
  A: { zh: '可用性', en: 'Availability' },
  VC: { zh: '机密性（本系统）', en: 'Confidentiality (vulnerable system)' },
  VI: { zh: '完整性（本系统）', en: 'Integrity (vulnerable system)' },
  VA: { zh: '可用性（本系统）', en: 'Availability (vulnerable system)' },
  SC: { zh: '机密性（后续系统）', en: 'Confidentiality (subsequent)' },
  SI: { zh: '完整性（后续系统）', en: 'Integrity (subsequent)' },
  SA: { zh: '可用性（后续系统）', en: 'Availability (subsequent)' },
};
