import { CheckCircleFilled, ClockCircleOutlined, LeftOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Empty, Image, Input, Pagination, Progress, Select, Spin, Tag, Timeline } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import {
  commitmentStatuses, commitmentStatusLabels, type CommitmentStatus, type PublicCommitmentDto, type PublicCommitmentOptions, type PublicCommitmentSummary,
} from '../../../contracts/commitments.ts';
import { api, ApiError, type Page } from '../api.ts';
import { BrandMark, LanguageSwitch } from '../components/AppLayout.tsx';
import { adjustedFieldKey, useCommitmentText } from '../components/commitmentText.ts';
import { formatDay } from '../components/recordCommon.tsx';
import '../components/commitments.css';

// The public commitments page (no login): /pledges lists the published pledges by region, unit and
// status, searchable by the leader's name; /pledges/:id shows one with its milestones, photos,
// adjustments and progress log. Only what the public API gives: the leader's name, post and unit.

export default function PublicCommitmentsPage() {
  const { ct, lang } = useCommitmentText();
  const { id } = useParams<{ id?: string }>();
  useEffect(() => {
    document.title = `${ct('publicBrand')} · ${lang === 'zh' ? '连心' : 'Lianxin'}`;
  }, [ct, lang]);
  return (
    <div className="lx-pledge">
      <header className="lx-pledge-head">
        <BrandMark size={28} />
        <span className="lx-pledge-brand">{lang === 'zh' ? '连心' : 'Lianxin'}</span>
        <span className="lx-pledge-sub">{ct('publicBrand')}</span>
        <span className="lx-pledge-lang">
          <LanguageSwitch dark />
        </span>
      </header>
      {id ? null : <div className="lx-pledge-intro">{ct('publicIntro')}</div>}
      <main className="lx-pledge-main">
        {id ? <PledgeView id={Number(id)} /> : <PledgeList />}
        <footer className="lx-pledge-foot">{ct('footer')}</footer>
      </main>
    </div>
  );
}

export function StatusTags({ status, adjusted }: { status: CommitmentStatus; adjusted: boolean }) {
  const { ct, l } = useCommitmentText();
  return (
    <>
      <Tag color={commitmentStatusLabels[status].color} data-testid="pledge-status">{l(commitmentStatusLabels[status])}</Tag>
      {adjusted && status !== 'adjusted' ? <Tag color="warning">{ct('adjustedBadge')}</Tag> : null}
    </>
  );
}

const progressColor = (status: CommitmentStatus) => (status === 'honoured' ? '#52c41a' : status === 'overdue' ? '#ff4d4f' : '#b7202e');

function PledgeList() {
  const { ct, l } = useCommitmentText();
  const [params, setParams] = useSearchParams();
  const [options, setOptions] = useState<PublicCommitmentOptions | null>(null);
  const [data, setData] = useState<Page<PublicCommitmentSummary> | null>(null);
  const [loading, setLoading] = useState(false);
  const [q, setQ] = useState(params.get('q') ?? '');
  const region = params.get('region') ?? undefined;
  const unitId = params.get('unit') ?? undefined;
  const status = (commitmentStatuses as readonly string[]).includes(params.get('status') ?? '') ? (params.get('status') as CommitmentStatus) : undefined;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const search = params.get('q') ?? undefined;

  const set = (patch: Record<string, string | undefined>) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      for (const [k, v] of Object.entries(patch)) if (v) next.set(k, v); else next.delete(k);
      if (!('page' in patch)) next.delete('page');
      return next;
    }, { replace: true });

  useEffect(() => {
    void api.get<PublicCommitmentOptions>('/api/v1/public/commitments/options', undefined, { quiet: true, noRedirect: true }).then(setOptions, () => undefined);
  }, []);
  useEffect(() => {
    setLoading(true);
    api.get<Page<PublicCommitmentSummary>>('/api/v1/public/commitments', { region, unitId, status, q: search, page, pageSize: 10 }, { noRedirect: true })
      .then(setData, () => undefined)
      .finally(() => setLoading(false));
  }, [region, unitId, status, search, page]);

  return (
    <>
      <Card className="lx-pledge-card" size="small">
        <div className="lx-pledge-filters">
          <Input.Search
            className="lx-pledge-search"
            placeholder={ct('searchLeader')}
            allowClear
            enterButton={<SearchOutlined />}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onSearch={(v) => set({ q: v.trim() || undefined })}
            data-testid="pledge-search"
          />
          <Select
            allowClear
            placeholder={ct('allRegions')}
            value={region}
            onChange={(v?: string) => set({ region: v })}
            options={options?.regions.map((r) => ({ value: r.code, label: `${r.name}（${r.count}）` })) ?? []}
          />
          <Select
            allowClear
            placeholder={ct('allUnits')}
            value={unitId}
            onChange={(v?: string) => set({ unit: v })}
            options={options?.units.map((u) => ({ value: String(u.id), label: `${u.name}（${u.count}）` })) ?? []}
            showSearch={{ optionFilterProp: 'label' }}
          />
          <Select
            className="lx-pledge-search"
            allowClear
            placeholder={ct('allStatuses')}
            value={status}
            onChange={(v?: string) => set({ status: v })}
            options={commitmentStatuses.map((s) => ({ value: s, label: l(commitmentStatusLabels[s]) }))}
          />
        </div>
      </Card>
      <Spin spinning={loading}>
        {data && data.items.length === 0 ? <Card className="lx-pledge-card"><Empty description={ct('noCommitments')} /></Card> : null}
        {data?.items.map((c) => (
          <Card key={c.id} className="lx-pledge-card" size="small" hoverable data-testid="pledge-item">
            <Link to={`/pledges/${c.id}`} className="lx-pledge-item">
              <div>
                <StatusTags status={c.status} adjusted={c.adjusted} />
                <Tag>{c.category}</Tag>
              </div>
              <div className="lx-pledge-item-title">{c.title}</div>
              <div className="lx-pledge-who">
                <strong>{c.leaderName}</strong> · {c.leaderPosition} · {c.unitName}
              </div>
              <Progress percent={c.progress} size="small" strokeColor={progressColor(c.status)} />
              <div className="lx-pledge-meta">
                <span>{c.regionName}</span>
                <span>{ct('milestonesDone', { done: c.milestonesDone, total: c.milestoneCount })}</span>
                <span>{c.honouredOn ? ct('honouredAt', { day: c.honouredOn }) : ct('dueAt', { day: c.dueOn })}</span>
              </div>
            </Link>
          </Card>
        ))}
      </Spin>
      {data && data.total > data.pageSize ? (
        <div style={{ textAlign: 'center', margin: '8px 0 12px' }}>
          <Pagination simple current={page} pageSize={data.pageSize} total={data.total} onChange={(p) => set({ page: String(p) })} />
          <div className="lx-pledge-meta" style={{ justifyContent: 'center' }}>{ct('totalItems', { total: data.total })}</div>
        </div>
      ) : null}
    </>
  );
}

function PledgeView({ id }: { id: number }) {
  const { ct, l } = useCommitmentText();
  const [c, setC] = useState<PublicCommitmentDto | null>(null);
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    setC(null);
    setMissing(false);
    api.get<PublicCommitmentDto>(`/api/v1/public/commitments/${id}`, undefined, { quiet: true, noRedirect: true })
      .then(setC, (e: unknown) => setMissing(e instanceof ApiError && (e.status === 404 || e.status === 400)));
  }, [id]);

  const back = (
    <Link to="/pledges">
      <Button type="link" icon={<LeftOutlined />} style={{ color: '#fff', paddingLeft: 4 }}>{ct('back')}</Button>
    </Link>
  );
  if (missing) return <>{back}<Card className="lx-pledge-card"><Alert type="warning" showIcon message={ct('notFound')} /></Card></>;
  if (!c) return <Spin style={{ display: 'block', marginTop: 40 }} />;
  return (
    <>
      {back}
      <Card className="lx-pledge-card" data-testid="pledge-detail">
        <div>
          <StatusTags status={c.status} adjusted={c.adjusted} />
          <Tag>{c.category}</Tag>
        </div>
        <h1 className="lx-pledge-item-title" style={{ fontSize: 19 }}>{c.title}</h1>
        <div className="lx-pledge-who">
          {ct('leader')}：<strong>{c.leaderName}</strong> · {c.leaderPosition} · {c.unitName}
        </div>
        <div className="lx-pledge-meta">
          <span>{c.regionName}</span>
          <span>{ct('period')}：{c.startsOn} ~ {c.dueOn}</span>
          <span>{c.campaignName}</span>
        </div>
        <Progress percent={c.progress} strokeColor={progressColor(c.status)} style={{ marginTop: 8 }} data-testid="pledge-progress" />
        <div className="lx-pledge-meta" style={{ marginTop: 0 }}>
          {c.progressSource === 'explicit' && c.progressReason ? ct('progressSourceExplicit', { reason: c.progressReason }) : ct('milestonesDone', { done: c.milestonesDone, total: c.milestoneCount })}
          {c.honouredOn ? <span>{ct('honouredAt', { day: c.honouredOn })}</span> : null}
        </div>
        <p className="lx-pledge-content" style={{ marginTop: 12 }}>{c.content}</p>
      </Card>

      {c.adjustments.length ? (
        <Card className="lx-pledge-card" size="small" title={ct('adjustments')}>
          <Alert type="warning" showIcon message={ct('adjustedNotice')} style={{ marginBottom: 8 }} />
          {c.adjustments.map((a, i) => (
            <div key={i} className="lx-pledge-change" style={{ marginBottom: 8 }}>
              <div style={{ color: '#8c8c8c' }}>{formatDay(a.at)}</div>
              {Object.keys(a.after).map((k) => (
                <div key={k}>
                  {ct(adjustedFieldKey[k] ?? 'fieldTitle')}：{ct('before')} <del>{String(a.before[k])}</del>，{ct('after')} <strong>{String(a.after[k])}</strong>
                </div>
              ))}
              <div>{ct('reason')}：{a.reason}</div>
            </div>
          ))}
        </Card>
      ) : null}

      <Card className="lx-pledge-card" size="small" title={ct('milestones')}>
        {c.milestones.length === 0 ? <Empty description={ct('noMilestones')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> : (
          <Timeline
            items={c.milestones.map((m) => ({
              color: m.doneOn ? 'green' : m.late ? 'red' : 'gray',
              dot: m.doneOn ? <CheckCircleFilled /> : <ClockCircleOutlined />,
              children: (
                <div data-testid="pledge-milestone">
                  <div style={{ fontWeight: 500 }}>
                    {m.title} {m.doneOn ? <Tag color="success">{ct('done')} {m.doneOn}</Tag> : <Tag>{ct('plannedOn')} {m.plannedOn}</Tag>}
                    {m.late ? <Tag color="error">{ct('late')}</Tag> : null}
                  </div>
                  {m.doneOn ? <div className="lx-pledge-meta" style={{ marginTop: 0 }}>{ct('plannedOn')} {m.plannedOn}</div> : null}
                  {m.evidence ? <div className="lx-pledge-milestone-evidence">{m.evidence}</div> : null}
                  {m.links.length ? (
                    <div className="lx-pledge-meta">
                      {m.links.map((k, i) => <Tag key={i} color="blue">{ct(k.kind)}：{k.label}（{k.status}）</Tag>)}
                    </div>
                  ) : null}
                  {m.photos.length ? (
                    <div className="lx-pledge-photos">
                      <Image.PreviewGroup>
                        {m.photos.map((p) => <Image key={p.id} width={96} height={72} src={`${p.url}?thumb=1`} preview={{ src: p.url }} alt={m.title} />)}
                      </Image.PreviewGroup>
                    </div>
                  ) : null}
                </div>
              ),
            }))}
          />
        )}
      </Card>

      <Card className="lx-pledge-card" size="small" title={ct('log')}>
        <Timeline
          items={[...c.events].reverse().map((e) => ({
            color: e.kind === 'honour' ? 'green' : e.kind === 'adjust' ? 'orange' : 'blue',
            children: (
              <div>
                <div className="lx-pledge-meta" style={{ marginTop: 0 }}>{formatDay(e.at)}</div>
                <div style={{ fontSize: 13 }}>{e.summary}</div>
              </div>
            ),
          }))}
        />
      </Card>
      <div style={{ textAlign: 'center' }}>
        <Tag>{l(commitmentStatusLabels[c.status])}</Tag>
        <span className="lx-pledge-meta" style={{ display: 'inline' }}>{ct('publishedAt', { day: formatDay(c.publishedAt) })}</span>
      </div>
    </>
  );
}
