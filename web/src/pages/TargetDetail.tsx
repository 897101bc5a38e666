import { ArrowLeftOutlined, EditOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Empty, Result, Segmented, Table, Tag, Tooltip } from 'antd';
import type { DescriptionsProps, TableColumnsType } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { pairingRoleLabels, teamKindLabels, type PairingDto, type TeamDto } from '../../../contracts/campaigns.ts';
import { projectLevelLabels, targetKindLabels, type PersonalField, type ProjectLevel, type TargetDto } from '../../../contracts/targets.ts';
import { api, ApiError } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { TargetFieldRecords } from '../components/FieldRecords.tsx';
import { PAIRING_HISTORY_LIMIT, pairingTailColumns, usePairingHistory } from '../components/PairingHistory.tsx';
import { PageSpin, PageTitle } from '../components/Status.tsx';
import { attrFields, hasPersonal, hasPhone, MaskedValue, TargetModal, TargetRevealModal } from '../components/TargetForm.tsx';
import { useI18n } from '../i18n.ts';
import { formatFen, formatTime, kindColor, rankColor, rankLabel } from '../labels.ts';

export default function TargetDetailPage() {
  const { id } = useParams();
  const me = useMe();
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [target, setTarget] = useState<TargetDto | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState(false);
  const [revealing, setRevealing] = useState<PersonalField | null>(null);
  const canReveal = can(me, 'target.revealPersonal');

  const load = useCallback(async () => {
    try {
      setTarget(await api.get<TargetDto>(`/api/v1/targets/${id}`, undefined, { quiet: true }));
    } catch (e) {
      setError(e instanceof ApiError ? e : null);
      setTarget(null);
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  if (target === undefined) return <PageSpin />;
  if (target === null)
    return (
      <Result
        status={error?.status === 404 ? '404' : 'warning'}
        title={error?.message ?? t('notFoundTitle')}
        extra={<Button onClick={() => navigate('/targets')}>{t('backToTargets')}</Button>}
      />
    );

  const items: DescriptionsProps['items'] = [
    { key: 'kind', label: t('targetKind'), children: <Tag color={kindColor[target.kind]}>{targetKindLabels[target.kind][lang]}</Tag> },
    { key: 'name', label: target.kind === 'household' ? t('householdName') : t('targetName'), children: target.name },
  ];
  if (target.kind === 'enterprise') items.push({ key: 'credit', label: t('creditCode'), children: <span className="lx-phone">{target.creditCode}</span> });
  for (const f of attrFields[target.kind]) {
    const v = target.attrs[f.key];
    items.push({
      key: f.key,
      label: t(f.label),
      children:
        v === undefined || v === null || v === '' ? (
          <span className="lx-muted">—</span>
        ) : f.type === 'projectLevel' ? (
          <Tag color="red">{projectLevelLabels[v as ProjectLevel]?.[lang] ?? String(v)}</Tag>
        ) : (
          String(v)
        ),
    });
  }
  if (target.kind === 'household') {
    const ms = (target.attrs.members as { name: string; relation: string }[] | undefined) ?? [];
    items.push({
      key: 'members',
      label: t('members'),
      span: 2,
      children: ms.length ? ms.map((m) => `${m.name}（${m.relation}）`).join('、') : <span className="lx-muted">—</span>,
    });
  }
  if (target.kind === 'project') items.push({ key: 'inv', label: t('investment'), children: formatFen(target.investmentFen, lang) || <span className="lx-muted">—</span> });
  if (hasPersonal(target.kind))
    items.push({ key: 'id', label: t('idNumber'), children: <MaskedValue value={target.idMasked} canReveal={canReveal} onReveal={() => setRevealing('idNumber')} testId="reveal-id" /> });
  if (hasPhone(target.kind))
    items.push({
      key: 'phone',
      label: target.kind === 'enterprise' ? t('contactPhone') : t('cadrePhone'),
      children: <MaskedValue value={target.phoneMasked} canReveal={canReveal} onReveal={() => setRevealing('phone')} testId="reveal-phone" />,
    });
  items.push(
    { key: 'region', label: t('targetRegion'), children: <Link to={`/targets?kind=${target.kind}&region=${target.regionCode}`}>{target.regionName}</Link> },
    { key: 'address', label: t('address'), children: target.address || <span className="lx-muted">—</span> },
    { key: 'tags', label: t('tags'), children: target.tags.length ? target.tags.map((x) => <Tag key={x}>{x}</Tag>) : <span className="lx-muted">—</span> },
    {
      key: 'coords',
      label: t('coordinates'),
      children: target.latitude !== null && target.longitude !== null ? `${target.latitude}, ${target.longitude}` : <span className="lx-muted">—</span>,
    },
    { key: 'updated', label: t('cadreUpdatedAt'), children: formatTime(target.updatedAt) },
  );

  return (
    <div>
      <PageTitle
        title={
          <span>
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label={t('back')} style={{ marginInlineEnd: 4 }} />
            {target.name}
            <Tag color={kindColor[target.kind]} style={{ marginInlineStart: 8, verticalAlign: 'middle' }}>
              {targetKindLabels[target.kind][lang]}
            </Tag>
          </span>
        }
        extra={
          can(me, 'target.write') ? (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
              {t('edit')}
            </Button>
          ) : null
        }
      />
      <Card size="small" title={t('targetInfo')} style={{ marginBottom: 16 }}>
        <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} items={items} data-testid="target-fields" />
      </Card>
      <TargetPairings targetId={target.id} />
      <TargetFieldRecords target={target} />
      {editing ? (
        <TargetModal
          kind={target.kind}
          target={target}
          onCancel={() => setEditing(false)}
          onDone={(saved) => {
            setEditing(false);
            setTarget(saved);
          }}
        />
      ) : null}
      {revealing ? <TargetRevealModal target={target} field={revealing} onClose={() => setRevealing(null)} /> : null}
    </div>
  );
}

/** 联系干部: who is linked with the target now, and who was before. */
function TargetPairings({ targetId }: { targetId: number }) {
  const { t, lang } = useI18n();
  const { rows, total } = usePairingHistory<PairingDto>(`/api/v1/targets/${targetId}/pairings`);
  const [show, setShow] = useState<'open' | 'ended' | 'all'>('all');

  // Current first, the primary contact before those assisting; then the most recent.
  const order = (a: PairingDto, b: PairingDto) => (a.role === b.role ? 0 : a.role === 'primary' ? -1 : 1) || b.startsOn.localeCompare(a.startsOn);
  const open = rows?.filter((r) => r.open).sort(order) ?? [];
  const ended = rows?.filter((r) => !r.open).sort((a, b) => (b.endsOn ?? '').localeCompare(a.endsOn ?? '')) ?? [];
  const shown = show === 'open' ? open : show === 'ended' ? ended : [...open, ...ended];

  const columns: TableColumnsType<PairingDto> = [
    {
      title: t('pairingState'),
      key: 'state',
      width: 80,
      render: (_, r) => (r.open ? <Tag color="green">{t('pairingOpen')}</Tag> : <Tag>{t('pairingEnded')}</Tag>),
    },
    {
      title: t('pairedWith'),
      key: 'who',
      width: 200,
      render: (_, r) =>
        r.cadreId ? (
          <Link to={`/cadres/${r.cadreId}`} style={{ fontWeight: 500 }}>
            {r.cadreName}
          </Link>
        ) : (
          <Tooltip title={r.teamLeaderName ? `${t('teamLeader')}：${r.teamLeaderName}` : undefined}>
            <span>
              <Tag color="purple">{t('team')}</Tag>
              {r.teamName}
              {r.teamLeaderName ? <span className="lx-muted">（{r.teamLeaderName}）</span> : null}
            </span>
          </Tooltip>
        ),
    },
    { title: t('cadreRank'), dataIndex: 'cadreRank', width: 100, render: (k: string | null) => (k ? <Tag color={rankColor[k]}>{rankLabel(k, lang)}</Tag> : <span className="lx-muted">—</span>) },
    { title: t('cadreUnit'), dataIndex: 'cadreUnitName', width: 200, ellipsis: true, render: (u: string | null) => u ?? <span className="lx-muted">—</span> },
    {
      title: t('pairingRole'),
      dataIndex: 'role',
      width: 100,
      render: (r: PairingDto['role'], p) => (
        <span>
          {pairingRoleLabels[r]?.[lang] ?? r}
          {p.cadreRole ? <Tag style={{ marginInlineStart: 4 }}>{p.cadreRole}</Tag> : null}
        </span>
      ),
    },
    ...pairingTailColumns<PairingDto>(t),
  ];

  return (
    <Card
      size="small"
      title={
        <span>
          {t('linkedCadres')} <span className="lx-muted" style={{ fontWeight: 400, fontSize: 13 }}>{t('linkedCadresSummary', { open: open.length, ended: ended.length })}</span>
        </span>
      }
      extra={
        <Segmented
          size="small"
          value={show}
          onChange={(v) => setShow(v as typeof show)}
          options={[
            { value: 'all', label: t('all') },
            { value: 'open', label: t('pairingNow') },
            { value: 'ended', label: t('pairingBefore') },
          ]}
        />
      }
    >
      {rows && rows.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noPairings')} />
      ) : (
        <Table<PairingDto>
          data-testid="target-pairings"
          rowKey="id"
          size="small"
          loading={!rows}
          dataSource={shown}
          columns={columns}
          scroll={{ x: 1200 }}
          rowClassName={(r) => (r.open ? '' : 'lx-row-ended')}
          expandable={{ rowExpandable: (r) => r.teamId !== null, expandedRowRender: (r) => <TeamMembers campaignId={r.campaignId} teamId={r.teamId!} /> }}
          pagination={shown.length > 20 ? { pageSize: 20, size: 'small', showSizeChanger: false } : false}
          footer={total > PAIRING_HISTORY_LIMIT ? () => <span className="lx-muted">{t('firstNShown', { n: PAIRING_HISTORY_LIMIT, total })}</span> : undefined}
        />
      )}
    </Card>
  );
}

/** The members of a team paired with the target: who was in it, and when. */
function TeamMembers({ campaignId, teamId }: { campaignId: number; teamId: number }) {
  const { t, lang } = useI18n();
  const [team, setTeam] = useState<TeamDto | null | undefined>(undefined);
  useEffect(() => {
    let cancelled = false;
    api
      .get<TeamDto>(`/api/v1/campaigns/${campaignId}/teams/${teamId}`, undefined, { quiet: true })
      .then((x) => !cancelled && setTeam(x))
      .catch(() => !cancelled && setTeam(null));
    return () => {
      cancelled = true;
    };
  }, [campaignId, teamId]);
  if (team === undefined) return <span className="lx-muted">{t('loading')}</span>;
  if (team === null) return <span className="lx-muted">—</span>;
  return (
    <div>
      <div style={{ marginBottom: 6 }}>
        <Tag color="purple">{teamKindLabels[team.kind]?.[lang] ?? team.kind}</Tag>
        {team.name} · {t('teamLeader')}：
        <Link to={`/cadres/${team.leaderCadreId}`}>{team.leaderName}</Link> · {t('teamMembersCount', { n: team.members.filter((m) => !m.leftOn).length })}
      </div>
      <Table
        size="small"
        rowKey={(m) => `${m.cadreId}-${m.joinedOn}`}
        dataSource={team.members}
        pagination={team.members.length > 10 ? { pageSize: 10, size: 'small', showSizeChanger: false } : false}
        rowClassName={(m) => (m.leftOn ? 'lx-row-ended' : '')}
        columns={[
          { title: t('cadreName'), dataIndex: 'name', width: 120, render: (n: string, m) => <Link to={`/cadres/${m.cadreId}`}>{n}</Link> },
          { title: t('cadreRank'), dataIndex: 'rank', width: 100, render: (k: string) => <Tag color={rankColor[k]}>{rankLabel(k, lang)}</Tag> },
          { title: t('cadreUnit'), dataIndex: 'unitName', ellipsis: true },
          { title: t('joinedOn'), dataIndex: 'joinedOn', width: 110 },
          { title: t('leftOn'), dataIndex: 'leftOn', width: 110, render: (d: string | null) => d ?? <span className="lx-muted">—</span> },
        ]}
      />
    </div>
  );
}
