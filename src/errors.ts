/**
 * One error type with a stable code, and one table: code → HTTP status and the message a user reads, in English
 * and Chinese. An `AppError`'s own `message` is for logs (and the CLI); the HTTP plugin renders the table's
 * message in the request's language, filled from the error's details (`{from}`, `{to}` …) — `{message}` is
 * the log message itself, for generic codes whose specifics only the throwing code knows. The CLI maps the
 * status to an exit code. Codes that name a fact (`invalid_transition`, `already_notified` …) are preferred
 * over the generic ones: a client can act on a fact.
 */
export const USER_LANGS = ['en', 'zh'] as const;
export type UserLang = (typeof USER_LANGS)[number];

export interface ErrorEntry {
  readonly status: number;
  readonly en: string;
  readonly zh: string;
}

export const ERRORS = {
  // generic: the specifics are in the log message
  bad_request: { status: 400, en: '{message}', zh: '请求无效：{message}' },
  invalid_parameter: { status: 400, en: '{message}', zh: '参数无效：{message}' },
  invalid_input: { status: 400, en: '{message}', zh: '输入无效：{message}' },
  invalid_cvss_vector: { status: 400, en: '{message}', zh: 'CVSS 向量无效：{message}' },
  weak_password: { status: 400, en: '{message}', zh: '密码强度不足：{message}' },
  unauthorized: { status: 401, en: '{message}', zh: '请先登录' },
  forbidden: { status: 403, en: '{message}', zh: '无权执行此操作：{message}' },
  not_found: { status: 404, en: '{message}', zh: '未找到：{message}' },
  conflict: { status: 409, en: '{message}', zh: '操作冲突：{message}' },
  rate_limited: { status: 429, en: '{message}', zh: '请求过于频繁，请稍后再试' },
  internal: { status: 500, en: 'Internal error', zh: '内部错误' },
  unavailable: { status: 503, en: '{message}', zh: '服务暂不可用：{message}' },

  // facts
  /** A CVE JSON 5 record was asked of a vulnerability that has no CVE id. */
  no_cve_id: { status: 409, en: '{message}', zh: '该漏洞没有 CVE 编号，无法导出 CVE JSON 5 记录' },
  /** A workflow (submission, notification) was asked to go where its transition table does not lead. */
  invalid_transition: {
    status: 409,
    en: '{from} → {to} is not a transition of this workflow (next: {allowed})',
    zh: '不能从 {from} 转到 {to}（可转到：{allowed}）',
  },
  /** The organisation already has a notification about this report. */
  already_notified: {
    status: 409,
    en: '{organisation} was notified about {trackingNo} already',
    zh: '{organisation} 已就 {trackingNo} 收到过通报',
  },
  /** Only a verified, unpublished report is notified. */
  not_notifiable: {
    status: 409,
    en: 'Only a verified, unpublished report is notified (this one is {state})',
    zh: '只有已验证、未公开的报告才能通报（此报告状态：{state}）',
  },
  /** The earliest original report keeps the credit: a later one cannot be its canonical. */
  duplicate_of_later_report: {
    status: 409,
    en: '{trackingNo} came first and is original: mark {canonical} as the duplicate instead',
    zh: '{trackingNo} 报送更早且为原创：请将 {canonical} 标记为重复',
  },
  /** The action needs a signed-in user (the CLI and anonymous callers are not one). */
  user_account_required: {
    status: 403,
    en: 'This needs a signed-in user account',
    zh: '此操作需要已登录的用户账号',
  },
  /** A recipient's action needs membership of an organisation. */
  not_organisation_member: {
    status: 403,
    en: 'Sign in as a member of a notified organisation',
    zh: '请以被通报单位的成员身份登录',
  },
  /** The organisation is of a kind that does not receive notifications (a reporter's, an individual's). */
  not_receiving_organisation: {
    status: 403,
    en: '{organisation} is of a kind that does not receive notifications',
    zh: '{organisation} 不属于接收通报的单位类型',
  },
  /** The organisation has not been verified by an analyst: it receives no embargoed material yet. */
  unverified_organisation: {
    status: 403,
    en: '{organisation} is not verified yet: an analyst verifies an organisation before it receives embargoed reports',
    zh: '{organisation} 尚未通过验证：单位经分析员验证后才能接收未公开的报告',
  },
  /** A published bulletin is frozen. */
  bulletin_frozen: {
    status: 409,
    en: 'Bulletin {id} is published and frozen; its editorial content cannot change',
    zh: '周报 {id} 已发布并冻结，编辑内容不能再修改',
  },
  already_published: {
    status: 409,
    en: 'Bulletin {id} was published already ({publishedAt})',
    zh: '周报 {id} 已发布（{publishedAt}）',
  },
  week_not_started: {
    status: 409,
    en: 'Week {id} has not started yet; nothing to publish',
    zh: '{id} 周尚未开始，没有可发布的内容',
  },
  /** A STIX bundle names an incident that exists here and that the importer may not see. */
  stix_id_taken: {
    status: 409,
    en: 'An incident with this STIX id exists and you may not see it',
    zh: '已存在使用此 STIX 标识的事件，且您无权查看',
  },
  /** An alliance certificate (or a member) is held by another organisation (or another certificate). */
  certificate_taken: {
    status: 409,
    en: '{message}',
    zh: '联盟证书编号 {certificate} 已属于“{organisation}”',
  },
  /** Registration or a new account with an e-mail address that has an account. */
  email_taken: { status: 409, en: 'A user with e-mail {email} exists', zh: '邮箱 {email} 已有账号' },
  /** An organisation of this name is registered (or verified) already. */
  organisation_exists: {
    status: 409,
    en: '{message}',
    zh: '单位“{organisation}”已登记：请联系其管理员或协调员',
  },
  /** A feed of this name exists (with another source). */
  feed_exists: { status: 409, en: '{message}', zh: '已存在名为“{name}”的数据源' },
  /** Another worker holds the feed's lease. */
  feed_busy: {
    status: 409,
    en: 'feed "{name}" is being synced by another worker; try again later',
    zh: '数据源“{name}”正由另一个进程同步，请稍后再试',
  },
  /** A rejected record has no CSAF advisory and joins none. */
  rejected_record: {
    status: 409,
    en: '{message}',
    zh: '已驳回的漏洞记录没有 CSAF 通告：{ids}',
  },
  /** A platform advisory is not ready to publish (empty, embargoed records, nothing changed). */
  advisory_not_publishable: { status: 409, en: '{message}', zh: '通告不能发布：{message}' },
  /** A draft advisory has no CSAF document until it is published. */
  advisory_draft: {
    status: 409,
    en: 'A draft has no CSAF document: publish it first',
    zh: '草稿没有 CSAF 文档：请先发布',
  },
  /** A write lost a race with another writer of the same row. */
  changed_meanwhile: { status: 409, en: '{message}', zh: '记录已被他人修改，请重试' },
  /** The command line acts for the earliest admin, and there is none. */
  no_admin: {
    status: 409,
    en: '{message}',
    zh: '还没有管理员账号：请先创建（vulnshare admin create --email … --name …）',
  },
  /** What was asked needs records that are still under embargo. */
  embargoed: {
    status: 409,
    en: '{message}',
    zh: '{ids} 仍在禁发期内（至 {until}），禁发期结束后才能发布',
  },
  /** A signed-in (cookie) request without its X-CSRF-Token. */
  csrf_token_missing: {
    status: 403,
    en: 'Missing or wrong X-CSRF-Token header for a signed-in request',
    zh: '已登录请求缺少或带有错误的 X-CSRF-Token 头',
  },
  /** Federation: a signed message names an instance that is not a peer (or a peer that was removed). */
  peer_unknown: { status: 401, en: '{message}', zh: '未知的对等平台“{from}”' },
  /** Federation: the message's key is not one of the peer's keys, or it was revoked / retired too long ago. */
  peer_key_unknown: { status: 401, en: '{message}', zh: '对等平台“{from}”的签名密钥未知或已吊销' },
  /** Federation: the signature, the body digest or the signed request target does not match. */
  peer_signature_invalid: { status: 401, en: '{message}', zh: '对等平台消息签名无效' },
  /** Federation: a nonce already seen within the replay window. */
  peer_replay: { status: 401, en: '{message}', zh: '重放的对等平台消息已被拒绝' },
  /** Federation: the message's issuedAt is further from our clock than the allowance. */
  peer_clock_skew: { status: 401, en: '{message}', zh: '对等平台消息时间偏差超出允许范围' },
  /** Federation: a peer of this name exists already. */
  peer_exists: { status: 409, en: '{message}', zh: '已存在名为“{name}”的对等平台' },
  /** Federation: the peer answered something that is not a valid page of its change feed. */
  peer_bad_answer: { status: 502, en: '{message}', zh: '对等平台的应答无效' },
  /** Federation: the policy of this peer refuses the item (a kind, TLP level, embargo, sector or vendor). */
  peer_policy_refused: { status: 403, en: '{message}', zh: '对等平台策略不允许：{message}' },
  /** Federation: a message of a kind this instance has no handler for. */
  peer_message_kind_unknown: { status: 400, en: '{message}', zh: '不支持的对等平台消息类型' },
  /** Federation: only an embargoed submission with a record can be shared as an advance notice. */
  notice_not_shareable: { status: 409, en: '{message}', zh: '该报告不能作为预警通报共享：{message}' },
  /** Case hand-over: the submission was handed to a peer; coordination (notifying) happens there. */
  case_handed_over: { status: 409, en: '{message}', zh: '{trackingNo} 已移交 {peer} 协调处置' },
  /** Case hand-over: only an open case (not duplicate, rejected, fixed or published) is handed over. */
  handover_not_allowed: { status: 409, en: '{message}', zh: '该报告不能移交（状态：{state}）' },
  /** Case hand-over: a case.handover or case.update body that is not what the protocol says. */
  case_message_invalid: { status: 400, en: '{message}', zh: '案件移交消息无效：{message}' },
  /** ID delegation: an ids.delegate / ids.request body, or a delegate-ids request, that is not what it should be. */
  id_delegation_invalid: { status: 400, en: '{message}', zh: '编号委派无效：{message}' },
  /** First run: no admin yet; only the setup (the link `vulnshare serve` printed) is writable. */
  setup_required: {
    status: 503,
    en: 'vulnshare is not set up yet: open the setup link the server printed at start (/setup?token=…) and create the first admin',
    zh: 'vulnshare 尚未完成初始设置：请打开服务启动时输出的设置链接（/setup?token=…）并创建第一个管理员',
  },
  /** A setup link that was used, or any link once an admin exists. */
  setup_link_invalid: {
    status: 403,
    en: 'This setup link is not valid: it was used already, or an admin exists',
    zh: '此设置链接无效：已被使用，或已存在管理员',
  },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];
/** code → HTTP status (derived from ERRORS). */
export const ERROR_STATUS = Object.fromEntries(ERROR_CODES.map((c) => [c, ERRORS[c].status])) as {
  readonly [C in ErrorCode]: (typeof ERRORS)[C]['status'];
};

const shown = (v: unknown, lang: UserLang): string => {
  if (Array.isArray(v))
    return v.length ? v.map((x) => shown(x, lang)).join(', ') : lang === 'zh' ? '无' : 'none';
  if (v === null || v === undefined) return '?';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '?';
};

/** The user message of `code` in `lang`, `{name}` filled from `vars` (`{message}`: the log message). */
export function userMessage(code: ErrorCode, lang: UserLang, vars: Record<string, unknown> = {}): string {
  return ERRORS[code][lang].replace(/\{(\w+)\}/g, (_, name: string) => shown(vars[name], lang));
}

/**
 * The reader's language: `?lang=` first, then the first zh or en of Accept-Language in its q order, else en.
 */
export function userLangOf(acceptLanguage: string | undefined, lang?: unknown): UserLang {
  if (typeof lang === 'string') {
    const l = lang.toLowerCase();
    if (l.startsWith('zh')) return 'zh';
    if (l.startsWith('en')) return 'en';
  }
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((x) => /^\s*q=([\d.]+)\s*$/.exec(x)?.[1]).find((x) => x !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /** `message` is the log message: what happened, for operators; `userMessage(lang)` is what a user reads. */
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return ERRORS[this.code].status;
  }
  userMessage(lang: UserLang = 'en'): string {
    return userMessage(this.code, lang, { ...this.details, message: this.message });
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** The OpenAPI Error schema's `code`: every code of the table, with its status and English message. */
export const ERROR_CODE_SCHEMA = {
  type: 'string',
  enum: ERROR_CODES,
  description: [
    'A stable code from one table (src/errors.ts): the HTTP status and the user message (en / zh, by ' +
      'Accept-Language or ?lang=) follow from it.',
    '',
    ...ERROR_CODES.map((c) => `- \`${c}\` (${ERRORS[c].status}): ${ERRORS[c].en}`),
  ].join('\n'),
};
