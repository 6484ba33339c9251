// Seeded generator of labeled synthetic documents (EN and ZH; prose, Markdown tables, logs, email, JSON).
import { Rng } from './rng.js';
import { NEGATIVES, NEGATIVE_KINDS } from './negatives.js';
import * as V from './values.js';
import type { GoldType } from './values.js';

export interface Gold {
  type: GoldType;
  start: number;
  end: number;
  /** Real PII shape, but allowed by the bench scene's whitelist (a business field): must not be reported. */
  whitelisted?: boolean;
}
export type DocFormat = 'prose_en' | 'prose_zh' | 'markdown' | 'log' | 'email' | 'json';
export interface Doc {
  id: string;
  format: DocFormat;
  text: string;
  gold: Gold[];
}

class Builder {
  text = '';
  gold: Gold[] = [];
  constructor(readonly r: Rng) {}
  t(s: string): this {
    this.text += s;
    return this;
  }
  e(type: GoldType, value?: string, whitelisted = false): this {
    const v = value ?? gen(type, this.r);
    const start = this.text.length;
    this.text += v;
    this.gold.push(whitelisted ? { type, start, end: this.text.length, whitelisted } : { type, start, end: this.text.length });
    return this;
  }
  n(kind?: string): this {
    return this.t(NEGATIVES[kind ?? this.r.pick(NEGATIVE_KINDS)]!(this.r));
  }
}

const fullWidth = (s: string) => s.replace(/[0-9+-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

function gen(type: GoldType, r: Rng): string {
  switch (type) {
    case 'CREDIT_CARD': return V.creditCard(r);
    case 'US_SSN': return V.ssn(r);
    case 'PHONE_NUMBER': return V.phone(r);
    case 'EMAIL_ADDRESS': return V.email(r);
    case 'IP_ADDRESS': return V.ip(r);
    case 'CN_MOBILE': return r.chance(0.1) ? fullWidth(V.cnMobile(r)) : V.cnMobile(r);
    case 'CN_ID_CARD': return V.cnId(r);
    case 'CN_BANK_CARD': return V.cnBankCard(r);
  }
}

const hotline = (r: Rng) => `400-${r.int(600, 899)}-${r.digits(4)}`;
type Sentence = (b: Builder) => void;

const EN: Sentence[] = [
  (b) => b.t('Please call ').e('PHONE_NUMBER').t(' if the delivery fails.'),
  (b) => b.t('Customer card on file: ').e('CREDIT_CARD').t(', expires 09/27.'),
  (b) => b.t('Her SSN is ').e('US_SSN').t(' according to the intake form.'),
  (b) => b.t('Send the invoice to ').e('EMAIL_ADDRESS').t('.'),
  (b) => b.t('The request came from ').e('IP_ADDRESS').t(' at ').n('time').t('.'),
  (b) => b.t('Payment was made with card number ').e('CREDIT_CARD').t(' and the receipt went to ').e('EMAIL_ADDRESS').t('.'),
  (b) => b.t('SSN: ').e('US_SSN', V.ssn(b.r, '')).t(' (verified).'),
  (b) => b.t('Reach the agent at ').e('PHONE_NUMBER').t(' or ').e('EMAIL_ADDRESS').t(', reference ').n('order').t('.'),
  (b) => b.t('Contact Li on ').e('CN_MOBILE').t(' (mobile) or the Beijing desk at ').e('PHONE_NUMBER').t('.'),
  (b) => b.t('Order ').n('order').t(' shipped via tracking ').n('tracking').t('.'),
  (b) => b.t('Build ').n('version').t(' was released on ').n('isoDate').t('.'),
  (b) => b.t('Total: ').n('amount').t(' charged at ').n('timestampMs').t('.'),
  (b) => b.t('ISBN ').n('isbn').t(', request id ').n('uuid').t('.'),
  (b) => b.t('Commit ').n('hash').t(' fixed the parser; see ').n('sku').t('.'),
  (b) => b.t('Test SSN ').n('badSsn').t(' was rejected, as was card ').n('badCard').t('.'),
  (b) => b.t('The VPN assigned ').e('IP_ADDRESS').t(' and the gateway ').e('IP_ADDRESS').t('.'),
  (b) => b.t('Server ').n('badIp').t(' is not an address, nor is OID ').n('oid').t('.'),
  (b) => b.t('Wire to account ').e('CN_BANK_CARD').t(' at ICBC.'),
  (b) => b.t('Our hotline ').e('PHONE_NUMBER', hotline(b.r), true).t(' is open 24/7.'),
  (b) => b.t('Upgrade to version ').t(`${b.r.int(1, 9)}.${b.r.int(0, 9)}.${b.r.int(0, 9)}.${b.r.int(0, 9)}`).t(' before ').n('isoDate').t('.'),
];

const ZH: Sentence[] = [
  (b) => b.t('客户的手机号是').e('CN_MOBILE').t('，请尽快联系。'),
  (b) => b.t('身份证号码：').e('CN_ID_CARD').t('。'),
  (b) => b.t('请将款项汇入银行卡').e('CN_BANK_CARD').t('（工商银行）。'),
  (b) => b.t('卡号：').e('CN_BANK_CARD', V.cnBankCard(b.r, false)).t('，开户行：招商银行。'),
  (b) => b.t('邮箱').e('EMAIL_ADDRESS').t('已验证。'),
  (b) => b.t('服务器地址').e('IP_ADDRESS').t('无法访问。'),
  (b) => b.t('订单号').n('order').t('已发货，运单号').n('tracking').t('。'),
  (b) => b.t('身份证号').n('wrongId').t('校验失败。'),
  (b) => b.t('版本').n('version').t('于').n('isoDate').t('发布。'),
  (b) => b.t('金额').n('amount').t('，时间戳').n('timestampMs').t('。'),
  (b) => b.t('联系人张伟，电话').e('CN_MOBILE').t('，座机').e('PHONE_NUMBER').t('。'),
  (b) => b.t('客服热线').e('PHONE_NUMBER', hotline(b.r), true).t('。'),
  (b) => b.t('批次号').n('badMobile').t('，编码').n('uuid').t('。'),
  (b) => b.t('申请人身份证').e('CN_ID_CARD').t('，手机').e('CN_MOBILE').t('，信用卡').e('CREDIT_CARD').t('。'),
  (b) => b.t('来自').e('IP_ADDRESS').t('的请求被拒绝，MAC ').n('mac').t('。'),
];

function prose(b: Builder, set: Sentence[], n: number, sep: string) {
  for (let i = 0; i < n; i++) {
    b.r.pick(set)(b);
    b.t(sep);
  }
}

function log(b: Builder) {
  const lines = b.r.int(4, 10);
  for (let i = 0; i < lines; i++) {
    b.n('isoDateTime');
    switch (b.r.int(0, 6)) {
      case 0: b.t(' INFO [req=').n('uuid').t('] login ok user=').e('EMAIL_ADDRESS').t(' ip=').e('IP_ADDRESS').t(` took=${b.r.int(1, 900)}ms`); break;
      case 1: b.t(' WARN payment declined card=').e('CREDIT_CARD').t(' amount=').n('amount').t(' ts=').n('timestampMs'); break;
      case 2: b.t(' ERROR sms to ').e('CN_MOBILE').t(' failed code=E').t(b.r.digits(4)).t(' build=').n('version'); break;
      case 3: b.t(' sshd[').t(b.r.digits(4)).t(']: Accepted publickey for deploy from ').e('IP_ADDRESS').t(' port ').t(String(b.r.int(1024, 65535))); break;
      case 4: b.t(' DEBUG mac=').n('mac').t(' at=').n('time').t(' sku=').n('sku').t(' trace=').n('hash'); break;
      case 5: b.t(' INFO callback to ').e('PHONE_NUMBER').t(' queued order=').n('order'); break;
      default: b.t(' AUDIT kyc id=').e('CN_ID_CARD').t(' ssn=').e('US_SSN').t(' ref=').n('tracking');
    }
    b.t('\n');
  }
}

function email(b: Builder) {
  b.t('From: "Jane Smith" <').e('EMAIL_ADDRESS').t('>\nTo: ').e('EMAIL_ADDRESS').t('\nSubject: Re: your account\nDate: ').n('isoDateTime').t('\n\nHi,\n\n');
  prose(b, b.r.chance(0.5) ? EN : ZH, b.r.int(2, 4), b.r.chance(0.5) ? ' ' : '\n');
  b.t('\n\n--\nJane Smith\nTel: ').e('PHONE_NUMBER').t('\nMobile: ').e('CN_MOBILE').t('\nsupport_email: ').e('EMAIL_ADDRESS', `help${b.r.int(1, 9)}@service-desk.com`, true).t('\n');
}

function json(b: Builder) {
  const q = (s: string) => JSON.stringify(s);
  b.t('{\n  "order_id": ').t(q(NEGATIVES.order!(b.r))).t(',\n  "customer": {\n    "name": "Wang Fang",\n    "phone": "').e('PHONE_NUMBER').t('",\n    "email": "').e('EMAIL_ADDRESS').t('",\n    "mobile": "').e('CN_MOBILE').t('",\n    "id_card": "').e('CN_ID_CARD').t('",\n    "card": "').e('CREDIT_CARD').t('",\n    "ssn": "').e('US_SSN').t('"\n  },\n  "merchant": {\n    "service_phone": "').e('PHONE_NUMBER', V.phone(b.r), true).t('",\n    "settlement_account": "').e('CN_BANK_CARD', V.cnBankCard(b.r), true).t('"\n  },\n  "created_at": ').t(q(NEGATIVES.isoDateTime!(b.r))).t(',\n  "trace_id": ').t(q(NEGATIVES.hash!(b.r))).t(',\n  "client_ip": "').e('IP_ADDRESS').t('",\n  "sdk_version": ').t(q(NEGATIVES.version!(b.r))).t(',\n  "isbn": ').t(q(NEGATIVES.isbn!(b.r))).t(',\n  "amount": ').t(q(NEGATIVES.amount!(b.r))).t('\n}\n');
}

function markdown(b: Builder) {
  const zh = b.r.chance(0.5);
  b.t(zh ? '# 客户信息\n\n' : '# Customer records\n\n');
  prose(b, zh ? ZH : EN, b.r.int(1, 3), zh ? '' : ' ');
  b.t('\n\n');
  if (zh) {
    b.t('| 姓名 | 手机 | 身份证号 | 银行卡号 | 客服电话 | 订单号 |\n|---|---|---|:---:|---|---|\n');
    for (let i = 0, n = b.r.int(2, 5); i < n; i++)
      b.t('| 张三 | ').e('CN_MOBILE').t(' | ').e('CN_ID_CARD').t(' | ').e('CN_BANK_CARD').t(' | ').e('PHONE_NUMBER', b.r.chance(0.5) ? V.phone(b.r) : hotline(b.r), true).t(' | ').n('order').t(' |\n');
  } else {
    b.t('| Name | Email | Phone | Card number | SSN | Service hotline |\n| --- | --- | --- | --- | --- | --- |\n');
    for (let i = 0, n = b.r.int(2, 5); i < n; i++)
      b.t('| Ann Lee | ').e('EMAIL_ADDRESS').t(' | ').e('PHONE_NUMBER').t(' | ').e('CREDIT_CARD').t(' | ').e('US_SSN').t(' | ').e('PHONE_NUMBER', V.phone(b.r), true).t(' |\n');
  }
  b.t('\n');
  prose(b, zh ? ZH : EN, b.r.int(1, 2), zh ? '' : ' ');
  b.t('\n');
}

const FORMATS: DocFormat[] = ['prose_en', 'prose_zh', 'markdown', 'log', 'email', 'json'];

export function generateCorpus(seed: number, count: number): Doc[] {
  const r = new Rng(seed);
  const docs: Doc[] = [];
  for (let i = 0; i < count; i++) {
    const format = FORMATS[i % FORMATS.length]!;
    const b = new Builder(r);
    if (format === 'prose_en') prose(b, EN, r.int(4, 9), ' ');
    else if (format === 'prose_zh') prose(b, ZH, r.int(4, 9), '');
    else if (format === 'markdown') markdown(b);
    else if (format === 'log') log(b);
    else if (format === 'email') email(b);
    else json(b);
    docs.push({ id: `${format}-${i}`, format, text: b.text, gold: b.gold });
  }
  return docs;
}
