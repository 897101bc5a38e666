// The requirement rule editor (issue 6 item 7): a campaign's rules in a list, each composed field
// by field in a drawer (never as JSON), checked as typed with the same schema the server uses, and
// previewed live against the records (debounced POST …/requirement-rules/preview). A refusal from
// the server is shown at the field it names.
import { BarChartOutlined, DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Alert, App as AntApp, Button, Card, Checkbox, Col, Divider, Drawer, Empty, Form, Input, InputNumber, Popconfirm, Radio, Row, Select, Space, Spin, Switch, Table, Tag, Tooltip, Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { activityKindLabels, activityKinds, type ActivityKind } from '../../../contracts/activities.ts';
import { pairingRoleLabels, pairingRoles, teamKindLabels, teamKinds, type CampaignDto, type PairingRole, type TeamDto, type TeamKind } from '../../../contracts/campaigns.ts';
import { cadreRankLabels, cadreRanks, cadreStatusLabels, cadreStatuses, type CadreRank, type CadreStatus } from '../../../contracts/cadres.ts';
import type { RequirementRuleDto, RequirementRulePreview } from '../../../contracts/compliance-api.ts';
import { matterStatusLabels, matterStatuses, type MatterStatus } from '../../../contracts/matters.ts';
import {
  describeRequirementRule, festivalLabels, festivals, fractionZh, measureSubjects, requirementMeasureLabels, requirementMeasureKinds, requirementPeriodLabels, requirementPeriods,
  requirementRule, requirementSubjectLabels, requirementSubjects,
  type Festival, type RequirementMeasureKind, type RequirementPeriod, type RequirementRule, type RequirementRuleInput, type RequirementSubject, type ThresholdOp, type ThresholdUnit,
} from '../../../contracts/requirements.ts';
import { targetKindLabels, targetKinds, type TargetKind } from '../../../contracts/targets.ts';
import { unitLevelLabels, unitLevels, type UnitLevel } from '../../../contracts/units.ts';
import { writingKindLabels, writingKinds, writingStatusLabels, writingStatuses, type WritingKind, type WritingStatus } from '../../../contracts/writings.ts';
import { api, ApiError, fieldErrors, request } from '../api.ts';
import { compliancePaths, CountBadges, loadRules, requiredText, StatusTag } from './complianceCommon.tsx';
import { useComplianceText, type ComplianceTextKey } from './complianceText.ts';
import './compliance.css';

type Bi = { zh: string; en: string };
const opts = <K extends string>(keys: readonly K[], labels: Record<K, Bi>, lang: 'zh' | 'en') => keys.map((k) => ({ value: k, label: labels[k][lang] }));

// ── The rule as the form holds it ────────────────────────────────────────────────────────────

type Draft = {
  name: string;
  description: string;
  subject: RequirementSubject;
  measureKind: RequirementMeasureKind;
  activityKinds: ActivityKind[];
  participantsMin: number | null;
  participantsMax: number | null;
  place: 'target' | 'target_township';
  writingKinds: WritingKind[];
  writingStatuses: WritingStatus[];
  matterStatuses: MatterStatus[];
  via: 'direct' | 'direct_or_team';
  ranks: CadreRank[];
  statuses: CadreStatus[];
  unitIds: number[];
  unitLevels: UnitLevel[];
  cadreRoles: string[];
  pairingRoles: PairingRole[];
  teamIds: number[];
  teamKinds: TeamKind[];
  targetKinds: TargetKind[];
  tags: string[];
  weekdays: number[];
  monthDays: number[];
  period: RequirementPeriod;
  festival: Festival | null;
  daysBefore: number | null;
  daysAfter: number | null;
  op: ThresholdOp;
  value: number | null;
  min: number | null;
  max: number | null;
  unit: ThresholdUnit;
  atRiskDays: number;
  active: boolean;
};

const blank: Draft = {
  name: '', description: '', subject: 'cadre', measureKind: 'activities', activityKinds: ['household_visit'], participantsMin: null, participantsMax: null, place: 'target',
  writingKinds: ['research_report'], writingStatuses: ['submitted', 'reviewed', 'selected'], matterStatuses: ['done'], via: 'direct_or_team',
  ranks: [], statuses: [], unitIds: [], unitLevels: [], cadreRoles: [], pairingRoles: [], teamIds: [], teamKinds: [], targetKinds: [], tags: [],
  weekdays: [], monthDays: [], period: 'month', festival: null, daysBefore: 7, daysAfter: 7, op: 'at_least', value: 1, min: null, max: null, unit: 'count', atRiskDays: 7, active: true,
};

function fromRule(dto: RequirementRuleDto): Draft {
  const r = dto.rule;
  const m = r.measure;
  const d: Draft = {
    ...blank,
    name: r.name, description: r.description, subject: r.subject, measureKind: m.kind, period: r.period,
    ranks: r.cadres.ranks ?? [], statuses: r.cadres.statuses ?? [], unitIds: r.cadres.unitIds ?? [], unitLevels: r.cadres.unitLevels ?? [], cadreRoles: r.cadres.cadreRoles ?? [],
    pairingRoles: r.cadres.pairingRoles ?? [], teamIds: r.cadres.teamIds ?? [], teamKinds: r.cadres.teamKinds ?? [],
    targetKinds: r.targets.kinds ?? [], tags: r.targets.tags ?? [], weekdays: r.on?.weekdays ?? [], monthDays: r.on?.monthDays ?? [],
    festival: r.festival?.name ?? null, daysBefore: r.festival?.daysBefore ?? 7, daysAfter: r.festival?.daysAfter ?? 7,
    op: r.threshold.op, value: r.threshold.value ?? null, min: r.threshold.min ?? null, max: r.threshold.max ?? null, unit: r.threshold.unit,
    atRiskDays: dto.atRiskDays, active: dto.active,
  };
  if (m.kind === 'activities') Object.assign(d, { activityKinds: m.activityKinds, participantsMin: m.participants?.min ?? null, participantsMax: m.participants?.max ?? null, place: m.place });
  if (m.kind === 'days' || m.kind === 'targets_visited') d.activityKinds = m.activityKinds;
  if (m.kind === 'writings') Object.assign(d, { writingKinds: m.writingKinds, writingStatuses: m.statuses });
  if (m.kind === 'matters') d.matterStatuses = m.statuses;
  if (m.kind === 'pairings') d.via = m.via;
  return d;
}

const some = <T,>(xs: T[]) => (xs.length ? xs : undefined);
const num = (v: number | null) => (v === null ? undefined : v);

/** The rule to send: only the parts that mean something for the chosen measure and period; empty choices left out (不限). */
function toInput(d: Draft): RequirementRuleInput {
  const measure = ((): RequirementRuleInput['measure'] => {
    switch (d.measureKind) {
      case 'activities': {
        const participants = d.participantsMin !== null || d.participantsMax !== null ? { min: num(d.participantsMin), max: num(d.participantsMax) } : undefined;
        return { kind: 'activities', activityKinds: d.activityKinds, participants, place: d.place };
      }
      case 'days':
        return { kind: 'days', activityKinds: d.activityKinds };
      case 'targets_visited':
        return { kind: 'targets_visited', activityKinds: d.activityKinds };
      case 'writings':
        return { kind: 'writings', writingKinds: d.writingKinds, statuses: d.writingStatuses };
      case 'matters':
        return { kind: 'matters', statuses: d.matterStatuses };
      case 'pairings':
        return { kind: 'pairings', via: d.via };
    }
  })();
  const on = d.weekdays.length || d.monthDays.length ? { weekdays: some([...d.weekdays].sort((a, b) => a - b)), monthDays: some([...d.monthDays].sort((a, b) => a - b)) } : undefined;
  return {
    name: d.name,
    description: d.description,
    subject: d.subject,
    measure,
    cadres: {
      ranks: some(d.ranks), statuses: some(d.statuses), unitIds: some(d.unitIds), unitLevels: some(d.unitLevels), cadreRoles: some(d.cadreRoles),
      pairingRoles: some(d.pairingRoles), teamIds: some(d.teamIds), teamKinds: some(d.teamKinds),
    },
    targets: { kinds: some(d.targetKinds), tags: some(d.tags) },
    on,
    period: d.period,
    festival: d.period === 'festival' && d.festival ? { name: d.festival, daysBefore: d.daysBefore ?? 0, daysAfter: d.daysAfter ?? 0 } : undefined,
    threshold: d.op === 'between' ? { op: d.op, min: num(d.min), max: num(d.max), unit: d.unit } : { op: d.op, value: num(d.value), unit: d.unit },
  };
}

type Problem = { path: string; message: string };

/** A server field (body.rule.threshold.value) as the form's path (threshold.value). */
const formPath = (field: string) => field.replace(/^body\./, '').replace(/^rule\./, '');

// ── The list ────────────────────────────────────────────────────────────────────────────────

/** A campaign's rules: summary, this period's counts, active switch; new and edit open the drawer. */
export function RequirementRulesCard({ campaign, editable, title }: { campaign: CampaignDto; editable: boolean; title?: ReactNode }) {
  const { tc, lang } = useComplianceText();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const [rules, setRules] = useState<RequirementRuleDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<RequirementRuleDto | 'new' | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  const load = useCallback(async () => {
    try {
      setRules(await loadRules(campaign.id));
      setError(null);
    } catch (e) {
      setRules([]);
      setError(e instanceof ApiError ? e.message : String(e));
    }
  }, [campaign.id]);
  useEffect(() => {
    void load();
  }, [load]);

  const toggle = async (r: RequirementRuleDto, active: boolean) => {
    setBusy(r.id);
    try {
      await request('PUT', compliancePaths.rule(r.id), { body: { rule: r.rule, atRiskDays: r.atRiskDays, active, version: r.version } });
      void message.success(tc('rulesToggled'));
    } catch {
      // the message is shown by api.ts
    } finally {
      setBusy(null);
      void load();
    }
  };

  const remove = async (r: RequirementRuleDto) => {
    try {
      await api.del(compliancePaths.rule(r.id));
      void message.success(tc('rulesDeleted'));
    } catch {
      // the message (e.g. referenced by an assessment indicator) is shown by api.ts
    } finally {
      void load();
    }
  };

  const columns: TableColumnsType<RequirementRuleDto> = [
    {
      title: tc('rulesName'),
      key: 'name',
      render: (_, r) => (
        <div>
          <div style={{ fontWeight: 600 }}>
            {r.rule.name}
            {r.rule.description ? (
              <Tooltip title={r.rule.description}>
                <Tag style={{ marginInlineStart: 6, cursor: 'help' }}>{tc('edDescription')}</Tag>
              </Tooltip>
            ) : null}
          </div>
          <div className="lx-muted" style={{ fontSize: 13 }} data-testid={`rule-summary-${r.id}`}>
            {r.summary}
          </div>
        </div>
      ),
    },
    {
      title: tc('rulesCurrent'),
      key: 'current',
      width: 340,
      render: (_, r) => (r.current ? <CountBadges counts={r.current} /> : <span className="lx-muted">{tc('rulesNotComputed')}</span>),
    },
    { title: tc('rulesAtRiskDays'), dataIndex: 'atRiskDays', width: 90, align: 'right' },
    {
      title: tc('rulesActive'),
      key: 'active',
      width: 80,
      render: (_, r) =>
        editable ? (
          <Switch size="small" checked={r.active} loading={busy === r.id} onChange={(v) => void toggle(r, v)} data-testid={`rule-active-${r.id}`} />
        ) : (
          <Tag color={r.active ? 'green' : 'default'}>{r.active ? tc('rulesActiveOn') : tc('rulesActiveOff')}</Tag>
        ),
    },
    {
      title: '',
      key: 'actions',
      width: editable ? 210 : 100,
      render: (_, r) => (
        <Space size={4}>
          {editable ? (
            <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(r)} data-testid={`rule-edit-${r.id}`}>
              {lang === 'zh' ? '编辑' : 'Edit'}
            </Button>
          ) : null}
          {editable ? (
            <Popconfirm title={tc('rulesDeleteConfirm')} okButtonProps={{ danger: true }} onConfirm={() => remove(r)}>
              <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={tc('rulesDelete')} data-testid={`rule-delete-${r.id}`} />
            </Popconfirm>
          ) : null}
          <Button size="small" type="link" icon={<BarChartOutlined />} onClick={() => navigate(`/compliance?campaign=${campaign.id}&rule=${r.id}`)}>
            {tc('rulesView')}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <Card
      size="small"
      title={title ?? tc('rulesOfCampaign')}
      extra={
        editable ? (
          <Button type="primary" size="small" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="rule-new">
            {tc('rulesNew')}
          </Button>
        ) : null
      }
    >
      {error ? <Alert type="warning" showIcon title={error} style={{ marginBottom: 8 }} /> : null}
      <Table<RequirementRuleDto>
        data-testid="rules-table"
        rowKey="id"
        size="small"
        loading={rules === null}
        dataSource={rules ?? []}
        columns={columns}
        scroll={{ x: 800 }}
        rowClassName={(r) => (r.active ? '' : 'lx-row-inactive')}
        // A campaign has a few dozen rules at most: one list, so a saved rule is always in sight.
        pagination={(rules?.length ?? 0) > 100 ? { pageSize: 100, showSizeChanger: false } : false}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tc('rulesNone')} /> }}
      />
      {editing ? (
        <RuleDrawer
          campaign={campaign}
          rule={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void message.success(tc('rulesSaved'));
            void load();
          }}
        />
      ) : null}
    </Card>
  );
}

// ── The drawer ──────────────────────────────────────────────────────────────────────────────

const weekdayNames = { zh: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'], en: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] };

export function RuleDrawer({ campaign, rule, onClose, onSaved }: { campaign: CampaignDto; rule: RequirementRuleDto | null; onClose: () => void; onSaved: (r: RequirementRuleDto) => void }) {
  const { tc, lang } = useComplianceText();
  const [d, setD] = useState<Draft>(() => (rule ? fromRule(rule) : blank));
  const [submitted, setSubmitted] = useState(false);
  const [nameTouched, setNameTouched] = useState(false);
  const [serverProblems, setServerProblems] = useState<Problem[]>([]);
  const [serverMessage, setServerMessage] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [teams, setTeams] = useState<TeamDto[]>([]);
  const set = (patch: Partial<Draft>) => {
    setD((x) => ({ ...x, ...patch }));
    setServerProblems([]);
    setServerMessage(null);
  };

  useEffect(() => {
    api
      .get<{ items: TeamDto[] }>(`/api/v1/campaigns/${campaign.id}/teams`, undefined, { quiet: true })
      .then((r) => setTeams(r.items))
      .catch(() => setTeams([]));
  }, [campaign.id]);

  const input = useMemo(() => toInput(d), [d]);
  const parsed = useMemo(() => requirementRule.safeParse(input), [input]);
  const localProblems: Problem[] = useMemo(
    () => (parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))).filter((p) => submitted || nameTouched || p.path !== 'name'),
    [parsed, submitted, nameTouched],
  );
  const problems = [...localProblems, ...serverProblems];
  const problemAt = (...paths: string[]) => {
    const hits = problems.filter((p) => paths.some((x) => p.path === x || (p.path.startsWith(x + '.') && /^\d/.test(p.path.slice(x.length + 1)))));
    return hits.length ? { validateStatus: 'error' as const, help: [...new Set(hits.map((h) => h.message))].join('；') } : {};
  };
  // Paths the form shows somewhere; any other problem is listed at the top.
  const shownPaths = useRef(new Set<string>());
  const at = (...paths: string[]) => {
    for (const p of paths) shownPaths.current.add(p);
    return problemAt(...paths);
  };

  // Live preview: the rule as typed (any name), once it is coherent; debounced, the stale answer dropped.
  const [preview, setPreview] = useState<RequirementRulePreview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const previewInput = useMemo(() => requirementRule.safeParse({ ...input, name: input.name.trim() || '预览' }), [input]);
  const previewKey = previewInput.success ? JSON.stringify([previewInput.data, d.atRiskDays]) : null;
  useEffect(() => {
    if (!previewKey) return;
    const ctrl = new AbortController();
    const timer = window.setTimeout(() => {
      setPreviewing(true);
      const [ruleBody, atRiskDays] = JSON.parse(previewKey) as [RequirementRule, number];
      api
        .post<RequirementRulePreview>(compliancePaths.preview(campaign.id), { rule: ruleBody, atRiskDays }, { quiet: true, signal: ctrl.signal })
        .then((p) => {
          setPreview(p);
          setServerMessage(null);
        })
        .catch((e: unknown) => {
          if ((e as Error).name === 'AbortError') return;
          const fields = fieldErrors(e).map((f) => ({ path: formPath(f.field), message: f.message }));
          setServerProblems(fields);
          setServerMessage(fields.length ? null : e instanceof ApiError ? e.message : String(e));
          setPreview(null);
        })
        .finally(() => {
          if (!ctrl.signal.aborted) setPreviewing(false);
        });
    }, 500);
    return () => {
      window.clearTimeout(timer);
      ctrl.abort();
    };
  }, [previewKey, campaign.id]);

  const save = async () => {
    setSubmitted(true);
    if (!parsed.success) return;
    setSaving(true);
    try {
      const body = { rule: parsed.data, atRiskDays: d.atRiskDays, active: d.active };
      const saved = rule
        ? await request<RequirementRuleDto>('PUT', compliancePaths.rule(rule.id), { body: { ...body, version: rule.version }, quiet: true })
        : await api.post<RequirementRuleDto>(compliancePaths.rules(campaign.id), body, { quiet: true });
      onSaved(saved);
    } catch (e) {
      const fields = fieldErrors(e).map((f) => ({ path: formPath(f.field), message: f.message }));
      setServerProblems(fields);
      setServerMessage(e instanceof ApiError ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  const allowedMeasures = requirementMeasureKinds.filter((k) => measureSubjects[k].includes(d.subject));
  const activityOpts = opts(activityKinds, activityKindLabels, lang);
  const usesActivityKinds = d.measureKind === 'activities' || d.measureKind === 'days' || d.measureKind === 'targets_visited';
  // The summary does not depend on the name: shown as soon as the rule itself is coherent.
  const summary = previewInput.success ? describeRequirementRule(previewInput.data) : null;
  const section = (key: ComplianceTextKey, extra?: ReactNode) => (
    <Divider titlePlacement="start" style={{ margin: '12px 0 8px' }}>
      <span style={{ fontSize: 14 }}>
        {tc(key)} {extra}
      </span>
    </Divider>
  );
  const multi = { mode: 'multiple' as const, allowClear: true, placeholder: lang === 'zh' ? '不限' : 'Any', maxTagCount: 'responsive' as const };
  shownPaths.current = new Set();

  const form = (
    <Form layout="vertical" size="middle" requiredMark={false} data-testid="rule-form" onFinish={() => void save()}>
      {section('edBasics')}
      <Row gutter={12}>
        <Col xs={24} md={14}>
          <Form.Item label={tc('edName')} {...at('name')} required>
            <Input
              value={d.name}
              maxLength={100}
              placeholder={tc('edNamePlaceholder')}
              onChange={(e) => {
                setNameTouched(true);
                set({ name: e.target.value });
              }}
              data-testid="rule-name"
            />
          </Form.Item>
        </Col>
        <Col xs={12} md={5}>
          <Form.Item label={tc('rulesAtRiskDays')} tooltip={tc('rulesAtRiskDaysHelp')} {...at('atRiskDays')}>
            <InputNumber min={0} max={90} precision={0} value={d.atRiskDays} onChange={(v) => set({ atRiskDays: v ?? 0 })} style={{ width: '100%' }} data-testid="rule-at-risk-days" />
          </Form.Item>
        </Col>
        <Col xs={12} md={5}>
          <Form.Item label={tc('rulesActive')}>
            <Switch checked={d.active} onChange={(v) => set({ active: v })} />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item label={tc('edDescription')} {...at('description')}>
            <Input.TextArea value={d.description} maxLength={1000} autoSize={{ minRows: 1, maxRows: 4 }} placeholder={tc('edDescriptionPlaceholder')} onChange={(e) => set({ description: e.target.value })} />
          </Form.Item>
        </Col>
      </Row>

      {section('edSubject')}
      <Form.Item {...at('subject')}>
        <Radio.Group
          value={d.subject}
          onChange={(e) => set({ subject: e.target.value as RequirementSubject })}
          optionType="button"
          options={requirementSubjects.map((s) => ({ value: s, label: requirementSubjectLabels[s][lang] }))}
          data-testid="rule-subject"
        />
      </Form.Item>

      {section('edMeasure')}
      <Form.Item label={tc('edMeasureKind')} {...at('measure.kind', 'measure')}>
        <Radio.Group
          value={d.measureKind}
          onChange={(e) => set({ measureKind: e.target.value as RequirementMeasureKind })}
          options={requirementMeasureKinds.map((k) => ({ value: k, label: requirementMeasureLabels[k][lang], disabled: !allowedMeasures.includes(k) && k !== d.measureKind }))}
          data-testid="rule-measure"
        />
      </Form.Item>
      {usesActivityKinds ? (
        <Form.Item label={tc('edActivityKinds')} {...at('measure.activityKinds')} required>
          <Select {...multi} placeholder={undefined} value={d.activityKinds} options={activityOpts} onChange={(v: ActivityKind[]) => set({ activityKinds: v })} data-testid="rule-activity-kinds" />
        </Form.Item>
      ) : null}
      {d.measureKind === 'activities' ? (
        <Row gutter={12}>
          <Col xs={12} md={6}>
            <Form.Item label={tc('edParticipantsMin')} {...at('measure.participants.min', 'measure.participants')} tooltip={tc('edParticipantsHelp')}>
              <InputNumber min={1} max={50} precision={0} value={d.participantsMin} onChange={(v) => set({ participantsMin: v })} style={{ width: '100%' }} placeholder={lang === 'zh' ? '不限' : 'Any'} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item label={tc('edParticipantsMax')} {...at('measure.participants.max')}>
              <InputNumber min={1} max={50} precision={0} value={d.participantsMax} onChange={(v) => set({ participantsMax: v })} style={{ width: '100%' }} placeholder={lang === 'zh' ? '不限' : 'Any'} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item label={tc('edPlace')} {...at('measure.place')}>
              <Radio.Group
                value={d.place}
                onChange={(e) => set({ place: e.target.value as Draft['place'] })}
                options={[
                  { value: 'target', label: tc('edPlaceTarget') },
                  { value: 'target_township', label: tc('edPlaceTownship') },
                ]}
              />
            </Form.Item>
          </Col>
        </Row>
      ) : null}
      {d.measureKind === 'writings' ? (
        <Row gutter={12}>
          <Col xs={24} md={12}>
            <Form.Item label={tc('edWritingKinds')} {...at('measure.writingKinds')} required>
              <Select {...multi} placeholder={undefined} value={d.writingKinds} options={opts(writingKinds, writingKindLabels, lang)} onChange={(v: WritingKind[]) => set({ writingKinds: v })} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item label={tc('edWritingStatuses')} {...at('measure.statuses')} required>
              <Select {...multi} placeholder={undefined} value={d.writingStatuses} options={opts(writingStatuses, writingStatusLabels, lang)} onChange={(v: WritingStatus[]) => set({ writingStatuses: v })} />
            </Form.Item>
          </Col>
        </Row>
      ) : null}
      {d.measureKind === 'matters' ? (
        <Form.Item label={tc('edMatterStatuses')} {...at('measure.statuses')} required>
          <Checkbox.Group value={d.matterStatuses} options={opts(matterStatuses, matterStatusLabels, lang)} onChange={(v) => set({ matterStatuses: v as MatterStatus[] })} />
        </Form.Item>
      ) : null}
      {d.measureKind === 'pairings' ? (
        <Form.Item label={tc('edVia')} {...at('measure.via')}>
          <Radio.Group
            value={d.via}
            onChange={(e) => set({ via: e.target.value as Draft['via'] })}
            options={[
              { value: 'direct', label: tc('edViaDirect') },
              { value: 'direct_or_team', label: tc('edViaTeam') },
            ]}
          />
        </Form.Item>
      ) : null}

      {section('edCadres', <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 400 }}>{tc('edCadresHelp')}</Typography.Text>)}
      <Row gutter={12}>
        <Col xs={24} md={12}>
          <Form.Item label={tc('edRanks')} {...at('cadres.ranks')}>
            <Select {...multi} value={d.ranks} options={opts(cadreRanks, cadreRankLabels, lang)} onChange={(v: CadreRank[]) => set({ ranks: v })} data-testid="rule-ranks" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label={tc('edUnitLevels')} {...at('cadres.unitLevels')}>
            <Select {...multi} value={d.unitLevels} options={opts(unitLevels, unitLevelLabels, lang)} onChange={(v: UnitLevel[]) => set({ unitLevels: v })} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label={tc('edUnits')} {...at('cadres.unitIds')}>
            <Select
              {...multi}
              value={d.unitIds}
              optionFilterProp="label"
              options={campaign.units.map((u) => ({ value: u.unitId, label: u.unitName }))}
              onChange={(v: number[]) => set({ unitIds: v })}
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label={tc('edCadreRoles')} {...at('cadres.cadreRoles')}>
            <Select
              {...multi}
              value={d.cadreRoles}
              disabled={!campaign.cadreRoles.length && !d.cadreRoles.length}
              placeholder={campaign.cadreRoles.length ? multi.placeholder : tc('edCadreRolesNone')}
              options={[...new Set([...campaign.cadreRoles, ...d.cadreRoles])].map((r) => ({ value: r, label: r }))}
              onChange={(v: string[]) => set({ cadreRoles: v })}
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label={tc('edPairingRoles')} {...at('cadres.pairingRoles')}>
            <Select {...multi} value={d.pairingRoles} options={opts(pairingRoles, pairingRoleLabels, lang)} onChange={(v: PairingRole[]) => set({ pairingRoles: v })} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label={tc('edStatuses')} {...at('cadres.statuses')}>
            <Select {...multi} value={d.statuses} options={opts(cadreStatuses, cadreStatusLabels, lang)} onChange={(v: CadreStatus[]) => set({ statuses: v })} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label={tc('edTeams')} {...at('cadres.teamIds')}>
            <Select
              {...multi}
              value={d.teamIds}
              optionFilterProp="label"
              options={[...teams.map((x) => ({ value: x.id, label: x.name })), ...d.teamIds.filter((id) => !teams.some((x) => x.id === id)).map((id) => ({ value: id, label: `#${id}` }))]}
              onChange={(v: number[]) => set({ teamIds: v })}
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label={tc('edTeamKinds')} {...at('cadres.teamKinds')}>
            <Select {...multi} value={d.teamKinds} options={opts(teamKinds, teamKindLabels, lang)} onChange={(v: TeamKind[]) => set({ teamKinds: v })} />
          </Form.Item>
        </Col>
      </Row>

      {section('edTargets')}
      <Row gutter={12}>
        <Col xs={24} md={12}>
          <Form.Item label={tc('edTargetKinds')} {...at('targets.kinds', 'targets')}>
            <Select {...multi} value={d.targetKinds} options={opts(targetKinds, targetKindLabels, lang)} onChange={(v: TargetKind[]) => set({ targetKinds: v })} data-testid="rule-target-kinds" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label={tc('edTags')} {...at('targets.tags')}>
            <Select
              mode="tags"
              allowClear
              value={d.tags}
              placeholder={tc('edTagsPlaceholder')}
              tokenSeparators={[',', '，', '、']}
              options={['老党员', '困难户', '百岁老人', '低保户', '残疾人'].map((x) => ({ value: x, label: x }))}
              onChange={(v: string[]) => set({ tags: v.map((x) => x.trim()).filter(Boolean) })}
              data-testid="rule-tags"
            />
          </Form.Item>
        </Col>
      </Row>

      {section('edOn', <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 400 }}>{tc('edOnHelp')}</Typography.Text>)}
      <Row gutter={12}>
        <Col xs={24} md={12}>
          <Form.Item label={tc('edWeekdays')} {...at('on.weekdays', 'on')}>
            <Checkbox.Group value={d.weekdays} options={weekdayNames[lang].map((n, i) => ({ value: i + 1, label: n }))} onChange={(v) => set({ weekdays: v as number[] })} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label={tc('edMonthDays')} {...at('on.monthDays')}>
            <Select
              {...multi}
              value={d.monthDays}
              options={Array.from({ length: 31 }, (_, i) => ({ value: i + 1, label: lang === 'zh' ? `${i + 1}日` : String(i + 1) }))}
              onChange={(v: number[]) => set({ monthDays: v })}
              data-testid="rule-month-days"
            />
          </Form.Item>
        </Col>
      </Row>

      {section('edPeriod')}
      <Form.Item {...at('period')}>
        <Radio.Group
          value={d.period}
          optionType="button"
          onChange={(e) => {
            const period = e.target.value as RequirementPeriod;
            set({ period, festival: period === 'festival' ? (d.festival ?? 'chunjie') : d.festival });
          }}
          options={requirementPeriods.map((p) => ({ value: p, label: requirementPeriodLabels[p][lang] }))}
          data-testid="rule-period"
        />
      </Form.Item>
      {d.period === 'festival' ? (
        <Row gutter={12}>
          <Col xs={24} md={8}>
            <Form.Item label={tc('edFestival')} {...at('festival', 'festival.name')}>
              <Select value={d.festival} options={opts(festivals, festivalLabels, lang)} onChange={(v: Festival) => set({ festival: v })} />
            </Form.Item>
          </Col>
          <Col xs={12} md={8}>
            <Form.Item label={tc('edDaysBefore')} {...at('festival.daysBefore')}>
              <InputNumber min={0} max={60} precision={0} value={d.daysBefore} onChange={(v) => set({ daysBefore: v })} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} md={8}>
            <Form.Item label={tc('edDaysAfter')} {...at('festival.daysAfter')}>
              <InputNumber min={0} max={60} precision={0} value={d.daysAfter} onChange={(v) => set({ daysAfter: v })} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
      ) : null}

      {section('edThreshold')}
      <Row gutter={12}>
        <Col xs={24} md={8}>
          <Form.Item label={tc('edOp')} {...at('threshold.op', 'threshold')}>
            <Radio.Group
              value={d.op}
              optionType="button"
              onChange={(e) => set({ op: e.target.value as ThresholdOp })}
              options={[
                { value: 'at_least', label: tc('edOpAtLeast') },
                { value: 'at_most', label: tc('edOpAtMost') },
                { value: 'between', label: tc('edOpBetween') },
              ]}
              data-testid="rule-op"
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={16}>
          <Form.Item label={tc('edUnit')} {...at('threshold.unit')}>
            <Radio.Group
              value={d.unit}
              onChange={(e) => set({ unit: e.target.value as ThresholdUnit })}
              options={[
                { value: 'count', label: `${tc('edUnitCount')}（${requirementMeasureLabels[d.measureKind].unit}）` },
                { value: 'working_day_fraction', label: tc('edUnitFraction'), disabled: d.measureKind !== 'days' && d.unit !== 'working_day_fraction' },
              ]}
            />
          </Form.Item>
        </Col>
        {(d.op === 'between' ? (['min', 'max'] as const) : (['value'] as const)).map((k) => (
          <Col xs={24} md={12} key={k}>
            <Form.Item
              label={tc(k === 'value' ? 'edValue' : k === 'min' ? 'edMin' : 'edMax')}
              {...at(`threshold.${k}`)}
              extra={d.unit === 'working_day_fraction' ? tc('edFractionHelp') : undefined}
            >
              <Space.Compact style={{ width: '100%' }}>
                <InputNumber
                  min={0}
                  max={d.unit === 'working_day_fraction' ? 1 : 100000}
                  step={d.unit === 'working_day_fraction' ? 0.05 : 1}
                  value={d[k]}
                  onChange={(v) => set({ [k]: v } as Partial<Draft>)}
                  style={{ width: '100%' }}
                  data-testid={`rule-threshold-${k}`}
                />
                <Button disabled tabIndex={-1} style={{ color: 'inherit' }}>
                  {d.unit === 'working_day_fraction' ? (d[k] !== null && d[k]! > 0 ? fractionZh(d[k]!) : '—') : requirementMeasureLabels[d.measureKind].unit}
                </Button>
              </Space.Compact>
              {d.unit === 'working_day_fraction' ? (
                <Space size={4} style={{ marginTop: 4 }}>
                  {[
                    [1 / 4, '1/4'],
                    [1 / 3, '1/3'],
                    [1 / 2, '1/2'],
                  ].map(([v, l]) => (
                    <Button key={l as string} size="small" onClick={() => set({ [k]: v } as Partial<Draft>)}>
                      {l}
                    </Button>
                  ))}
                </Space>
              ) : null}
            </Form.Item>
          </Col>
        ))}
      </Row>
    </Form>
  );

  const stray = problems.filter((p) => ![...shownPaths.current].some((x) => p.path === x || (p.path.startsWith(x + '.') && /^\d/.test(p.path.slice(x.length + 1)))));
  const errorCount = problems.length;
  return (
    <Drawer
      open
      title={rule ? `${tc('rulesEdit')}：${rule.rule.name}` : tc('rulesNew')}
      size={1180}
      onClose={onClose}
      destroyOnHidden
      styles={{ body: { paddingTop: 8 } }}
      extra={
        <Space>
          <Button onClick={onClose}>{lang === 'zh' ? '取消' : 'Cancel'}</Button>
          <Button type="primary" loading={saving} onClick={() => void save()} data-testid="rule-save">
            {lang === 'zh' ? '保存' : 'Save'}
          </Button>
        </Space>
      }
    >
      <div data-testid="rule-drawer">
        <Alert
          type={summary ? 'info' : 'warning'}
          showIcon
          style={{ marginBottom: 8 }}
          title={
            <span>
              <strong>{tc('edSummary')}：</strong>
              <span data-testid="rule-live-summary">{summary ?? tc('pvInvalid')}</span>
            </span>
          }
        />
        {serverMessage && (submitted || !serverProblems.length) ? <Alert type="error" showIcon title={serverMessage} style={{ marginBottom: 8 }} data-testid="rule-server-error" /> : null}
        {submitted && errorCount ? <Alert type="error" showIcon title={tc('edFixErrors', { n: errorCount })} style={{ marginBottom: 8 }} /> : null}
        {stray.length ? (
          <Alert type="error" showIcon style={{ marginBottom: 8 }} title={stray.map((p) => <div key={p.path + p.message}>{p.message}</div>)} />
        ) : null}
        <Row gutter={16}>
          <Col xs={24} lg={14}>
            {form}
          </Col>
          <Col xs={24} lg={10}>
            <div style={{ position: 'sticky', top: 0 }}>
              <PreviewPanel preview={preview} loading={previewing} valid={previewInput.success} refused={serverProblems.length ? serverProblems.map((p) => p.message) : serverMessage ? [serverMessage] : []} />
            </div>
          </Col>
        </Row>
      </div>
    </Drawer>
  );
}

function PreviewPanel({ preview, loading, valid, refused }: { preview: RequirementRulePreview | null; loading: boolean; valid: boolean; refused: string[] }) {
  const { tc } = useComplianceText();
  const c = preview?.counts;
  return (
    <Card
      size="small"
      title={
        <span>
          {tc('pvTitle')} {loading ? <Spin size="small" style={{ marginInlineStart: 8 }} /> : null}
        </span>
      }
      data-testid="rule-preview"
      styles={{ body: { padding: 12 } }}
    >
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
        {tc('pvIntro')}
      </Typography.Paragraph>
      {!valid ? (
        <Alert type="warning" showIcon title={tc('pvInvalid')} />
      ) : refused.length ? (
        <Alert type="error" showIcon title={tc('pvRefused')} description={[...new Set(refused)].map((m) => <div key={m}>{m}</div>)} data-testid="preview-refused" />
      ) : !preview ? (
        <div style={{ padding: 24, textAlign: 'center' }} className="lx-muted">
          {loading ? tc('pvLoading') : tc('pvWaiting')}
        </div>
      ) : (
        <div style={{ opacity: loading ? 0.6 : 1, transition: 'opacity .2s' }}>
          <div style={{ marginBottom: 8 }} data-testid="preview-window">
            {preview.window ? tc('pvWindow', { name: preview.window.name, start: preview.window.start, end: preview.window.end }) : <span className="lx-muted">{tc('pvNoWindow')}</span>}
          </div>
          {c ? (
            <div style={{ marginBottom: 8 }} data-testid="preview-counts">
              <div style={{ marginBottom: 4 }}>
                {tc('pvTotal', { n: c.total })}
                {c.rate !== null ? <span className="lx-muted" style={{ marginInlineStart: 12 }}>{tc('rate')} {(c.rate * 100).toFixed(1)}%</span> : null}
              </div>
              <CountBadges counts={c} />
            </div>
          ) : null}
          {preview.sample.length ? (
            <>
              <div className="lx-muted" style={{ fontSize: 12, margin: '8px 0 4px' }}>
                {tc('pvWorst')}
              </div>
              <div style={{ maxHeight: 460, overflowY: 'auto' }} data-testid="preview-sample">
                {preview.sample.slice(0, 20).map((r, i) => (
                  <div key={`${r.subject}-${r.subjectId}-${i}`} style={{ padding: '6px 0', borderBottom: '1px solid #f0f0f0' }}>
                    <div style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
                      <StatusTag status={r.status} />
                      <strong style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{r.subjectName}</strong>
                      <span style={{ whiteSpace: 'nowrap' }}>
                        {r.count} / {requiredText(r.requiredMin, r.requiredMax)}
                      </span>
                    </div>
                    <div className="lx-muted" style={{ fontSize: 12, marginTop: 2 }}>
                      {r.explanation}
                    </div>
                  </div>
                ))}
              </div>
            </>
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tc('pvNone')} />
          )}
        </div>
      )}
    </Card>
  );
}
