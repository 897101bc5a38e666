import { ArrowLeftOutlined, CheckOutlined, EditOutlined, FileAddOutlined, RollbackOutlined, SendOutlined, TrophyOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Col, Descriptions, Empty, Result, Row, Space, Steps, Tag } from 'antd';
import type { DescriptionsProps } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { writingActionLabels, writingKindLabels, writingKinds, type WritingDto, type WritingKind } from '../../../contracts/writings.ts';
import { api, ApiError } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { gradeColor, writingKindColor, writingStatusColor, writingStatusLabel } from '../components/recordCommon.tsx';
import { ReviewModal, SelectModal, wordCount, WritingEditor } from '../components/WritingEditor.tsx';
import { PageSpin, PageTitle } from '../components/Status.tsx';
import { useI18n } from '../i18n.ts';
import { formatTime } from '../labels.ts';
import '../components/records.css';

// One piece of writing: read it, and do what its state and your role allow — edit and submit a
// draft, withdraw it before review, review it (grade + comment), select it for a compilation.
// `/writings/new?kind=…` opens the editor for a new one. A refused step (409: someone reviewed it
// first) is shown with the server's message and the page reloads to the current state.

export default function WritingDetailPage() {
  const { id } = useParams();
  if (id === 'new') return <NewWriting />;
  return <WritingView id={Number(id)} />;
}

function NewWriting() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const k = params.get('kind');
  const kind: WritingKind = k && (writingKinds as readonly string[]).includes(k) ? (k as WritingKind) : 'diary';
  const topic = Number(params.get('topic')) || undefined;
  return (
    <div>
      <PageTitle
        title={
          <span>
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label={t('back')} style={{ marginInlineEnd: 4 }} />
            {kind === 'research_topic' ? t('assignTopic') : `${t('newWriting')} · ${writingKindLabels[kind][lang]}`}
          </span>
        }
      />
      <WritingEditor writing={null} defaultKind={kind} defaultTopicId={topic} onSaved={(w) => navigate(`/writings/${w.id}`, { replace: true })} onCancel={() => navigate(-1)} />
    </div>
  );
}

function WritingView({ id }: { id: number }) {
  const me = useMe();
  const { t, lang } = useI18n();
  const { message, modal } = AntApp.useApp();
  const navigate = useNavigate();
  const [w, setW] = useState<WritingDto | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  const [selecting, setSelecting] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setW(await api.get<WritingDto>(`/api/v1/writings/${id}`, undefined, { quiet: true }));
    } catch (e) {
      setError(e instanceof ApiError ? e : null);
      setW(null);
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  if (w === undefined) return <PageSpin />;
  if (w === null)
    return <Result status={error?.status === 404 ? '404' : 'warning'} title={error?.message ?? t('notFoundTitle')} extra={<Button onClick={() => navigate('/writings')}>{t('backToWritings')}</Button>} />;

  const step = async (action: 'submit' | 'withdraw') => {
    setRefused(null);
    try {
      setW(await api.post<WritingDto>(`/api/v1/writings/${w.id}/${action}`, undefined, { quiet: true }));
      void message.success(action === 'submit' ? t('writingSubmitted') : t('writingWithdrawn'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      setRefused((e as Error).message);
      void load();
    }
  };

  if (editing)
    return (
      <div>
        <PageTitle title={`${writingActionLabels.edit[lang]} · ${w.title}`} />
        <WritingEditor
          writing={w}
          onSaved={(saved) => {
            setW(saved);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      </div>
    );

  const topic = w.kind === 'research_topic';
  const muted = <span className="lx-muted">—</span>;
  const items: DescriptionsProps['items'] = [
    { key: 'kind', label: t('writingKind'), children: <Tag color={writingKindColor[w.kind]}>{writingKindLabels[w.kind][lang]}</Tag> },
    { key: 'status', label: t('writingStatus'), children: <Tag color={writingStatusColor[w.status]}>{writingStatusLabel(w.kind, w.status, lang)}</Tag> },
    {
      key: 'author',
      label: topic ? t('assignedTo') : t('writingAuthor'),
      children: w.teamId ? (
        <span>
          <Tag color="purple">{t('team')}</Tag>
          {w.teamName}
        </span>
      ) : w.authorCadreId ? (
        <span>
          <Link to={`/cadres/${w.authorCadreId}`}>{w.authorName}</Link>
          {w.authorUnitName ? <span className="lx-muted"> · {w.authorUnitName}</span> : null}
        </span>
      ) : (
        muted
      ),
    },
    { key: 'written', label: topic ? t('assignedOn') : t('writtenOn'), children: w.writtenOn },
    { key: 'campaign', label: t('campaign'), children: w.campaignId ? <Link to={`/campaigns/${w.campaignId}`}>{w.campaignName}</Link> : muted },
    { key: 'about', label: t('aboutTarget'), children: w.targetId ? <Link to={`/targets/${w.targetId}`}>{w.targetName}</Link> : (w.regionName ?? muted) },
  ];
  if (w.kind === 'research_report') items.push({ key: 'topic', label: t('answersTopic'), children: w.topicId ? <Link to={`/writings/${w.topicId}`}>{w.topicTitle}</Link> : muted });
  items.push(
    { key: 'words', label: t('wordsLabel'), children: wordCount(w.body).toLocaleString() },
    { key: 'created', label: topic ? t('assignedBy') : t('enteredBy'), children: [w.createdBy, formatTime(w.createdAt)].filter(Boolean).join(' · ') },
  );
  if (w.submittedAt && !topic) items.push({ key: 'submitted', label: t('submittedAt'), children: formatTime(w.submittedAt) });

  const stepIndex = { draft: 0, submitted: 1, reviewed: 2, selected: 3 }[w.status];

  return (
    <div>
      <PageTitle
        title={
          <span>
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label={t('back')} style={{ marginInlineEnd: 4 }} />
            {w.title}
            {w.grade ? (
              <Tag color={gradeColor[w.grade]} style={{ marginInlineStart: 8, verticalAlign: 'middle' }}>
                {w.grade}
              </Tag>
            ) : null}
          </span>
        }
        extra={
          <Space wrap data-testid="writing-actions">
            {w.actions.includes('edit') ? (
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="writing-edit">
                {writingActionLabels.edit[lang]}
              </Button>
            ) : null}
            {w.actions.includes('submit') ? (
              <Button
                type="primary"
                icon={<SendOutlined />}
                onClick={() =>
                  modal.confirm({ title: t('submitConfirm'), content: t('submitConfirmText'), okText: writingActionLabels.submit[lang], cancelText: t('cancel'), onOk: () => step('submit') })
                }
                data-testid="writing-submit"
              >
                {writingActionLabels.submit[lang]}
              </Button>
            ) : null}
            {w.actions.includes('withdraw') ? (
              <Button icon={<RollbackOutlined />} onClick={() => void step('withdraw')} data-testid="writing-withdraw">
                {writingActionLabels.withdraw[lang]}
              </Button>
            ) : null}
            {w.actions.includes('review') ? (
              <Button type="primary" icon={<CheckOutlined />} onClick={() => setReviewing(true)} data-testid="writing-review">
                {writingActionLabels.review[lang]}
              </Button>
            ) : null}
            {w.actions.includes('select') ? (
              <Button icon={<TrophyOutlined />} onClick={() => setSelecting(true)} data-testid="writing-select">
                {writingActionLabels.select[lang]}
              </Button>
            ) : null}
            {topic && can(me, 'writing.write') ? (
              <Button icon={<FileAddOutlined />} onClick={() => navigate(`/writings/new?kind=research_report&topic=${w.id}`)}>
                {t('writeReport')}
              </Button>
            ) : null}
          </Space>
        }
      />
      {refused ? <Alert type="warning" showIcon title={refused} closable onClose={() => setRefused(null)} style={{ marginBottom: 12 }} data-testid="writing-refused" /> : null}
      {!topic ? (
        <Card size="small" style={{ marginBottom: 16 }}>
          <Steps
            size="small"
            current={stepIndex}
            status={w.status === 'selected' ? 'finish' : 'process'}
            items={[
              { title: t('stepDraft') },
              { title: t('stepSubmitted'), description: w.submittedAt ? formatTime(w.submittedAt) : undefined },
              { title: t('stepReviewed'), description: w.reviewedAt ? formatTime(w.reviewedAt) : undefined },
              { title: t('stepSelected'), description: w.selectedAt ? formatTime(w.selectedAt) : undefined },
            ]}
          />
        </Card>
      ) : null}
      <Row gutter={16}>
        <Col xs={24} xl={16}>
          <Card size="small" style={{ marginBottom: 16 }}>
            <article className="lx-paper" data-testid="writing-text">
              <h1>{w.title}</h1>
              <div className="lx-paper-meta">
                {[w.teamName ?? w.authorName, w.authorUnitName, w.writtenOn].filter(Boolean).join(' · ')}
              </div>
              {w.body.trim() ? (
                <div className="lx-paper-body">
                  {w.body
                    .split(/\n+/)
                    .filter((p) => p.trim())
                    .map((p, i) => (
                      <p key={i}>{p.trim()}</p>
                    ))}
                </div>
              ) : (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('emptyBody')} />
              )}
            </article>
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card size="small" title={t('writingInfo')} style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={1} items={items} />
          </Card>
          {w.grade || w.reviewComment ? (
            <Card size="small" title={t('reviewResult')} style={{ marginBottom: 16 }} data-testid="writing-review-result">
              <div style={{ marginBottom: 8 }}>
                {t('grade')}：{w.grade ? <Tag color={gradeColor[w.grade]}>{w.grade}</Tag> : muted}
                <span className="lx-muted">
                  {w.reviewedBy ?? ''} {w.reviewedAt ? formatTime(w.reviewedAt) : ''}
                </span>
              </div>
              {w.reviewComment ? <div className="lx-prose">{w.reviewComment}</div> : null}
            </Card>
          ) : null}
          {w.selectedFor ? (
            <Card size="small" title={t('selectedFor')} style={{ marginBottom: 16 }} data-testid="writing-selected-for">
              <TrophyOutlined style={{ color: '#d48806' }} /> {w.selectedFor}
              {w.selectedAt ? <span className="lx-muted"> · {formatTime(w.selectedAt)}</span> : null}
            </Card>
          ) : null}
          {topic ? (
            <Card size="small" title={t('topicReports', { n: w.reports.length })} style={{ marginBottom: 16 }}>
              {w.reports.length ? (
                w.reports.map((r) => (
                  <div key={r.id} className="lx-line">
                    <Link to={`/writings/${r.id}`}>{r.title}</Link>{' '}
                    <Tag color={writingStatusColor[r.status]}>{writingStatusLabel('research_report', r.status, lang)}</Tag>
                    {r.grade ? <Tag color={gradeColor[r.grade]}>{r.grade}</Tag> : null}
                    <span className="lx-muted">{r.teamName ?? r.authorName ?? ''}</span>
                  </div>
                ))
              ) : (
                <span className="lx-muted">{t('noReportsYet')}</span>
              )}
            </Card>
          ) : null}
        </Col>
      </Row>
      {reviewing ? (
        <ReviewModal
          writing={w}
          onClose={() => setReviewing(false)}
          onDone={(saved) => {
            setReviewing(false);
            setW(saved);
            void message.success(t('writingReviewed'));
          }}
        />
      ) : null}
      {selecting ? (
        <SelectModal
          writing={w}
          onClose={() => setSelecting(false)}
          onDone={(saved) => {
            setSelecting(false);
            setW(saved);
            void message.success(t('writingSelected'));
          }}
        />
      ) : null}
    </div>
  );
}
