// PII-free business prose (EN and ZH, with years, amounts, percentages and dates) that dilutes the labeled
// documents into "mixed text" for the throughput run.
import type { Rng } from './rng.js';

const EN = [
  'The quarterly review covers revenue, churn and the onboarding backlog for the northern region.',
  'Revenue grew {p}% in {y} to ${m} million, driven mostly by renewals in the enterprise segment.',
  'The committee approved the revised procurement policy, which takes effect on {d}.',
  'Section {n}.{n} of the agreement describes the obligations of each party after termination.',
  'Shipments were delayed by {n} days because the port closed during the storm.',
  'All suppliers must complete the security questionnaire before the next audit cycle.',
  'The new warehouse adds {k} square metres of storage and two loading docks.',
  'Customer satisfaction rose from {n}.{n} to {n}.{n} points after the support team was reorganised.',
  'Please review the attached draft and send comments before the end of the week.',
  'The migration plan moves {n} services to the new cluster in three phases.',
  'Training sessions are scheduled for every Tuesday in {mo}, each lasting {n} hours.',
  'Operating costs fell {p}% compared with the same period last year.',
  'The board discussed the dividend policy and the capital expenditure plan for {y}.',
  'Risk assessment identified {n} medium and {n} low findings, none of them critical.',
];
const ZH = [
  '本季度营业收入同比增长{p}%，主要来自企业客户续约。',
  '委员会审议通过了修订后的采购管理办法，自{d}起施行。',
  '合同第{n}条规定了双方在协议终止后的保密义务。',
  '受台风影响，港口关闭{n}天，部分货物延迟交付。',
  '所有供应商须在下一轮审计前完成信息安全问卷。',
  '新仓库增加了{k}平方米的存储面积和两个装卸平台。',
  '客户满意度由{n}.{n}分提升至{n}.{n}分。',
  '请在本周五前审阅附件草案并反馈修改意见。',
  '迁移方案计划分三个阶段将{n}个服务迁移至新集群。',
  '{y}年运营成本较上年同期下降{p}%。',
  '风险评估共发现中风险问题{n}项、低风险问题{n}项，无高风险问题。',
  '培训安排在{mo}每周二下午，每次{n}小时。',
];
const MONTHS = ['March', 'April', 'May', 'June', 'September', 'October'];

function fill(s: string, r: Rng): string {
  return s
    .replaceAll('{p}', () => `${r.int(1, 40)}.${r.int(0, 9)}`)
    .replaceAll('{y}', () => String(r.int(2015, 2026)))
    .replaceAll('{m}', () => `${r.int(1, 90)}.${r.int(0, 9)}`)
    .replaceAll('{d}', () => `${r.int(2020, 2026)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`)
    .replaceAll('{n}', () => String(r.int(1, 60)))
    .replaceAll('{k}', () => String(r.int(1000, 90000)))
    .replaceAll('{mo}', () => r.pick(MONTHS));
}

export function fillerParagraph(r: Rng, approxChars: number): string {
  const zh = r.chance(0.4);
  let out = '';
  while (out.length < approxChars) out += fill(r.pick(zh ? ZH : EN), r) + (zh ? '' : ' ');
  return out + '\n\n';
}
