import { DeleteOutlined, PlusOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Dropdown, Empty, Form, Input, InputNumber, Modal, Popconfirm, Radio, Select, Space, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { cadreRankLabels, type CadreRank } from '../../../contracts/cadres.ts';
import type { CoverageRuleDto, CoverageRuleInput } from '../../../contracts/coverage.ts';
import { suggestedTags, targetKindLabels, type TargetKind } from '../../../contracts/targets.ts';
import { unitLevelLabels, type UnitLevel } from '../../../contracts/units.ts';
import { api, ApiError } from '../api.ts';
import { useI18n, type Lang, type MessageKey } from '../i18n.ts';
import { rankOptions, targetKindOptions, unitLevelOptions } from '../labels.ts';

// Coverage rules (覆盖要求) of a campaign: listed in words, added through a form that composes one
// of the three shapes, removed. The server refuses a rule that contradicts another with a 409 whose
// message says which; it is shown in the form as it comes.

type RuleKind = CoverageRuleDto['kind'];
type Params = { targetKinds?: TargetKind[]; targetTags?: string[]; cadreRanks?: CadreRank[]; unitLevels?: UnitLevel[]; min?: number; max?: number };

export const ruleKindLabel: Record<RuleKind, MessageKey> = {
  target_cadres: 'ruleTargetCadres',
  cadre_targets: 'ruleCadreTargets',
  unit_leader_named: 'ruleUnitLeader',
};

const joinList = (xs: string[], lang: Lang) => xs.join(lang === 'zh' ? '、' : ', ');

function rangeText(p: Params, lang: Lang): string {
  const { min, max } = p;
  if (min !== undefined && max !== undefined) return min === max ? `${min}` : `${min}–${max}`;
  if (min !== undefined) return lang === 'zh' ? `至少 ${min}` : `at least ${min}`;
  if (max !== undefined) return lang === 'zh' ? `至多 ${max}` : `at most ${max}`;
  return '';
}

/** A rule in words, from its parameters (the server's description may say it differently). */
export function ruleText(rule: Pick<CoverageRuleDto, 'kind' | 'params'>, lang: Lang): string {
  const p = rule.params as Params;
  const low = (x: string) => (lang === 'en' ? x.toLowerCase() : x);
  const kinds = joinList((p.targetKinds ?? []).map((k) => low(targetKindLabels[k]?.[lang] ?? k)), lang);
  const tags = p.targetTags?.length ? (lang === 'zh' ? `（标签：${joinList(p.targetTags, lang)}）` : ` (tags: ${joinList(p.targetTags, lang)})`) : '';
  const ranks = p.cadreRanks?.length ? joinList(p.cadreRanks.map((r) => low(cadreRankLabels[r]?.[lang] ?? r)), lang) : '';
  const levels = p.unitLevels?.length ? joinList(p.unitLevels.map((l) => low(unitLevelLabels[l]?.[lang] ?? l)), lang) : '';
  const range = rangeText(p, lang);
  if (rule.kind === 'unit_leader_named') return lang === 'zh' ? '每个参加单位明确责任领导' : 'Every participating unit names its responsible leader';
  if (rule.kind === 'target_cadres') {
    return lang === 'zh'
      ? `每个${kinds}${tags}由${range} 名${ranks}干部联系`
      : `Each ${kinds}${tags} is linked with ${range} ${ranks ? `${ranks} ` : ''}cadre(s)`;
  }
  return lang === 'zh'
    ? `每名${levels ? `${levels}单位` : ''}${ranks}干部联系${range} 个${kinds}${tags}`
    : `Each ${levels ? `${levels}-unit ` : ''}${ranks ? `${ranks} ` : ''}cadre is linked with ${range} ${kinds}${tags}`;
}

type RuleForm = {
  kind: RuleKind;
  description?: string;
  targetKinds?: TargetKind[];
  targetTags?: string[];
  cadreRanks?: CadreRank[];
  unitLevels?: UnitLevel[];
  min?: number | null;
  max?: number | null;
};

/** The articles' rules, to start from. */
const presets: { key: string; label: MessageKey; rule: RuleForm }[] = [
  {
    key: 'village',
    label: 'presetVillageCover',
    rule: { kind: 'target_cadres', description: '每个村（社区）至少有1名县级或科级干部联系', targetKinds: ['village', 'community'], cadreRanks: ['county', 'section'], min: 1 },
  },
  { key: 'five', label: 'presetFiveHouseholds', rule: { kind: 'cadre_targets', description: '每名干部联系约5户农户', targetKinds: ['household'], min: 4, max: 6 } },
  { key: 'two', label: 'presetTwoCadres', rule: { kind: 'target_cadres', description: '每户农户至少2名干部结对', targetKinds: ['household'], min: 2 } },
  { key: 'building', label: 'presetBuilding', rule: { kind: 'target_cadres', description: '每个楼栋单元由2名干部联系', targetKinds: ['building'], min: 2, max: 2 } },
  {
    key: 'dept-villages',
    label: 'presetDeptVillages',
    rule: { kind: 'cadre_targets', description: '部门、乡镇干部每人联系不少于2个村', targetKinds: ['village', 'community'], unitLevels: ['county', 'township'], min: 2 },
  },
  {
    key: 'dept-households',
    label: 'presetDeptHouseholds',
    rule: { kind: 'cadre_targets', description: '部门、乡镇干部每人联系不少于4户', targetKinds: ['household'], unitLevels: ['county', 'township'], min: 4 },
  },
  { key: 'leader', label: 'presetLeader', rule: { kind: 'unit_leader_named', description: '每个参加单位明确责任领导' } },
];

export function CoverageRulesCard({ campaignId, editable }: { campaignId: number; editable: boolean }) {
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [rules, setRules] = useState<CoverageRuleDto[] | null>(null);
  const [adding, setAdding] = useState(false);

  const load = useCallback(async () => {
    try {
      setRules(await api.get<CoverageRuleDto[]>(`/api/v1/campaigns/${campaignId}/coverage-rules`));
    } catch {
      setRules([]);
    }
  }, [campaignId]);

  useEffect(() => {
    void load();
  }, [load]);

  const remove = async (r: CoverageRuleDto) => {
    try {
      await api.del(`/api/v1/campaigns/${campaignId}/coverage-rules/${r.id}`);
      void message.success(t('ruleRemoved'));
      void load();
    } catch {
      /* shown by the API client */
    }
  };

  const columns: TableColumnsType<CoverageRuleDto> = [
    { title: '#', key: 'n', width: 44, align: 'right', render: (_, __, i) => i + 1 },
    {
      title: t('ruleDescription'),
      key: 'desc',
      render: (_, r) => (
        <div>
          <div style={{ fontWeight: 500 }}>{r.description || ruleText(r, lang)}</div>
          {r.description ? <div className="lx-muted" style={{ fontSize: 12 }}>{ruleText(r, lang)}</div> : null}
        </div>
      ),
    },
    { title: t('ruleKind'), dataIndex: 'kind', width: 150, render: (k: RuleKind) => <Tag color="geekblue">{t(ruleKindLabel[k])}</Tag> },
    {
      title: t('ruleRange'),
      key: 'range',
      width: 100,
      align: 'center',
      render: (_, r) => (r.kind === 'unit_leader_named' ? '—' : rangeText(r.params as Params, lang)),
    },
    ...(editable
      ? [
          {
            title: t('actions'),
            key: 'actions',
            width: 80,
            render: (_: unknown, r: CoverageRuleDto) => (
              <Popconfirm title={t('ruleRemoveConfirm')} okText={t('ok')} cancelText={t('cancel')} onConfirm={() => remove(r)}>
                <Button type="link" size="small" danger icon={<DeleteOutlined />}>
                  {t('remove')}
                </Button>
              </Popconfirm>
            ),
          },
        ]
      : []),
  ];

  return (
    <Card
      size="small"
      title={t('coverageRules')}
      data-testid="coverage-rules"
      extra={
        editable ? (
          <Button type="primary" size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="rule-add">
            {t('addRule')}
          </Button>
        ) : null
      }
    >
      {rules && rules.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noRules')} />
      ) : (
        <Table<CoverageRuleDto> rowKey="id" size="small" loading={!rules} dataSource={rules ?? []} columns={columns} pagination={false} />
      )}
      {adding ? (
        <RuleModal
          campaignId={campaignId}
          onCancel={() => setAdding(false)}
          onDone={() => {
            setAdding(false);
            void load();
          }}
        />
      ) : null}
    </Card>
  );
}

function RuleModal({ campaignId, onCancel, onDone }: { campaignId: number; onCancel: () => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<RuleForm>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; conflict: boolean } | null>(null);
  const kind = Form.useWatch('kind', form) ?? 'target_cadres';
  const kinds = Form.useWatch('targetKinds', form) ?? [];
  const watched = Form.useWatch([], form) as RuleForm | undefined;

  const tagOptions = Array.from(new Set(kinds.flatMap((k) => suggestedTags[k] ?? []))).map((x) => ({ value: x, label: x }));

  const toInput = (v: RuleForm): CoverageRuleInput => {
    const description = (v.description ?? '').trim();
    if (v.kind === 'unit_leader_named') return { kind: 'unit_leader_named', description, params: {} };
    const params = {
      targetKinds: v.targetKinds ?? [],
      ...(v.targetTags?.length ? { targetTags: v.targetTags } : {}),
      ...(v.cadreRanks?.length ? { cadreRanks: v.cadreRanks } : {}),
      ...(v.min !== null && v.min !== undefined ? { min: v.min } : {}),
      ...(v.max !== null && v.max !== undefined ? { max: v.max } : {}),
    };
    return v.kind === 'cadre_targets'
      ? { kind: 'cadre_targets', description, params: { ...params, ...(v.unitLevels?.length ? { unitLevels: v.unitLevels } : {}) } }
      : { kind: 'target_cadres', description, params };
  };

  const submit = async (v: RuleForm) => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/v1/campaigns/${campaignId}/coverage-rules`, toInput(v), { quiet: true });
      void message.success(t('ruleAdded'));
      onDone();
    } catch (e) {
      if (e instanceof ApiError) setError({ message: e.message, conflict: e.status === 409 });
    } finally {
      setBusy(false);
    }
  };

  const preview = watched && (watched.kind === 'unit_leader_named' || (watched.targetKinds?.length && (watched.min != null || watched.max != null)))
    ? ruleText({ kind: watched.kind, params: toInput(watched).params as Record<string, unknown> }, lang)
    : null;

  return (
    <Modal
      open
      title={t('addRule')}
      onCancel={onCancel}
      onOk={() => form.submit()}
      okText={t('save')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      destroyOnHidden
      width={680}
      data-testid="rule-modal"
    >
      <div style={{ marginBottom: 12, display: 'flex', justifyContent: 'flex-end' }}>
        <Dropdown
          menu={{
            items: presets.map((p) => ({ key: p.key, label: t(p.label) })),
            onClick: ({ key }) => {
              const p = presets.find((x) => x.key === key);
              if (!p) return;
              form.resetFields();
              form.setFieldsValue({ targetTags: [], cadreRanks: [], unitLevels: [], min: null, max: null, ...p.rule });
              setError(null);
            },
          }}
        >
          <Button size="small" icon={<ThunderboltOutlined />}>
            {t('rulePresets')}
          </Button>
        </Dropdown>
      </div>
      {error ? (
        <Alert
          type="error"
          showIcon
          title={error.conflict ? t('ruleConflict') : t('ruleRefused')}
          description={error.message}
          style={{ marginBottom: 12 }}
          data-testid="rule-error"
        />
      ) : null}
      <Form<RuleForm>
        form={form}
        layout="horizontal"
        labelCol={{ span: 5 }}
        wrapperCol={{ span: 19 }}
        onFinish={submit}
        initialValues={{ kind: 'target_cadres', targetKinds: [], targetTags: [], cadreRanks: [], unitLevels: [], min: 1, max: null }}
        onValuesChange={() => setError(null)}
      >
        <Form.Item name="kind" label={t('ruleKind')}>
          <Radio.Group
            optionType="button"
            options={(['target_cadres', 'cadre_targets', 'unit_leader_named'] as RuleKind[]).map((k) => ({ value: k, label: t(ruleKindLabel[k]) }))}
          />
        </Form.Item>
        <Form.Item wrapperCol={{ offset: 5, span: 19 }} style={{ marginTop: -16 }}>
          <span className="lx-muted" style={{ fontSize: 12 }}>
            {t(kind === 'target_cadres' ? 'ruleTargetCadresHint' : kind === 'cadre_targets' ? 'ruleCadreTargetsHint' : 'ruleUnitLeaderHint')}
          </span>
        </Form.Item>
        {kind !== 'unit_leader_named' ? (
          <>
            <Form.Item name="targetKinds" label={t('ruleTargetKinds')} rules={[{ required: true, type: 'array', min: 1, message: t('required') }]}>
              <Select mode="multiple" options={targetKindOptions(lang)} placeholder={t('ruleTargetKindsPlaceholder')} />
            </Form.Item>
            <Form.Item name="targetTags" label={t('ruleTargetTags')} extra={t('ruleTargetTagsHint')}>
              <Select mode="tags" options={tagOptions} tokenSeparators={[',', '，', '、']} />
            </Form.Item>
            <Form.Item name="cadreRanks" label={t('ruleCadreRanks')} extra={t('ruleAnyHint')}>
              <Select mode="multiple" options={rankOptions(lang)} allowClear />
            </Form.Item>
            {kind === 'cadre_targets' ? (
              <Form.Item name="unitLevels" label={t('ruleUnitLevels')} extra={t('ruleAnyHint')}>
                <Select mode="multiple" options={unitLevelOptions(lang)} allowClear />
              </Form.Item>
            ) : null}
            <Form.Item label={kind === 'target_cadres' ? t('ruleCadresPerTarget') : t('ruleTargetsPerCadre')} required>
              <Space>
                <Form.Item name="min" noStyle>
                  <InputNumber<number> min={0} max={1000} precision={0} placeholder={t('ruleMin')} style={{ width: 110 }} />
                </Form.Item>
                <span>–</span>
                <Form.Item
                  name="max"
                  noStyle
                  dependencies={['min']}
                  rules={[
                    ({ getFieldValue }) => ({
                      validator: async (_, v: number | null | undefined) => {
                        const min = getFieldValue('min') as number | null | undefined;
                        if ((v === null || v === undefined) && (min === null || min === undefined)) throw new Error(t('ruleRangeRequired'));
                      },
                    }),
                  ]}
                >
                  <InputNumber<number> min={0} max={10000} precision={0} placeholder={t('ruleMax')} style={{ width: 110 }} />
                </Form.Item>
              </Space>
            </Form.Item>
          </>
        ) : null}
        <Form.Item name="description" label={t('ruleDescription')} rules={[{ max: 200 }]} extra={preview ? `${t('rulePreview')}：${preview}` : undefined}>
          <Input maxLength={200} placeholder={t('ruleDescriptionPlaceholder')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
