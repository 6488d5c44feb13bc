/**
 * Weakness names as CNVD titles write them ("<product><weakness>漏洞（CNVD-…）") → CWE. Longest name wins
 * (堆缓冲区溢出 before 缓冲区溢出). cwe null = known by name only (未明, 其他). Extend freely.
 */
import type { Weakness } from '../vulns/model.js';

export interface WeaknessRule {
  zh: string;
  cwe: string | null;
  en: string;
}

export const WEAKNESS_RULES: WeaknessRule[] = [
  { zh: '跨站脚本', cwe: 'CWE-79', en: 'Cross-site scripting (XSS)' },
  { zh: 'XSS', cwe: 'CWE-79', en: 'Cross-site scripting (XSS)' },
  { zh: 'SQL注入', cwe: 'CWE-89', en: 'SQL injection' },
  { zh: 'SQL盲注', cwe: 'CWE-89', en: 'SQL injection' },
  { zh: '注入', cwe: 'CWE-74', en: 'Injection' },
  { zh: '命令注入', cwe: 'CWE-77', en: 'Command injection' },
  { zh: '系统命令注入', cwe: 'CWE-78', en: 'OS command injection' },
  { zh: '操作系统命令注入', cwe: 'CWE-78', en: 'OS command injection' },
  { zh: 'OS命令注入', cwe: 'CWE-78', en: 'OS command injection' },
  { zh: '命令执行', cwe: 'CWE-78', en: 'Command execution' },
  { zh: '远程命令执行', cwe: 'CWE-78', en: 'Remote command execution' },
  { zh: '代码注入', cwe: 'CWE-94', en: 'Code injection' },
  { zh: '代码执行', cwe: 'CWE-94', en: 'Code execution' },
  { zh: '远程代码执行', cwe: 'CWE-94', en: 'Remote code execution' },
  { zh: '任意代码执行', cwe: 'CWE-94', en: 'Arbitrary code execution' },
  { zh: '模板注入', cwe: 'CWE-1336', en: 'Template injection' },
  { zh: '表达式注入', cwe: 'CWE-917', en: 'Expression language injection' },
  { zh: 'XML外部实体注入', cwe: 'CWE-611', en: 'XML external entity (XXE)' },
  { zh: '外部实体注入', cwe: 'CWE-611', en: 'XML external entity (XXE)' },
  { zh: 'XXE', cwe: 'CWE-611', en: 'XML external entity (XXE)' },
  { zh: 'LDAP注入', cwe: 'CWE-90', en: 'LDAP injection' },
  { zh: 'CRLF注入', cwe: 'CWE-93', en: 'CRLF injection' },
  { zh: 'HTTP响应拆分', cwe: 'CWE-113', en: 'HTTP response splitting' },
  { zh: 'CSV注入', cwe: 'CWE-1236', en: 'CSV injection' },
  { zh: '参数注入', cwe: 'CWE-88', en: 'Argument injection' },
  { zh: '缓冲区溢出', cwe: 'CWE-119', en: 'Buffer overflow' },
  { zh: '缓冲区错误', cwe: 'CWE-119', en: 'Buffer error' },
  { zh: '堆缓冲区溢出', cwe: 'CWE-122', en: 'Heap-based buffer overflow' },
  { zh: '堆溢出', cwe: 'CWE-122', en: 'Heap-based buffer overflow' },
  { zh: '栈缓冲区溢出', cwe: 'CWE-121', en: 'Stack-based buffer overflow' },
  { zh: '堆栈溢出', cwe: 'CWE-121', en: 'Stack-based buffer overflow' },
  { zh: '栈溢出', cwe: 'CWE-121', en: 'Stack-based buffer overflow' },
  { zh: '整数溢出', cwe: 'CWE-190', en: 'Integer overflow' },
  { zh: '整数下溢', cwe: 'CWE-191', en: 'Integer underflow' },
  { zh: '数字错误', cwe: 'CWE-189', en: 'Numeric error' },
  { zh: '越界读取', cwe: 'CWE-125', en: 'Out-of-bounds read' },
  { zh: '越界写入', cwe: 'CWE-787', en: 'Out-of-bounds write' },
  { zh: '越界访问', cwe: 'CWE-119', en: 'Out-of-bounds access' },
  { zh: '内存越界', cwe: 'CWE-119', en: 'Out-of-bounds memory access' },
  { zh: '内存错误引用', cwe: 'CWE-119', en: 'Improper memory reference' },
  { zh: '内存破坏', cwe: 'CWE-119', en: 'Memory corruption' },
  { zh: '内存损坏', cwe: 'CWE-119', en: 'Memory corruption' },
  { zh: '内存泄漏', cwe: 'CWE-401', en: 'Memory leak' },
  { zh: '内存泄露', cwe: 'CWE-401', en: 'Memory leak' },
  { zh: '内存耗尽', cwe: 'CWE-400', en: 'Memory exhaustion' },
  { zh: '释放后重用', cwe: 'CWE-416', en: 'Use after free' },
  { zh: '释放后使用', cwe: 'CWE-416', en: 'Use after free' },
  { zh: '双重释放', cwe: 'CWE-415', en: 'Double free' },
  { zh: '二次释放', cwe: 'CWE-415', en: 'Double free' },
  { zh: '空指针解引用', cwe: 'CWE-476', en: 'NULL pointer dereference' },
  { zh: '空指针引用', cwe: 'CWE-476', en: 'NULL pointer dereference' },
  { zh: 'NULL指针解引用', cwe: 'CWE-476', en: 'NULL pointer dereference' },
  { zh: '未初始化指针访问', cwe: 'CWE-824', en: 'Access of uninitialized pointer' },
  { zh: '未初始化', cwe: 'CWE-908', en: 'Use of uninitialized resource' },
  { zh: '类型混淆', cwe: 'CWE-843', en: 'Type confusion' },
  { zh: '格式化字符串', cwe: 'CWE-134', en: 'Format string' },
  { zh: '竞争条件', cwe: 'CWE-362', en: 'Race condition' },
  { zh: '条件竞争', cwe: 'CWE-362', en: 'Race condition' },
  { zh: '死锁', cwe: 'CWE-833', en: 'Deadlock' },
  { zh: '无限循环', cwe: 'CWE-835', en: 'Infinite loop' },
  { zh: '拒绝服务', cwe: 'CWE-400', en: 'Denial of service' },
  { zh: '资源管理错误', cwe: 'CWE-399', en: 'Resource management error' },
  { zh: '资源耗尽', cwe: 'CWE-400', en: 'Resource exhaustion' },
  { zh: '信息泄露', cwe: 'CWE-200', en: 'Information disclosure' },
  { zh: '信息泄漏', cwe: 'CWE-200', en: 'Information disclosure' },
  { zh: '敏感信息泄露', cwe: 'CWE-200', en: 'Sensitive information disclosure' },
  { zh: '日志信息泄露', cwe: 'CWE-532', en: 'Information exposure through log files' },
  { zh: '信息暴露', cwe: 'CWE-200', en: 'Information exposure' },
  { zh: '权限提升', cwe: 'CWE-269', en: 'Privilege escalation' },
  { zh: '提权', cwe: 'CWE-269', en: 'Privilege escalation' },
  { zh: '本地权限提升', cwe: 'CWE-269', en: 'Local privilege escalation' },
  { zh: '权限许可和访问控制问题', cwe: 'CWE-264', en: 'Permissions, privileges and access control' },
  { zh: '权限管理', cwe: 'CWE-269', en: 'Improper privilege management' },
  { zh: '访问控制错误', cwe: 'CWE-284', en: 'Improper access control' },
  { zh: '访问控制问题', cwe: 'CWE-284', en: 'Improper access control' },
  { zh: '访问控制不当', cwe: 'CWE-284', en: 'Improper access control' },
  { zh: '授权问题', cwe: 'CWE-285', en: 'Improper authorization' },
  { zh: '未授权访问', cwe: 'CWE-862', en: 'Missing authorization' },
  { zh: '越权访问', cwe: 'CWE-639', en: 'Authorization bypass' },
  { zh: '越权', cwe: 'CWE-639', en: 'Authorization bypass' },
  { zh: '身份验证绕过', cwe: 'CWE-287', en: 'Authentication bypass' },
  { zh: '身份认证绕过', cwe: 'CWE-287', en: 'Authentication bypass' },
  { zh: '认证绕过', cwe: 'CWE-287', en: 'Authentication bypass' },
  { zh: '验证绕过', cwe: 'CWE-287', en: 'Authentication bypass' },
  { zh: '登录绕过', cwe: 'CWE-287', en: 'Authentication bypass' },
  { zh: '身份验证错误', cwe: 'CWE-287', en: 'Improper authentication' },
  { zh: '认证错误', cwe: 'CWE-287', en: 'Improper authentication' },
  { zh: '安全绕过', cwe: 'CWE-693', en: 'Security bypass' },
  { zh: '安全限制绕过', cwe: 'CWE-693', en: 'Security restriction bypass' },
  { zh: '绕过', cwe: 'CWE-693', en: 'Protection mechanism bypass' },
  { zh: '跨站请求伪造', cwe: 'CWE-352', en: 'Cross-site request forgery (CSRF)' },
  { zh: 'CSRF', cwe: 'CWE-352', en: 'Cross-site request forgery (CSRF)' },
  { zh: '服务端请求伪造', cwe: 'CWE-918', en: 'Server-side request forgery (SSRF)' },
  { zh: '服务器端请求伪造', cwe: 'CWE-918', en: 'Server-side request forgery (SSRF)' },
  { zh: 'SSRF', cwe: 'CWE-918', en: 'Server-side request forgery (SSRF)' },
  { zh: '路径遍历', cwe: 'CWE-22', en: 'Path traversal' },
  { zh: '目录遍历', cwe: 'CWE-22', en: 'Path traversal' },
  { zh: '目录穿越', cwe: 'CWE-22', en: 'Path traversal' },
  { zh: '任意文件读取', cwe: 'CWE-22', en: 'Arbitrary file read' },
  { zh: '任意文件下载', cwe: 'CWE-22', en: 'Arbitrary file download' },
  { zh: '任意文件删除', cwe: 'CWE-22', en: 'Arbitrary file deletion' },
  { zh: '任意文件写入', cwe: 'CWE-22', en: 'Arbitrary file write' },
  { zh: '文件包含', cwe: 'CWE-98', en: 'File inclusion' },
  { zh: '本地文件包含', cwe: 'CWE-98', en: 'Local file inclusion' },
  { zh: '远程文件包含', cwe: 'CWE-98', en: 'Remote file inclusion' },
  { zh: '文件上传', cwe: 'CWE-434', en: 'Unrestricted file upload' },
  { zh: '任意文件上传', cwe: 'CWE-434', en: 'Unrestricted file upload' },
  { zh: '后置链接', cwe: 'CWE-59', en: 'Link following' },
  { zh: '链接跟随', cwe: 'CWE-59', en: 'Link following' },
  { zh: '符号链接', cwe: 'CWE-59', en: 'Link following' },
  { zh: '反序列化', cwe: 'CWE-502', en: 'Deserialization of untrusted data' },
  { zh: '开放重定向', cwe: 'CWE-601', en: 'Open redirect' },
  { zh: 'URL重定向', cwe: 'CWE-601', en: 'Open redirect' },
  { zh: '重定向', cwe: 'CWE-601', en: 'Open redirect' },
  { zh: '点击劫持', cwe: 'CWE-1021', en: 'Clickjacking' },
  { zh: '会话劫持', cwe: 'CWE-384', en: 'Session hijacking' },
  { zh: '会话固定', cwe: 'CWE-384', en: 'Session fixation' },
  { zh: '劫持', cwe: 'CWE-441', en: 'Hijacking' },
  { zh: 'DLL劫持', cwe: 'CWE-427', en: 'DLL hijacking' },
  { zh: '不受控的搜索路径', cwe: 'CWE-427', en: 'Uncontrolled search path' },
  { zh: '弱口令', cwe: 'CWE-521', en: 'Weak password' },
  { zh: '默认口令', cwe: 'CWE-1392', en: 'Default credentials' },
  { zh: '硬编码凭证', cwe: 'CWE-798', en: 'Hard-coded credentials' },
  { zh: '硬编码凭据', cwe: 'CWE-798', en: 'Hard-coded credentials' },
  { zh: '硬编码', cwe: 'CWE-798', en: 'Hard-coded credentials' },
  { zh: '明文存储', cwe: 'CWE-312', en: 'Cleartext storage' },
  { zh: '明文传输', cwe: 'CWE-319', en: 'Cleartext transmission' },
  { zh: '加密问题', cwe: 'CWE-310', en: 'Cryptographic issue' },
  { zh: '密码管理', cwe: 'CWE-255', en: 'Credentials management' },
  { zh: '凭证管理', cwe: 'CWE-255', en: 'Credentials management' },
  { zh: '信任管理问题', cwe: 'CWE-18', en: 'Trust management' },
  { zh: '证书验证', cwe: 'CWE-295', en: 'Improper certificate validation' },
  { zh: '安全特征问题', cwe: 'CWE-254', en: 'Security features' },
  { zh: '输入验证错误', cwe: 'CWE-20', en: 'Improper input validation' },
  { zh: '输入验证', cwe: 'CWE-20', en: 'Improper input validation' },
  { zh: '代码问题', cwe: 'CWE-17', en: 'Code issue' },
  { zh: '配置错误', cwe: 'CWE-16', en: 'Configuration' },
  { zh: '逻辑缺陷', cwe: 'CWE-840', en: 'Business logic error' },
  { zh: '业务逻辑', cwe: 'CWE-840', en: 'Business logic error' },
  { zh: '欺骗', cwe: 'CWE-451', en: 'Spoofing' },
  { zh: '地址栏欺骗', cwe: 'CWE-451', en: 'UI spoofing' },
  { zh: '数据伪造问题', cwe: 'CWE-345', en: 'Insufficient verification of data authenticity' },
  { zh: '环境问题', cwe: 'CWE-2', en: 'Environment' },
  { zh: '后门', cwe: 'CWE-912', en: 'Hidden functionality (backdoor)' },
  { zh: '隐藏功能', cwe: 'CWE-912', en: 'Hidden functionality' },
  { zh: '资源耗尽拒绝服务', cwe: 'CWE-400', en: 'Denial of service' },
  { zh: '未明', cwe: null, en: 'Unspecified' },
  { zh: '其他', cwe: null, en: 'Other' },
];

/** The rules longest name first, each name upper-cased once (not once per title and rule). */
const byLength = [...WEAKNESS_RULES]
  .sort((a, b) => b.zh.length - a.zh.length)
  .map((r) => ({ rule: r, upper: r.zh.toUpperCase() }));

/** The weakness a CNVD title names, if the table knows it. */
export function weaknessFromTitle(title: string): Weakness | undefined {
  const t = title
    .normalize('NFKC')
    .replace(/[(（]CNVD-[^)）]*[)）]\s*$/, '')
    .trim();
  const core = t.replace(/漏洞\s*$/, '').toUpperCase();
  // Prefer a name at the end of the title (where CNVD puts it), else anywhere.
  const hit = (byLength.find((r) => core.endsWith(r.upper)) ?? byLength.find((r) => core.includes(r.upper)))
    ?.rule;
  return hit ? { cwe: hit.cwe, nameZh: hit.zh, nameEn: hit.en } : undefined;
}

/** English keywords of CVE titles/descriptions → CWE, for records that name no CWE. */
export const EN_WEAKNESS_RULES: Array<{ pattern: RegExp; cwe: string; en: string; zh: string }> = [
  {
    pattern: /cross[- ]site scripting|\bxss\b/i,
    cwe: 'CWE-79',
    en: 'Cross-site scripting (XSS)',
    zh: '跨站脚本',
  },
  { pattern: /sql injection/i, cwe: 'CWE-89', en: 'SQL injection', zh: 'SQL注入' },
  {
    pattern: /os command injection|command injection/i,
    cwe: 'CWE-78',
    en: 'OS command injection',
    zh: '命令注入',
  },
  {
    pattern: /cross[- ]site request forgery|\bcsrf\b/i,
    cwe: 'CWE-352',
    en: 'Cross-site request forgery (CSRF)',
    zh: '跨站请求伪造',
  },
  { pattern: /path traversal|directory traversal/i, cwe: 'CWE-22', en: 'Path traversal', zh: '路径遍历' },
  { pattern: /use[- ]after[- ]free/i, cwe: 'CWE-416', en: 'Use after free', zh: '释放后重用' },
  {
    pattern: /stack[- ]based buffer overflow/i,
    cwe: 'CWE-121',
    en: 'Stack-based buffer overflow',
    zh: '栈缓冲区溢出',
  },
  {
    pattern: /heap[- ]based buffer overflow/i,
    cwe: 'CWE-122',
    en: 'Heap-based buffer overflow',
    zh: '堆缓冲区溢出',
  },
  { pattern: /buffer overflow/i, cwe: 'CWE-119', en: 'Buffer overflow', zh: '缓冲区溢出' },
  { pattern: /out[- ]of[- ]bounds write/i, cwe: 'CWE-787', en: 'Out-of-bounds write', zh: '越界写入' },
  { pattern: /out[- ]of[- ]bounds read/i, cwe: 'CWE-125', en: 'Out-of-bounds read', zh: '越界读取' },
  {
    pattern: /server[- ]side request forgery|\bssrf\b/i,
    cwe: 'CWE-918',
    en: 'Server-side request forgery (SSRF)',
    zh: '服务端请求伪造',
  },
  { pattern: /deserializ/i, cwe: 'CWE-502', en: 'Deserialization of untrusted data', zh: '反序列化' },
  {
    pattern: /unrestricted (file )?upload|arbitrary file upload/i,
    cwe: 'CWE-434',
    en: 'Unrestricted file upload',
    zh: '文件上传',
  },
  {
    pattern: /authentication bypass|missing authentication/i,
    cwe: 'CWE-287',
    en: 'Authentication bypass',
    zh: '身份验证绕过',
  },
  {
    pattern: /null pointer dereference/i,
    cwe: 'CWE-476',
    en: 'NULL pointer dereference',
    zh: '空指针解引用',
  },
  {
    pattern: /information (disclosure|exposure)/i,
    cwe: 'CWE-200',
    en: 'Information disclosure',
    zh: '信息泄露',
  },
  { pattern: /denial[- ]of[- ]service/i, cwe: 'CWE-400', en: 'Denial of service', zh: '拒绝服务' },
  {
    pattern: /privilege escalation|elevation of privilege/i,
    cwe: 'CWE-269',
    en: 'Privilege escalation',
    zh: '权限提升',
  },
  { pattern: /code injection|remote code execution/i, cwe: 'CWE-94', en: 'Code execution', zh: '代码执行' },
];

export function weaknessFromEnglish(text: string): Weakness | undefined {
  const r = EN_WEAKNESS_RULES.find((x) => x.pattern.test(text));
  return r ? { cwe: r.cwe, nameZh: r.zh, nameEn: r.en } : undefined;
}
