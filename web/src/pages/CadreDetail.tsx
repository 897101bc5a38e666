import { ArrowLeftOutlined, EditOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Empty, Result, Segmented, Space, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { pairingRoleLabels, type CadrePairingDto } from '../../../contracts/campaigns.ts';
import { cadreStatusLabels, genderLabels, type CadreDto } from '../../../contracts/cadres.ts';
import { targetKindLabels, type TargetKind } from '../../../contracts/targets.ts';
import { api, ApiError } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { CadreFieldRecords } from '../components/FieldRecords.tsx';
import { CadreComplianceCard } from '../components/complianceCadre.tsx';
import { PAIRING_HISTORY_LIMIT, pairingTailColumns, usePairingHistory } from '../components/PairingHistory.tsx';
import { PageSpin, PageTitle } from '../components/Status.tsx';
import { MaskedValue } from '../components/TargetForm.tsx';
import { useI18n } from '../i18n.ts';
import { formatTime, kindColor, rankColor, rankLabel, statusColor, targetKindLabel } from '../labels.ts';
import { CadreModal, RevealPhoneModal } from './Cadres.tsx';

export default function CadreDetailPage() {
  const { id } = useParams();
  const me = useMe();
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [cadre, setCadre] = useState<CadreDto | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState(false);
  const [revealing, setRevealing] = useState(false);

  const load = useCallback(async () => {
    try {
      setCadre(await api.get<CadreDto>(`/api/v1/cadres/${id}`, undefined, { quiet: true }));
    } catch (e) {
      setError(e instanceof ApiError ? e : null);
      setCadre(null);
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  if (cadre === undefined) return <PageSpin />;
  if (cadre === null)
    return (
      <Result
        status={error?.status === 404 ? '404' : 'warning'}
        title={error?.message ?? t('notFoundTitle')}
        extra={<Button onClick={() => navigate('/cadres')}>{t('backToCadres')}</Button>}
      />
    );

  return (
    <div>
      <PageTitle
        title={
          <span>
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label={t('back')} style={{ marginInlineEnd: 4 }} />
            {cadre.name}
            <Tag color={rankColor[cadre.rank]} style={{ marginInlineStart: 8, verticalAlign: 'middle' }}>
              {rankLabel(cadre.rank, lang)}
            </Tag>
          </span>
        }
        extra={
          can(me, 'cadre.write') ? (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
              {t('edit')}
            </Button>
          ) : null
        }
      />
      <Card size="small" title={t('cadreInfo')} style={{ marginBottom: 16 }}>
        <Descriptions
          bordered
          size="small"
          column={{ xs: 1, md: 3 }}
          items={[
            { key: 'name', label: t('cadreName'), children: cadre.name },
            { key: 'gender', label: t('cadreGender'), children: cadre.gender ? genderLabels[cadre.gender][lang] : <span className="lx-muted">—</span> },
            { key: 'rank', label: t('cadreRank'), children: <Tag color={rankColor[cadre.rank]}>{rankLabel(cadre.rank, lang)}</Tag> },
            { key: 'unit', label: t('cadreUnit'), children: cadre.unitName },
            { key: 'position', label: t('cadrePosition'), children: cadre.position || <span className="lx-muted">—</span> },
            { key: 'status', label: t('cadreStatus'), children: <Tag color={statusColor[cadre.status]}>{cadreStatusLabels[cadre.status]?.[lang] ?? cadre.status}</Tag> },
            {
              key: 'phone',
              label: t('cadrePhone'),
              children: <MaskedValue value={cadre.phoneMasked} canReveal={can(me, 'cadre.revealPhone')} onReveal={() => setRevealing(true)} testId="reveal-cadre-phone" />,
            },
            { key: 'updated', label: t('cadreUpdatedAt'), children: formatTime(cadre.updatedAt) },
          ]}
        />
      </Card>
      <div style={{ marginBottom: 16 }}>
        <CadreComplianceCard cadreId={cadre.id} />
      </div>
      <CadreTargets cadreId={cadre.id} />
      <CadreFieldRecords cadre={cadre} />
      {editing ? (
        <CadreModal
          cadre={cadre}
          defaultUnitId={cadre.unitId}
          onCancel={() => setEditing(false)}
          onDone={() => {
            setEditing(false);
            void load();
          }}
        />
      ) : null}
      {revealing ? <RevealPhoneModal cadre={cadre} onClose={() => setRevealing(false)} /> : null}
    </div>
  );
}

/** 联系对象: the cadre's targets now and before, directly or through a team. */
function CadreTargets({ cadreId }: { cadreId: number }) {
  const { t, lang } = useI18n();
  const { rows, total } = usePairingHistory<CadrePairingDto>(`/api/v1/cadres/${cadreId}/pairings`);
  const [show, setShow] = useState<'now' | 'before' | 'all'>('all');

  const now = rows?.filter((r) => r.current) ?? [];
  const before = rows?.filter((r) => !r.current) ?? [];
  const shown = show === 'now' ? now : show === 'before' ? before : [...now, ...before];
  const byKind = now.reduce<Record<string, number>>((m, r) => ({ ...m, [r.targetKind]: (m[r.targetKind] ?? 0) + 1 }), {});

  const columns: TableColumnsType<CadrePairingDto> = [
    { title: t('pairingState'), key: 'state', width: 80, render: (_, r) => (r.current ? <Tag color="green">{t('pairingOpen')}</Tag> : <Tag>{t('pairingEnded')}</Tag>) },
    {
      title: t('targetName'),
      dataIndex: 'targetName',
      width: 200,
      render: (n: string, r) => (
        <Link to={`/targets/${r.targetId}`} style={{ fontWeight: 500 }}>
          {n}
        </Link>
      ),
    },
    {
      title: t('targetKind'),
      dataIndex: 'targetKind',
      width: 100,
      render: (k: TargetKind) => <Tag color={kindColor[k]}>{targetKindLabels[k]?.[lang] ?? k}</Tag>,
    },
    { title: t('targetRegion'), dataIndex: 'targetRegionName', width: 130, ellipsis: true },
    {
      title: t('pairingRole'),
      dataIndex: 'role',
      width: 110,
      render: (r: CadrePairingDto['role'], p) => (
        <span>
          {pairingRoleLabels[r]?.[lang] ?? r}
          {p.cadreRole ? <Tag style={{ marginInlineStart: 4 }}>{p.cadreRole}</Tag> : null}
        </span>
      ),
    },
    {
      title: t('pairingVia'),
      dataIndex: 'via',
      width: 130,
      render: (v: CadrePairingDto['via'], r) => (v === 'team' ? <span><Tag color="purple">{t('team')}</Tag>{r.teamName}</span> : t('viaDirect')),
    },
    ...pairingTailColumns<CadrePairingDto>(t, 140),
  ];

  return (
    <Card
      size="small"
      title={
        <Space wrap size={4}>
          <span>{t('cadreTargets')}</span>
          <span className="lx-muted" style={{ fontWeight: 400, fontSize: 13 }}>
            {t('cadreTargetsSummary', { now: now.length, before: before.length })}
          </span>
          {Object.entries(byKind).map(([k, n]) => (
            <Tag key={k} color={kindColor[k as TargetKind]} style={{ fontWeight: 400 }}>
              {targetKindLabel(k, lang)} {n}
            </Tag>
          ))}
        </Space>
      }
      extra={
        <Segmented
          size="small"
          value={show}
          onChange={(v) => setShow(v as typeof show)}
          options={[
            { value: 'all', label: t('all') },
            { value: 'now', label: t('pairingNow') },
            { value: 'before', label: t('pairingBefore') },
          ]}
        />
      }
    >
      {rows && rows.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noPairingsCadre')} />
      ) : (
        <Table<CadrePairingDto>
          data-testid="cadre-pairings"
          rowKey={(r) => `${r.id}-${r.via}`}
          size="small"
          loading={!rows}
          dataSource={shown}
          columns={columns}
          scroll={{ x: 1150 }}
          rowClassName={(r) => (r.current ? '' : 'lx-row-ended')}
          pagination={shown.length > 20 ? { pageSize: 20, size: 'small', showSizeChanger: false } : false}
          footer={total > PAIRING_HISTORY_LIMIT ? () => <span className="lx-muted">{t('firstNShown', { n: PAIRING_HISTORY_LIMIT, total })}</span> : undefined}
        />
      )}
    </Card>
  );
}
