import { Alert, App as AntApp, AutoComplete, Button, Card, Col, DatePicker, Form, Input, Modal, Radio, Row, Select, Space } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import type { TeamDto } from '../../../contracts/campaigns.ts';
import {
  suggestedSelections,
  writingBodyMax,
  writingGradeLabels,
  writingGrades,
  writingKindLabels,
  writingKinds,
  type CreateWriting,
  type UpdateWriting,
  type WritingDto,
  type WritingGrade,
  type WritingKind,
  type WritingSummary,
} from '../../../contracts/writings.ts';
import { api, ApiError, type Page } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { useI18n } from '../i18n.ts';
import { bodyFieldErrors, CampaignPicker } from './recordCommon.tsx';
import { TargetSelect } from './RecordPickers.tsx';
import { CadreSelect, RemoteSelect, type Option } from './RemoteSelect.tsx';

// 文稿编辑: title and body (a plain text area with a character count — Chinese is counted in
// characters), the kind, the research topic a report answers, the target a plan or diary is
// about. A research topic is assigned to a cadre or a team; other kinds are written by the
// caller's own cadre (admins and unit leaders may enter one for a cadre). Review and selection
// are separate small dialogs.

type Values = {
  kind: WritingKind;
  title: string;
  body: string;
  campaignId: number | null;
  topicId: number | null;
  targetId: number | null;
  assignTo: 'cadre' | 'team';
  authorCadreId: number | null;
  teamId: number | null;
  writtenOn: Dayjs | null;
};

/** Characters that are not white space: how Chinese writing is counted (字数). */
export const wordCount = (s: string) => s.replace(/\s+/g, '').length;

const writingOption = (w: Pick<WritingSummary, 'id' | 'title' | 'authorName' | 'teamName'>): Option<number> => ({
  value: w.id,
  label: (
    <span>
      {w.title} <span className="lx-muted" style={{ fontSize: 12 }}>{w.teamName ?? w.authorName ?? ''}</span>
    </span>
  ),
  title: w.title,
});

/** A research topic (调研课题) the caller can see, searched by title. */
export function TopicSelect({ value, onChange, initial }: { value?: number | null; onChange?: (v: number | null) => void; initial?: { id: number; title: string } | null }) {
  const { t } = useI18n();
  const search = useMemo(
    () => async (q: string, signal: AbortSignal) =>
      (await api.get<Page<WritingSummary>>('/api/v1/writings', { kind: 'research_topic', pageSize: 100 }, { signal, quiet: true })).items
        .filter((w) => !q || w.title.includes(q))
        .map(writingOption),
    [],
  );
  const resolve = useMemo(() => async (id: number) => writingOption(await api.get<WritingDto>(`/api/v1/writings/${id}`, undefined, { quiet: true })), []);
  return (
    <RemoteSelect<number>
      placeholder={t('topicSelectPlaceholder')}
      value={value}
      onChange={onChange}
      search={search}
      resolve={resolve}
      initial={initial ? { value: initial.id, label: initial.title, title: initial.title } : undefined}
      style={{ width: '100%' }}
    />
  );
}

function TeamSelect({ campaignId, value, onChange }: { campaignId: number | null; value?: number | null; onChange?: (v: number | null) => void }) {
  const { t } = useI18n();
  const [teams, setTeams] = useState<TeamDto[]>([]);
  useEffect(() => {
    if (!campaignId) return;
    let cancelled = false;
    api
      .get<{ items: TeamDto[] }>(`/api/v1/campaigns/${campaignId}/teams`, undefined, { quiet: true })
      .then((r) => !cancelled && setTeams(r.items))
      .catch(() => !cancelled && setTeams([]));
    return () => {
      cancelled = true;
    };
  }, [campaignId]);
  return (
    <Select
      value={value ?? undefined}
      onChange={(v?: number) => onChange?.(v ?? null)}
      allowClear
      showSearch={{ optionFilterProp: 'label' }}
      disabled={!campaignId}
      placeholder={campaignId ? t('teamSelectPlaceholder') : t('chooseCampaignFirst')}
      options={(campaignId ? teams : []).map((x) => ({ value: x.id, label: `${x.name}（${x.leaderName}）` }))}
    />
  );
}

export function WritingEditor({ writing, defaultKind, defaultTopicId, onSaved, onCancel }: { writing: WritingDto | null; defaultKind?: WritingKind; defaultTopicId?: number; onSaved: (w: WritingDto) => void; onCancel: () => void }) {
  const me = useMe();
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const kind = Form.useWatch('kind', form) ?? writing?.kind ?? defaultKind ?? 'diary';
  const body = Form.useWatch('body', form) ?? '';
  const campaignId = Form.useWatch('campaignId', form) ?? null;
  const assignTo = Form.useWatch('assignTo', form) ?? 'cadre';
  const mayAssign = can(me, 'topic.assign');
  // Admins and unit leaders may enter a piece for one of their cadres; a cadre writes their own.
  const mayWriteForOthers = me.role === 'admin' || me.role === 'unit_leader';
  const kindChoices = writingKinds.filter((k) => k !== 'research_topic' || mayAssign);

  const initial: Values = writing
    ? {
        kind: writing.kind,
        title: writing.title,
        body: writing.body,
        campaignId: writing.campaignId,
        topicId: writing.topicId,
        targetId: writing.targetId,
        assignTo: writing.teamId ? 'team' : 'cadre',
        authorCadreId: writing.authorCadreId,
        teamId: writing.teamId,
        writtenOn: dayjs(writing.writtenOn),
      }
    : {
        kind: defaultKind && kindChoices.includes(defaultKind) ? defaultKind : 'diary',
        title: '',
        body: '',
        campaignId: null,
        topicId: defaultTopicId ?? null,
        targetId: null,
        assignTo: 'cadre',
        authorCadreId: me.cadreId,
        teamId: null,
        writtenOn: dayjs(),
      };

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      let saved: WritingDto;
      if (writing) {
        const patch: UpdateWriting = {
          title: v.title.trim(),
          body: v.body ?? '',
          campaignId: v.campaignId ?? null,
          topicId: writing.kind === 'research_report' ? (v.topicId ?? null) : undefined,
          targetId: v.targetId ?? null,
          writtenOn: v.writtenOn?.format('YYYY-MM-DD'),
        };
        saved = await api.patch<WritingDto>(`/api/v1/writings/${writing.id}`, patch, { quiet: true });
      } else {
        const topic = v.kind === 'research_topic';
        const create: CreateWriting = {
          kind: v.kind,
          title: v.title.trim(),
          body: v.body ?? '',
          campaignId: v.campaignId ?? undefined,
          topicId: v.kind === 'research_report' ? (v.topicId ?? undefined) : undefined,
          targetId: v.targetId ?? undefined,
          authorCadreId: topic ? (v.assignTo === 'cadre' ? (v.authorCadreId ?? undefined) : undefined) : mayWriteForOthers ? (v.authorCadreId ?? undefined) : undefined,
          teamId: topic && v.assignTo === 'team' ? (v.teamId ?? undefined) : undefined,
          writtenOn: v.writtenOn?.format('YYYY-MM-DD'),
        };
        saved = await api.post<WritingDto>('/api/v1/writings', create, { quiet: true });
      }
      void message.success(writing ? t('saved') : t('created'));
      onSaved(saved);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      setError((e as Error).message);
      const mapped = bodyFieldErrors(e)
        .map((x) => {
          const top = x.field.split('.')[0]!;
          return top in initial ? { name: [top], errors: [x.message] } : null;
        })
        .filter((x): x is { name: string[]; errors: string[] } => !!x);
      if (mapped.length) form.setFields(mapped as Parameters<typeof form.setFields>[0]);
    } finally {
      setBusy(false);
    }
  };

  const n = wordCount(body);
  return (
    <Card size="small" data-testid="writing-editor">
      {error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} closable onClose={() => setError(null)} /> : null}
      <Form<Values> form={form} layout="vertical" initialValues={initial} onFinish={submit} requiredMark="optional">
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item name="kind" label={t('writingKind')} rules={[{ required: true }]}>
              <Select disabled={!!writing} options={kindChoices.map((k) => ({ value: k, label: writingKindLabels[k][lang] }))} data-testid="writing-kind" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="campaignId" label={t('campaign')}>
              <CampaignPicker placeholder={t('campaignOptional')} initial={writing?.campaignId ? { id: writing.campaignId, name: writing.campaignName ?? '' } : null} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="writtenOn" label={kind === 'research_topic' ? t('assignedOn') : t('writtenOn')}>
              <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
            </Form.Item>
          </Col>
        </Row>
        {kind === 'research_topic' && !writing ? (
          <Row gutter={16}>
            <Col xs={24} md={8}>
              <Form.Item name="assignTo" label={t('assignTo')}>
                <Radio.Group
                  optionType="button"
                  options={[
                    { value: 'cadre', label: t('assignToCadre') },
                    { value: 'team', label: t('assignToTeam') },
                  ]}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={16}>
              {assignTo === 'cadre' ? (
                <Form.Item name="authorCadreId" label={t('topicCadre')} rules={[{ required: true, message: t('required') }]}>
                  <CadreSelect />
                </Form.Item>
              ) : (
                <Form.Item name="teamId" label={t('topicTeam')} rules={[{ required: true, message: t('required') }]}>
                  <TeamSelect campaignId={campaignId} />
                </Form.Item>
              )}
            </Col>
          </Row>
        ) : null}
        {kind !== 'research_topic' && !writing && mayWriteForOthers ? (
          <Form.Item name="authorCadreId" label={t('writingAuthor')} extra={t('writingAuthorHint')}>
            <CadreSelect />
          </Form.Item>
        ) : null}
        {kind === 'research_report' ? (
          <Form.Item name="topicId" label={t('answersTopic')}>
            <TopicSelect initial={writing?.topicId ? { id: writing.topicId, title: writing.topicTitle ?? '' } : null} />
          </Form.Item>
        ) : null}
        {kind === 'development_plan' || kind === 'diary' || kind === 'research_topic' ? (
          <Form.Item name="targetId" label={kind === 'development_plan' ? t('planFor') : t('aboutTarget')}>
            <TargetSelect
              kinds={kind === 'development_plan' ? ['village', 'community', 'enterprise', 'project'] : undefined}
              initial={writing?.targetId ? { id: writing.targetId, kind: '', name: writing.targetName ?? '' } : null}
            />
          </Form.Item>
        ) : null}
        <Form.Item name="title" label={t('writingTitle')} rules={[{ required: true, whitespace: true, message: t('required') }, { max: 200 }]}>
          <Input maxLength={200} placeholder={t('writingTitlePlaceholder')} data-testid="writing-title" />
        </Form.Item>
        <Form.Item
          name="body"
          label={kind === 'research_topic' ? t('topicBody') : t('writingBody')}
          rules={[{ max: writingBodyMax }]}
          extra={<span data-testid="word-count">{t('wordCount', { n: n.toLocaleString(), max: writingBodyMax.toLocaleString() })}</span>}
        >
          <Input.TextArea autoSize={{ minRows: 14, maxRows: 40 }} maxLength={writingBodyMax} className="lx-writing-body" data-testid="writing-body" />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="writing-save">
            {writing ? t('save') : kind === 'research_topic' ? t('issueTopic') : t('saveDraft')}
          </Button>
          <Button onClick={onCancel}>{t('cancel')}</Button>
        </Space>
      </Form>
    </Card>
  );
}

/** 评审: a grade (优 / 良 / 中 / 差) and the reviewer's comment. */
export function ReviewModal({ writing, onClose, onDone }: { writing: WritingDto; onClose: () => void; onDone: (w: WritingDto) => void }) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<{ grade: WritingGrade; comment: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal open title={`${t('reviewWriting')} · ${writing.title}`} okText={t('reviewOk')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={busy} destroyOnHidden data-testid="review-modal">
      {error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} /> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={async (v) => {
          setBusy(true);
          setError(null);
          try {
            onDone(await api.post<WritingDto>(`/api/v1/writings/${writing.id}/review`, { grade: v.grade, comment: v.comment.trim() }, { quiet: true }));
          } catch (e) {
            if (!(e instanceof ApiError && e.status === 401)) setError((e as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item name="grade" label={t('grade')} rules={[{ required: true, message: t('gradeRequired') }]}>
          <Radio.Group optionType="button" buttonStyle="solid" options={writingGrades.map((g) => ({ value: g, label: lang === 'zh' ? g : `${g} ${writingGradeLabels[g].en}` }))} data-testid="review-grade" />
        </Form.Item>
        <Form.Item name="comment" label={t('reviewComment')} rules={[{ required: true, whitespace: true, message: t('reviewCommentRequired') }, { max: 2000 }]}>
          <Input.TextArea rows={4} maxLength={2000} showCount data-testid="review-comment" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 入选: the bulletin or compilation a reviewed piece goes into. */
export function SelectModal({ writing, onClose, onDone }: { writing: WritingDto; onClose: () => void; onDone: (w: WritingDto) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ selectedFor: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal open title={`${t('selectWriting')} · ${writing.title}`} okText={t('selectOk')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={busy} destroyOnHidden data-testid="select-modal">
      {error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} /> : null}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ selectedFor: suggestedSelections[0] }}
        onFinish={async (v) => {
          setBusy(true);
          setError(null);
          try {
            onDone(await api.post<WritingDto>(`/api/v1/writings/${writing.id}/select`, { selectedFor: v.selectedFor.trim() }, { quiet: true }));
          } catch (e) {
            if (!(e instanceof ApiError && e.status === 401)) setError((e as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item name="selectedFor" label={t('selectedFor')} rules={[{ required: true, whitespace: true, message: t('required') }, { max: 100 }]}>
          <AutoComplete options={suggestedSelections.map((x) => ({ value: x }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
